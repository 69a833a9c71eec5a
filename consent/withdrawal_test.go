package consent

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/publicsuffix"
)

func TestCookieDomains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, host string
		want       []string
	}{
		{"two-label public suffix", "www.shop.example.co.uk", []string{"example.co.uk", "shop.example.co.uk", "www.shop.example.co.uk"}},
		{"registrable domain itself", "example.co.uk", []string{"example.co.uk"}},
		{"public suffix", "co.uk", nil},
		{"top-level domain", "com", nil},
		{"one subdomain", "www.example.com", []string{"example.com", "www.example.com"}},
		{"unknown top-level domain takes the default rule", "www.shop.test", []string{"shop.test", "www.shop.test"}},
		{"private suffix", "myshop.github.io", []string{"myshop.github.io"}},
		{"private suffix itself", "github.io", nil},
		{"IPv4", "127.0.0.1", nil},
		{"IPv4 of four labels", "10.1.2.3", nil},
		{"IPv6", "::1", nil},
		{"registrable domain of digits", "a.0.0", nil},
		{"localhost", "localhost", nil},
		{"under localhost", "app.localhost", []string{"app.localhost"}},
		{"single label", "intranet", nil},
		{"punycode top-level domain", "www.example.xn--p1ai", []string{"example.xn--p1ai", "www.example.xn--p1ai"}},
		{"punycode public suffix of two labels", "shop.example.xn--55qx5d.cn", []string{"example.xn--55qx5d.cn", "shop.example.xn--55qx5d.cn"}},
		{"punycode public suffix itself", "xn--55qx5d.cn", nil},
		{"punycode registrable label", "www.xn--bcher-kva.de", []string{"xn--bcher-kva.de", "www.xn--bcher-kva.de"}},
		{"unicode is not a host a browser sends", "www.bücher.de", nil},
		{"trailing dot", "www.example.com.", nil},
		{"leading dot", ".example.com", nil},
		{"empty label", "www..example.com", nil},
		{"empty", "", nil},
		{"underscore", "_dmarc.example.com", nil},
		{"leading hyphen", "-www.example.com", nil},
		{"trailing hyphen", "www-.example.com", nil},
		{"label of 64 bytes", strings.Repeat("a", 64) + ".example.com", nil},
		{"label of 63 bytes", strings.Repeat("a", 63) + ".example.com", []string{"example.com", strings.Repeat("a", 63) + ".example.com"}},
		{"upper case is lowered by requestHost first", "WWW.EXAMPLE.COM", nil},
		{"port is removed by requestHost first", "example.com:8080", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := cookieDomains(tt.host)
			assert.Equal(t, tt.want, got)
			assertCookieDomains(t, tt.host, got)
		})
	}
}

// assertCookieDomains checks what holds of every cookieDomains answer:
// each domain is the host or a parent of it, none is a public suffix, the
// registrable domain comes first and the others follow down to the host,
// and net/http writes each as a Domain attribute unchanged.
func assertCookieDomains(t *testing.T, host string, got []string) {
	t.Helper()
	for i, d := range got {
		assert.True(t, d == host || strings.HasSuffix(host, "."+d), "%s is %s or a parent of it", d, host)
		ps, _ := publicsuffix.PublicSuffix(d)
		assert.NotEqual(t, ps, d, "%s is a public suffix", d)
		if i == 0 {
			reg, err := publicsuffix.EffectiveTLDPlusOne(host)
			assert.NoError(t, err)
			assert.Equal(t, reg, d, "the registrable domain first")
		} else {
			assert.True(t, strings.HasSuffix(d, "."+got[i-1]), "%s lies one label below %s", d, got[i-1])
		}
		c := http.Cookie{Name: "a", Domain: d}
		assert.Contains(t, c.String(), "; Domain="+d, "net/http keeps the Domain")
	}
	if len(got) > 0 {
		assert.Equal(t, host, got[len(got)-1], "the host itself last")
	}
}

func FuzzCookieDomains(f *testing.F) {
	for _, h := range []string{"www.shop.example.co.uk", "co.uk", "127.0.0.1", "localhost", "a.b.c.d.e.f.example.com",
		"www.example.xn--p1ai", "x.github.io", "www.example.com.", "a-b.c-d.test", "a.0.0"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		assertCookieDomains(t, host, cookieDomains(host))
	})
}

// parentDomainSpecs declares cookies as a site on a host with parents
// would: a host-only analytics cookie that the script really sets on the
// registrable domain, and the two prefixed kinds.
func parentDomainSpecs(c *Config) {
	c.Cookies = []CookieSpec{
		{Name: "_ga", Category: "analytics", Purpose: map[string]string{"en": "Tells visitors apart."}},
		{Name: "__Secure-id", Category: "analytics", Purpose: map[string]string{"en": "Analytics ID."}},
		{Name: "__Host-ad", Category: "marketing", HttpOnly: true, Purpose: map[string]string{"en": "Ad frequency."}},
		{Name: "big_*", Category: "marketing", Path: "/shop", Purpose: map[string]string{"en": "Many cookies."}},
	}
}

func TestWithdrawalReachesParentDomains(t *testing.T) {
	t.Parallel()
	m := cookieManager(t, parentDomainSpecs)
	const sent = "_ga=GA1; __Secure-id=1; __Host-ad=2; __host-lower=3"
	tests := []struct {
		name, host string
		ga         []cookieForm // the forms _ga and __Secure-id are expired in
	}{
		{"two-label public suffix", "www.shop.example.co.uk",
			[]cookieForm{{"", "/"}, {"example.co.uk", "/"}, {"shop.example.co.uk", "/"}, {"www.shop.example.co.uk", "/"}}},
		{"port", "www.shop.test:8443", []cookieForm{{"", "/"}, {"shop.test", "/"}, {"www.shop.test", "/"}}},
		{"registrable host", "example.com", []cookieForm{{"", "/"}, {"example.com", "/"}}},
		{"upper case", "WWW.Example.COM", []cookieForm{{"", "/"}, {"example.com", "/"}, {"www.example.com", "/"}}},
		{"private suffix", "shop.github.io", []cookieForm{{"", "/"}, {"shop.github.io", "/"}}},
		{"IPv4", "127.0.0.1:8080", []cookieForm{{"", "/"}}},
		{"IPv6", "[::1]:8080", []cookieForm{{"", "/"}}},
		{"localhost", "localhost:3000", []cookieForm{{"", "/"}}},
		{"trailing dot", "www.example.com.", []cookieForm{{"", "/"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := decide(m, tt.host, sent, url.Values{"action": {"reject_all"}})
			require.Equal(t, http.StatusSeeOther, rec.Code)
			got := map[string][]*http.Cookie{}
			for _, c := range rec.Result().Cookies() {
				got[c.Name] = append(got[c.Name], c)
			}
			for _, name := range []string{"_ga", "__Secure-id"} {
				var forms []cookieForm
				for _, c := range got[name] {
					forms = append(forms, cookieForm{c.Domain, c.Path})
					assert.Equal(t, -1, c.MaxAge, name)
					assert.Equal(t, name == "__Secure-id", c.Secure, "%s: a __Secure- cookie is expired with Secure, others as declared", name)
				}
				assert.ElementsMatch(t, tt.ga, forms, "%s: host-only and every domain up to the registrable one", name)
				require.NotEmpty(t, forms, name)
				assert.Equal(t, cookieForm{"", "/"}, forms[0], "%s: the declared form first", name)
			}
			require.Len(t, got["__Host-ad"], 1, "a __Host- cookie has one form")
			host := got["__Host-ad"][0]
			assert.Equal(t, cookieForm{"", "/"}, cookieForm{host.Domain, host.Path}, "a __Host- cookie never takes a Domain")
			assert.True(t, host.Secure && host.HttpOnly)
			assert.NotContains(t, got, "__host-lower", "an undeclared name is not touched")
		})
	}
}

func TestExpiryFormsDeclaredPath(t *testing.T) {
	t.Parallel()
	spec := &CookieSpec{Name: "_fbp", Domain: ".Example.com", Path: "/news"}
	got := expiryForms("_fbp", spec, cookieDomains("www.shop.example.com"))
	assert.Equal(t, []cookieForm{
		{"example.com", "/news"}, {"", "/news"}, {"shop.example.com", "/news"}, {"www.shop.example.com", "/news"},
		{"example.com", "/"}, {"", "/"}, {"shop.example.com", "/"}, {"www.shop.example.com", "/"},
	}, got, "the declared form, then the registrable domain, host-only and the domains between; the declared path, then /")
	lower := expiryForms("__host-x", &CookieSpec{}, cookieDomains("www.example.com"))
	assert.Equal(t, []cookieForm{{"", "/"}}, lower, "browsers read the __Host- prefix in any case")
	ip := expiryForms("_ga", &CookieSpec{Domain: "127.0.0.1"}, cookieDomains("127.0.0.1"))
	assert.Equal(t, []cookieForm{{"", "/"}}, ip, "an IP host has only the host-only form")
}

func TestExpiryBudget(t *testing.T) {
	t.Parallel()
	many := func(n, nameLen int, path string) []withdrawnCookie {
		spec := &CookieSpec{Path: path}
		out := make([]withdrawnCookie, n)
		for i := range out {
			name := "c" + strconv.Itoa(i) + "_"
			out[i] = withdrawnCookie{name: name + strings.Repeat("x", max(0, nameLen-len(name))), spec: spec}
		}
		return out
	}
	tests := []struct {
		name, host string
		names      []withdrawnCookie
		lines      int // how many go out
	}{
		{"within budget", "www.shop.example.co.uk", many(3, 4, ""), 12},
		{"line budget", "127.0.0.1", many(45, 4, ""), maxExpiryLines},
		{"line budget with a declared path", "127.0.0.1", many(30, 4, "/shop"), maxExpiryLines},
		// Lines of 208 bytes, 230 with a Domain: 12 declared ones, then
		// two for the registrable domain reach 2,956 bytes of 3,072.
		{"byte budget", "www.shop.example.co.uk", many(12, 150, ""), 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			domains := cookieDomains(tt.host)
			lines, left := expiryLines(tt.host, tt.names)
			total, size := 0, 0
			for _, n := range tt.names {
				total += len(expiryForms(n.name, n.spec, domains))
			}
			for _, l := range lines {
				size += len(l)
			}
			assert.Len(t, lines, tt.lines)
			assert.Equal(t, total, len(lines)+left, "every form is sent or counted as left out")
			assert.LessOrEqual(t, len(lines), maxExpiryLines)
			assert.LessOrEqual(t, size, maxExpiryBytes)
			// Breadth-first: each name's declared form before any name's
			// second form, so every cookie the visitor sent gets its
			// likeliest deletion while the budget allows one per name.
			for i, n := range tt.names {
				if i >= len(lines) {
					break
				}
				f := expiryForms(n.name, n.spec, domains)[0]
				assert.Equal(t, expiryLine(n.name, n.spec, f), lines[i], "line %d is the declared form of %s", i, n.name)
			}
		})
	}
}

func TestExpiryBudgetWarnsOnce(t *testing.T) {
	t.Parallel()
	logs, logger := newLogBuffer()
	m := cookieManager(t, parentDomainSpecs, func(c *Config) { c.Logger = logger })
	var sent []string
	for i := range 30 {
		sent = append(sent, "big_"+strconv.Itoa(i)+"=1")
	}
	for range 3 {
		rec := decide(m, "www.shop.example.co.uk", strings.Join(sent, "; "), url.Values{"action": {"reject_all"}})
		require.Equal(t, http.StatusSeeOther, rec.Code, "a visitor with too many cookies still gets their decision saved")
		lines := rec.Result().Header.Values("Set-Cookie")
		assert.Len(t, lines, maxExpiryLines+1, "the consent cookie and a full budget of expiries")
		assert.True(t, strings.HasPrefix(lines[0], hostConsent+"="), "the consent cookie is never crowded out")
		assert.Less(t, headerBytes(rec), 4096, "the whole header fits nginx's default 4 KiB buffer")
		for i, l := range lines[1:31] {
			assert.True(t, strings.HasPrefix(l, "big_"+strconv.Itoa(i)+"=; Path=/shop; Expires="), "every cookie's declared form first: %s", l)
		}
	}
	warns := logs.lines("WARN")
	require.Len(t, warns, 1, "one warning per Manager")
	assert.Contains(t, warns[0], "header budget")
	assert.Contains(t, warns[0], "left_out=200", "30 names of 8 forms, 40 sent")
}

func TestExpiryOfThousandsOfCookies(t *testing.T) {
	t.Parallel()
	logs, logger := newLogBuffer()
	m := cookieManager(t, parentDomainSpecs, func(c *Config) { c.Logger = logger })
	// 2,900 cookies, under the 3,000 net/http parses at most (GODEBUG
	// httpcookiemaxnum): 2,000 names, the first 900 of them twice.
	sent := make([]string, 2900)
	for i := range sent {
		sent[i] = "big_" + strconv.Itoa(i%2000) + "=1"
	}
	rec := decide(m, "www.shop.example.co.uk", strings.Join(sent, "; "), url.Values{"action": {"reject_all"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, "a Cookie header of thousands of names is no error")
	lines := rec.Result().Header.Values("Set-Cookie")
	require.Len(t, lines, maxExpiryLines+1)
	for i, l := range lines[1:] {
		assert.True(t, strings.HasPrefix(l, "big_"+strconv.Itoa(i)+"=; Path=/shop; Expires="),
			"the first names the visitor sent get their declared form: %s", l)
	}
	warns := logs.lines("WARN")
	require.Len(t, warns, 1)
	assert.Contains(t, warns[0], "cookies_left_out=2820", "the cookies past the first 40 names are counted, not the repeats of those")
}

// headerBytes is the size of rec's response header as HTTP/1.1 writes it.
func headerBytes(rec *httptest.ResponseRecorder) int {
	n := len("HTTP/1.1 303 See Other\r\n\r\n") + len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n")
	for k, vs := range rec.Result().Header {
		for _, v := range vs {
			n += len(k) + len(": ") + len(v) + len("\r\n")
		}
	}
	return n
}

// BenchmarkExpiryLines measures the clean-up's Set-Cookie lines for a
// Google Analytics withdrawal (_ga, _ga_<id>, _gid) by host. The baseline
// is an IP host, where only the declared host-only form exists: the cost of
// the clean-up before it reached parent domains.
func BenchmarkExpiryLines(b *testing.B) {
	spec := &CookieSpec{}
	ga := []withdrawnCookie{{"_ga", spec}, {"_ga_ABC123", spec}, {"_gid", spec}}
	var many []withdrawnCookie
	for i := range 30 {
		many = append(many, withdrawnCookie{"big_" + strconv.Itoa(i), &CookieSpec{Path: "/shop"}})
	}
	for _, bb := range []struct {
		name, host string
		names      []withdrawnCookie
	}{
		{"baseline_host_only", "127.0.0.1", ga},
		{"www.example.com", "www.example.com", ga},
		{"www.shop.example.co.uk", "www.shop.example.co.uk", ga},
		{"over_budget_30_names", "www.shop.example.co.uk", many},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				lines, _ := expiryLines(bb.host, bb.names)
				if len(lines) == 0 {
					b.Fatal("no lines")
				}
			}
		})
	}
}

// BenchmarkDecisionWithdrawal is a whole refusal through the middleware
// with the three Google Analytics cookies to expire, against the same
// refusal with none: what the clean-up adds to the decision endpoint.
func BenchmarkDecisionWithdrawal(b *testing.B) {
	m := cookieManager(b, parentDomainSpecs, func(c *Config) {
		c.Cookies = append(c.Cookies, CookieSpec{Name: "_ga_*", Category: "analytics", Purpose: map[string]string{"en": "Session."}},
			CookieSpec{Name: "_gid", Category: "analytics", Purpose: map[string]string{"en": "Daily ID."}})
		// One client deciding b.N times is a flood to the write limits;
		// this measures the clean-up, not the limiter.
		c.WriteLimits = WriteLimits{PerAddress: -1, PerID: -1}
	})
	form := url.Values{"action": {"reject_all"}}
	for _, bb := range []struct{ name, cookie string }{
		{"baseline_nothing_to_expire", ""},
		{"ga_three_cookies", "_ga=GA1.2.3; _ga_ABC123=GS1.1; _gid=GA1.2.4"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rec := decide(m, "www.shop.example.co.uk", bb.cookie, form); rec.Code != http.StatusSeeOther {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}
