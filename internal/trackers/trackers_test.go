package trackers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	tab := Default()
	tests := []struct {
		name, host, want string
		ok               bool
	}{
		{"exact", "google-analytics.com", Analytics, true},
		{"subdomain", "www.google-analytics.com", Analytics, true},
		{"deep subdomain", "a.b.region1.google-analytics.com", Analytics, true},
		{"upper case", "WWW.Google-Analytics.COM", Analytics, true},
		{"port", "www.googletagmanager.com:443", Analytics, true},
		{"trailing dot", "connect.facebook.net.", Marketing, true},
		{"look-alike prefix", "notgoogle-analytics.com", "", false},
		{"look-alike suffix", "google-analytics.com.evil.example", "", false},
		{"parent of entry is not an entry", "google.com", "", false},
		{"narrow entry", "adservice.google.com", Marketing, true},
		{"sibling of narrow entry", "www.google.com", "", false},
		{"video embed", "www.youtube-nocookie.com", Marketing, true},
		{"empty", "", "", false},
		{"only port", ":80", "", false},
		{"ipv6", "[::1]:80", "", false},
		{"too long", strings.Repeat("a.", 200) + "doubleclick.net", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tab.Lookup(tt.host)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLookupURL(t *testing.T) {
	t.Parallel()
	tab := Default()
	tests := []struct {
		name, url, want string
	}{
		{"https", "https://www.googletagmanager.com/gtag/js?id=G-1", Analytics},
		{"http upper scheme", "HTTP://WWW.GOOGLE-ANALYTICS.COM/analytics.js", Analytics},
		{"protocol relative", "//connect.facebook.net/en_US/fbevents.js", Marketing},
		{"user info and port", "https://user:pw@static.hotjar.com:8443/c/hotjar.js", Analytics},
		{"query only host", "https://www.youtube.com?v=1", Marketing},
		{"fragment host", "https://vimeo.com#x", Marketing},
		{"backslashes", `https:\\www.youtube.com\embed\x`, Marketing},
		{"protocol relative backslashes", `\\www.youtube.com/embed/x`, Marketing},
		{"missing slashes", "https:www.youtube.com/embed/x", Marketing},
		{"tabs and newlines inside", "https://www.goo\tgle-ana\nlytics.com/x", Analytics},
		{"surrounding spaces", "  https://bat.bing.com/bat.js \n", Marketing},
		{"percent-encoded host", "https://www.%67oogle-analytics.com/x", Analytics},
		{"relative path", "/js/app.js", ""},
		{"relative file that looks like a host", "google-analytics.com/x.js", ""},
		{"data url", "data:text/javascript,alert(1)", ""},
		{"javascript url", "javascript:void(0)", ""},
		{"first party", "https://example.com/app.js", ""},
		{"look-alike", "https://notgoogle-analytics.com/x.js", ""},
		{"host in path", "https://example.com/www.google-analytics.com", ""},
		{"host in query", "https://example.com/?u=https://doubleclick.net", ""},
		{"empty", "", ""},
		{"single slash", "/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tab.LookupURL(tt.url)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, got)
			gotB, okB := tab.LookupURLBytes([]byte(tt.url))
			assert.Equal(t, ok, okB, "bytes and string variants agree")
			assert.Equal(t, got, gotB)
		})
	}
}

func TestWith(t *testing.T) {
	t.Parallel()
	base := Default()
	n := base.With(map[string]string{
		"*.cdn.example.net":    "Preferences",
		".stats.example.org":   " analytics ",
		"youtube-nocookie.com": "",
		"facebook.net":         Analytics,
		"  ":                   Marketing,
	})
	tests := []struct {
		name, host, want string
		ok               bool
	}{
		{"added with wildcard", "img.cdn.example.net", "preferences", true},
		{"added with leading dot", "stats.example.org", Analytics, true},
		{"removed", "www.youtube-nocookie.com", "", false},
		{"re-categorised", "connect.facebook.net", Analytics, true},
		{"untouched", "www.youtube.com", Marketing, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := n.Lookup(tt.host)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("base is unchanged", func(t *testing.T) {
		t.Parallel()
		got, ok := base.Lookup("www.youtube-nocookie.com")
		require.True(t, ok)
		assert.Equal(t, Marketing, got)
		_, ok = base.Lookup("img.cdn.example.net")
		assert.False(t, ok)
		assert.Len(t, n.hosts, len(base.hosts)+2-1, "two hosts added, one removed, one changed")
	})
}

func TestLookupDoesNotAllocate(t *testing.T) {
	tab := Default()
	b := []byte("https://WWW.Google-Analytics.com:443/g/collect?v=2")
	h := []byte("Static.Hotjar.com")
	long := []byte("https://" + strings.Repeat("a", 200) + ".example.com/x.js")
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = tab.Lookup("Region1.Google-Analytics.com:443")
		_, _ = tab.LookupURL("//www.youtube.com/embed/x")
		_, _ = tab.LookupURLBytes(b)
		_, _ = tab.LookupURLBytes(long)
		_, _ = tab.LookupHostBytes(h)
		_, _ = tab.Lookup("first-party.example.org")
		_, _ = tab.Lookup("www.google-analytics%2Ecom") // percent-encoded ASCII
	})
	assert.Zero(t, allocs)
}

func FuzzLookupURL(f *testing.F) {
	for _, s := range []string{
		"https://www.google-analytics.com/x", "//a.b", `\\x.y\z`, "HTTPS:doubleclick.net",
		"https://u@p:h@[::1]:80/", "https://%zz.com", "http://", "https://a.b.c.d.e.f.g.h.", " \t//\nx.com ",
	} {
		f.Add(s)
	}
	tab := Default()
	f.Fuzz(func(t *testing.T, s string) {
		c1, ok1 := tab.LookupURL(s)
		c2, ok2 := tab.LookupURLBytes([]byte(s))
		if c1 != c2 || ok1 != ok2 {
			t.Fatalf("string and bytes lookups disagree for %q", s)
		}
		if ok1 != (c1 != "") {
			t.Fatalf("ok=%v with category %q", ok1, c1)
		}
		var hc HostCache
		for range 2 { // a miss, then a hit
			if c, ok := hc.LookupURLBytes(tab, []byte(s)); c != c1 || ok != ok1 {
				t.Fatalf("cached lookup of %q: %q %v, table: %q %v", s, c, ok, c1, ok1)
			}
		}
	})
}

// BenchmarkLookupURL compares the table lookup with the obvious baseline of
// net/url parsing plus a lowercase suffix walk.
func BenchmarkLookupURL(b *testing.B) {
	tab := Default()
	u := []byte("https://www.googletagmanager.com/gtag/js?id=G-XXXXXXX")
	b.Run("table", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := tab.LookupURLBytes(u); !ok {
				b.Fatal("not found")
			}
		}
	})
	b.Run("baseline-net-url", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := baselineLookup(tab, string(u)); !ok {
				b.Fatal("not found")
			}
		}
	})
}

func TestHostFilterTopLabels(t *testing.T) {
	f := Default().Filter()
	for _, l := range []string{"com", "net", "COM", "io"} {
		assert.True(t, f.MayEnd([]byte(l)), l)
	}
	for _, l := range []string{"x", "", "getElementsByClassName"} {
		assert.False(t, f.MayEnd([]byte(l)), l)
	}
	custom := Default().With(map[string]string{"stats.example.internal": "analytics", "x.y.p4": "marketing", "a.b.x-1": "analytics"})
	assert.True(t, custom.Filter().MayEnd([]byte("internal")))
	assert.Zero(t, testing.AllocsPerRun(100, func() { f.MayEnd([]byte("com")) }))
	// The words of code these tests were made to turn away, which share
	// their first two letters with a top label of the table.
	for _, w := range []string{"console", "cookie", "onload", "async", "indexOf", "push", "replace", "getElementById"} {
		assert.False(t, f.MayEnd([]byte(w)) && f.MayBeginEnd(w[0], w[1], w[2]), w)
	}
	// No false negatives: every top label of a table passes both tests,
	// in either case, however the table got it.
	for _, tab := range []*Table{Default(), custom} {
		f := tab.Filter()
		for h := range tab.hosts {
			top := h[strings.LastIndexByte(h, '.')+1:]
			if len(top) < 2 {
				continue
			}
			for _, l := range []string{top, strings.ToUpper(top)} {
				c2 := byte(0)
				if len(l) > 2 {
					c2 = l[2]
				}
				assert.True(t, f.MayBeginEnd(l[0], l[1], c2), h)
				assert.True(t, f.MayEnd([]byte(l)), h)
			}
		}
	}
	assert.True(t, f.MayBeginEnd('d', 'e', '/'), "a label of two bytes ends at any byte no label holds")
	assert.True(t, f.MayBeginEnd('c', 'o', 'M'), "com")
	assert.False(t, f.MayBeginEnd('.', 'c', 'o'))
}

func TestHostFilter(t *testing.T) {
	tab := Default().With(map[string]string{"single": "analytics"})
	f := tab.Filter()
	require.Same(t, f, tab.Filter())
	for h := range tab.hosts {
		assert.True(t, f.MayMatch([]byte(lastTwo(h))), h)
	}
	assert.True(t, f.MayMatch([]byte("Google-Analytics.COM")))
	assert.True(t, f.MayMatchHost([]byte("www.google-analytics.com.")))
	misses := 0
	for i := range 10000 {
		if !f.MayMatch([]byte(fmt.Sprintf("site%d.example", i))) {
			misses++
		}
	}
	assert.Greater(t, misses, 9000, "the filter rejects most unrelated hosts")
	assert.Zero(t, testing.AllocsPerRun(100, func() { f.MayMatch([]byte("doubleclick.net")) }))
}
