package trackers

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCanonicalHostMatchesBrowser compares the host normalisation with what
// Chromium 156 gives for new URL("https://" + input + "/").hostname (trailing
// dots dropped, since the table ignores them). Inputs the browser rejects
// are left out: it fetches nothing for them, whatever the table says.
func TestCanonicalHostMatchesBrowser(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"ideographic full stop", "www.google-analytics\u3002com", "www.google-analytics.com"},
		{"full-width letters", "\uff47\uff4f\uff4f\uff47\uff4c\uff45-analytics.com", "google-analytics.com"},
		{"full-width everything", "\uff44\uff4f\uff55\uff42\uff4c\uff45\uff43\uff4c\uff49\uff43\uff4b\uff0e\uff4e\uff45\uff54", "doubleclick.net"},
		{"full-width full stop", "doubleclick\uff0enet", "doubleclick.net"},
		{"half-width ideographic full stop", "doubleclick\uff61net", "doubleclick.net"},
		{"soft hyphen", "goo\u00adgle-analytics.com", "google-analytics.com"},
		{"leading soft hyphen", "\u00addoubleclick.net", "doubleclick.net"},
		{"zero width space", "doubleclick\u200b.net", "doubleclick.net"},
		{"variation selector", "double\ufe00click.net", "doubleclick.net"},
		{"circled letter", "\u24d3oubleclick.net", "doubleclick.net"},
		{"upper case", "WWW.GOOGLE-ANALYTICS.COM", "www.google-analytics.com"},
		{"kelvin sign", "\u212a.example", "k.example"},
		{"percent-encoded dot", "www.google-analytics%2ecom", "www.google-analytics.com"},
		{"percent-encoded letters", "%44OUBLECLICK.NET", "doubleclick.net"},
		{"percent-encoded UTF-8 full stop", "www.google-analytics%E3%80%82com", "www.google-analytics.com"},
		{"percent-encoded UTF-8 label", "%C3%BCber.doubleclick.net", "xn--ber-goa.doubleclick.net"},
		{"emoji label", "%F0%9F%92%A9.doubleclick.net", "xn--ls8h.doubleclick.net"},
		{"trailing dot", "google-analytics.com.", "google-analytics.com"},
		{"trailing ideographic full stop", "doubleclick.net\u3002", "doubleclick.net"},
		{"unicode label", "b\u00fccher.example", "xn--bcher-kva.example"},
		{"non-transitional sharp s", "fa\u00df.de", "xn--fa-hia.de"},
		{"final sigma", "\u03c2.example", "xn--3xa.example"},
		{"dotted capital I", "\u0130stanbul.example", "xn--istanbul-o0e.example"},
		{"combining dot", "d\u0307oubleclick.net", "xn--oubleclick-751e.net"},
		{"right to left label", "\u0628\u0627\u0628.example", "xn--mgbbb.example"},
		{"punycode upper case", "XN--BCHER-KVA.example", "xn--bcher-kva.example"},
		{"underscore kept (no STD3 rules)", "a_b.doubleclick.net", "a_b.doubleclick.net"},
		{"double hyphens kept (no CheckHyphens)", "r3---sn-abc.googlevideo.com", "r3---sn-abc.googlevideo.com"},
		{"empty label kept", "doubleclick..net", "doubleclick..net"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, string(canonicalHost(percentDecode(nil, tt.in))))
		})
	}
}

func TestLookupNormalises(t *testing.T) {
	t.Parallel()
	tab := Default().With(map[string]string{
		"b\u00fccher.example":                    Marketing, // stored as punycode
		"xn--fa-hia.de":                          Analytics,
		"\uff53\uff54\uff41\uff54\uff53.example": Analytics, // full-width "stats"
	})
	tests := []struct{ name, host, want string }{
		{"ideographic full stop", "www.google-analytics\u3002com", Analytics},
		{"full-width", "\uff47\uff4f\uff4f\uff47\uff4c\uff45-analytics.com", Analytics},
		{"soft hyphen", "www.goo\u00adgle-analytics.com", Analytics},
		{"upper case", "WWW.GOOGLE-ANALYTICS.COM", Analytics},
		{"percent-encoded dot", "www.google-analytics%2ecom", Analytics},
		{"percent-encoded UTF-8", "www.google-analytics%E3%80%82com", Analytics},
		{"percent-encoded UTF-8 with port", "www.google-analytics%E3%80%82com:443", Analytics},
		{"trailing dot", "www.google-analytics.com.", Analytics},
		{"unicode host of a punycode entry", "shop.b\u00fccher.example", Marketing},
		{"punycode host of a unicode entry", "xn--bcher-kva.example", Marketing},
		{"percent-encoded unicode host", "b%C3%BCcher.example", Marketing},
		{"non-transitional", "fa\u00df.de", Analytics},
		{"transitional spelling is another host", "fass.de", ""},
		{"full-width entry", "www.stats.example", Analytics},
		{"look-alike cyrillic", "doubleclick.n\u0435t", ""},
		{"unicode label under a tracker", "\u00fcber.doubleclick.net", Marketing},
		{"percent is not a dot", "www.google-analytics%com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tab.Lookup(tt.host)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, got)
			got, _ = tab.LookupHostBytes([]byte(tt.host))
			assert.Equal(t, tt.want, got, "LookupHostBytes")
			got, _ = tab.LookupURL("https://" + tt.host + "/x.js")
			assert.Equal(t, tt.want, got, "LookupURL")
		})
	}
}

func TestLookupHostBytes(t *testing.T) {
	t.Parallel()
	tab := Default()
	tests := []struct{ host, want string }{
		{"www.googletagmanager.com", Analytics},
		{"connect.facebook.net:443", Marketing},
		{"user@static.hotjar.com", Analytics},
		{"Connect.Facebook.NET.", Marketing},
		{"example.com", ""},
		{"", ""},
		{"[::1]", ""},
	}
	for _, tt := range tests {
		got, ok := tab.LookupHostBytes([]byte(tt.host))
		assert.Equal(t, tt.want != "", ok, tt.host)
		assert.Equal(t, tt.want, got, tt.host)
	}
}

// TestLongEncodedHost checks that a host longer than the stack buffers once
// percent-encoded is still decoded in full, as the browser would.
func TestLongEncodedHost(t *testing.T) {
	t.Parallel()
	host := strings.Repeat("a", 60) + "." + strings.Repeat("b", 60) + ".doubleclick.net"
	enc := ""
	for i := 0; i < len(host); i++ {
		enc += "%" + strings.ToUpper(hexByte(host[i]))
	}
	got, ok := Default().LookupURL("https://" + enc + "/ad.js")
	assert.True(t, ok)
	assert.Equal(t, Marketing, got)
	got, ok = Default().LookupURL("https://user:" + strings.Repeat("p", 600) + "@ad.doubleclick.net/")
	assert.True(t, ok, "long user info")
	assert.Equal(t, Marketing, got)
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

func FuzzLookupHost(f *testing.F) {
	for _, s := range []string{"www.google-analytics.com", "WWW.Doubleclick.NET.", "a%2eb", "b\u00fccher.example", "x\u3002doubleclick.net", "%zz", "[::1]:80", "u@h:1"} {
		f.Add(s)
	}
	tab := Default()
	f.Fuzz(func(t *testing.T, s string) {
		c1, ok1 := tab.Lookup(s)
		c2, ok2 := tab.LookupHostBytes([]byte(s))
		if c1 != c2 || ok1 != ok2 {
			t.Fatalf("string and bytes lookups disagree for %q", s)
		}
		var hc HostCache
		for range 2 { // a miss, then a hit
			if c, ok := hc.LookupHostBytes(tab, []byte(s)); c != c1 || ok != ok1 {
				t.Fatalf("cached lookup of %q: %q %v, table: %q %v", s, c, ok, c1, ok1)
			}
		}
		// Percent-encoding a host must not change its category: the browser
		// decodes it first.
		if strings.ContainsAny(s, "@:[%/?#\\") {
			return
		}
		c3, _ := tab.Lookup(url.PathEscape(s))
		enc := ""
		for i := 0; i < len(s); i++ {
			enc += "%" + hexByte(s[i])
		}
		c4, _ := tab.Lookup(enc)
		if c3 != c1 || c4 != c1 {
			t.Fatalf("%q is %q but escaped %q and %q", s, c1, c3, c4)
		}
	})
}

// TestFastURLPathAgrees checks the fast path for common URLs against the
// general one: same answer for every shape it accepts or declines.
func TestFastURLPathAgrees(t *testing.T) {
	t.Parallel()
	tab := Default()
	for _, u := range []string{
		"https://www.google-analytics.com/a.js", "http://ad.doubleclick.net", "//connect.facebook.net/x",
		"///connect.facebook.net/x", "//\\connect.facebook.net/x", "https://WWW.Google-Analytics.COM/a",
		"https://www.google-analytics.com.:443/a", "https://user@www.google-analytics.com/", "https://example.org/x",
		"/local.js", "local.js", "#x", "?q=//doubleclick.net", "1.png", "javascript:x", "HTTPS://doubleclick.net/",
		"https:doubleclick.net", "https://doubleclick.net?x", "https://doubleclick.net#x", "//", "https://",
		"https://www.google-analytics%2Ecom/a", " https://doubleclick.net", "https://double\tclick.net/",
	} {
		wantC, wantOK := lookupURLSlow(tab, u, nil)
		c, ok := tab.LookupURL(u)
		assert.Equal(t, wantOK, ok, u)
		assert.Equal(t, wantC, c, u)
	}
	// Every byte in a host, and hosts around the longest a name can be,
	// ended every way the fast path reads.
	var urls []string
	for b := range 256 {
		urls = append(urls, "https://ad.double"+string(rune(b))+"click.net/x", "//"+string(rune(b))+"doubleclick.net")
		urls = append(urls, "http://ad.doubleclick.net"+string([]byte{byte(b)})+"x", "https://ad."+string([]byte{byte(b)})+"doubleclick.net")
		urls = append(urls, "/"+string([]byte{byte(b)})+"/ad.doubleclick.net/x", "/"+string([]byte{byte(b)})+"ad.doubleclick.net")
	}
	for n := maxHost - 3; n <= maxHost+2; n++ {
		host := strings.Repeat("a.", (n-len("doubleclick.net"))/2) + "doubleclick.net"
		host = strings.Repeat("b", n-len(host)) + host
		require.Len(t, host, n)
		for _, end := range []string{"", "/", "?", "#", ".", "x", "%", ":"} {
			urls = append(urls, "https://"+host+end, "//"+strings.ToUpper(host)+end)
		}
	}
	for _, u := range urls {
		wantC, wantOK := lookupURLSlow(tab, u, nil)
		if c, ok := tab.LookupURL(u); c != wantC || ok != wantOK {
			t.Errorf("%q: %q %v, the general path: %q %v", u, c, ok, wantC, wantOK)
		}
	}
}

// lookupAuthorityByByte is lookupAuthority as it was before the quick path
// read hosts eight bytes a step: the reference the quick path must match.
func lookupAuthorityByByte(t *Table, a []byte) (string, bool) {
	if i := strings.LastIndexByte(string(a), '@'); i >= 0 {
		a = a[i+1:]
	}
	if len(a) > 0 && a[0] == '[' {
		return "", false
	}
	if i := strings.IndexByte(string(a), ':'); i >= 0 {
		a = a[:i]
	}
	for _, c := range a {
		if c >= 0x80 || c == '%' {
			return lookupHostSlow(t, a)
		}
	}
	if len(a) > maxHost+1 {
		return "", false
	}
	return t.suffixLookup(trimDots([]byte(strings.ToLower(string(a)))))
}

// TestQuickAuthority holds lookupAuthority's word-at-a-time path to the
// byte loop: hosts of every length around the words' edges, in capitals and
// not, with every byte the quick path must leave to the general one ('@',
// ':', '%', '[', above 0x7f) and every other byte at every position.
func TestQuickAuthority(t *testing.T) {
	t.Parallel()
	tab := Default()
	var hc HostCache
	hosts := []string{"doubleclick.net", "ad.doubleclick.net", "AD.DoubleClick.NET", "ad.doubleclick.net.",
		"www.google-analytics.com", "WWW.GOOGLE-ANALYTICS.COM", "user@ad.doubleclick.net", "ad.doubleclick.net:443",
		"[::1]:443@ad.doubleclick.net", "ad.doubleclick.net@example.org", "ad.doubleclick%2Enet", "xn--ad-doubleclick.net",
		"[ad.doubleclick.net]", strings.Repeat("a", quickHost-len(".doubleclick.net")) + ".doubleclick.net"}
	for n := 8; n <= quickHost+1; n++ {
		h := "doubleclick.net"
		for len(h) < n {
			h = "a" + h
			if len(h) < n {
				h = "." + h
			}
		}
		hosts = append(hosts, h[len(h)-n:], strings.ToUpper(h[len(h)-n:]))
	}
	base := "Ab.DoubleClick.NET" // 18 bytes: three words, the last overlapping
	for k := range len(base) {
		for c := range 256 {
			b := []byte(base)
			b[k] = byte(c)
			hosts = append(hosts, string(b))
		}
	}
	for _, h := range hosts {
		wantC, wantOK := lookupAuthorityByByte(tab, []byte(h))
		c, ok := lookupAuthority(tab, []byte(h), &hc)
		if c != wantC || ok != wantOK {
			t.Errorf("%q: %q %v, byte by byte: %q %v", h, c, ok, wantC, wantOK)
		}
	}
}

// TestLastTwo holds lastTwo's eight-bytes-a-step search to a byte loop, for
// dots at every position of hosts up to three words long.
func TestLastTwo(t *testing.T) {
	t.Parallel()
	ref := func(h string) string {
		if i := strings.LastIndexByte(h, '.'); i >= 0 {
			if j := strings.LastIndexByte(h[:i], '.'); j >= 0 {
				return h[j+1:]
			}
		}
		return h
	}
	for n := range 26 {
		for i := -1; i < n; i++ {
			for j := -1; j < n; j++ {
				b := []byte(strings.Repeat("x", n))
				if i >= 0 {
					b[i] = '.'
				}
				if j >= 0 {
					b[j] = '.'
				}
				b = append(b, ".com"[:min(n%5, 4)]...) // a third dot, or not
				h := string(b)
				assert.Equal(t, ref(h), lastTwo(h), h)
				assert.Equal(t, ref(h), string(lastTwo(b)), h)
				// A '/' after a dot (Table.Lookup takes any string) is
				// what an inexact zero-byte test would take for a dot.
				h = strings.ReplaceAll(h, "x", "/")
				assert.Equal(t, ref(h), lastTwo(h), h)
			}
		}
	}
}

// TestPutLower64 holds the word-at-a-time lower-casing to the byte one, for
// every ASCII byte in every position of the word.
func TestPutLower64(t *testing.T) {
	t.Parallel()
	for c := range 0x80 {
		for k := range 8 {
			w := []byte("aZ-9.Qz@")
			w[k] = byte(c)
			var got [8]byte
			putLower64(got[:], load64(w))
			assert.Equal(t, strings.ToLower(string(w)), string(got[:]), "%q", w)
		}
	}
}
