package consent

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// gaSnippet is Google's gtag.js snippet as sites paste it: a script that
// loads the library, then an inline one that names no host.
const gaSnippet = `<script async src="https://www.googletagmanager.com/gtag/js?id=G-SECRETPROP"></script>
<script>window.dataLayer = window.dataLayer || [];
function gtag(){dataLayer.push(arguments);}
gtag('js', new Date());
gtag('config', 'G-SECRETPROP');</script>`

// htmlApp serves page as HTML, after setting the given Set-Cookie lines.
func htmlApp(page string, setCookies ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for _, c := range setCookies {
			w.Header().Add("Set-Cookie", c)
		}
		_, _ = io.WriteString(w, page)
	})
}

// decisionCookie makes a decision through m's own endpoint, as a visitor's
// browser does, and returns the Cookie header that carries it and its
// consent ID.
func decisionCookie(t *testing.T, m *Manager, form url.Values) (cookie, id string) {
	t.Helper()
	rec := decide(m, "www.example.com", "", form)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	var parts []string
	for _, c := range rec.Result().Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
		if st, err := m.DecodeCookie(c.Value); err == nil {
			id = st.ID()
		}
	}
	require.NotEmpty(t, id, "the decision sets a consent cookie")
	return strings.Join(parts, "; "), id
}

// warnings returns the WARN lines of logs that contain s.
func warnings(logs *logBuffer, s string) []string {
	var out []string
	for _, l := range logs.lines("WARN") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

func TestUnknownCategoryWarnsOnce(t *testing.T) {
	t.Parallel()
	logs, log := newLogBuffer()
	m := cookieManager(t, func(c *Config) { c.Logger = log })
	h := m.Handler(htmlApp(`<html><head><script data-consent="analitics" src="/stats.js"></script>` +
		`<script data-consent="analytics" src="/ok.js"></script></head><body></body></html>`))
	all, _ := decisionCookie(t, m, url.Values{"action": {"accept_all"}})
	for i := range 30 {
		var rec *httptest.ResponseRecorder
		if i%2 == 0 {
			rec = get(t, h, "/page")
		} else {
			rec = get(t, h, "/page", "Cookie", all)
			// What the warning is about: "Accept all" does not reach it.
			require.Contains(t, rec.Body.String(), `<script type="text/plain" data-ck-blocked="analitics"`)
			require.Contains(t, rec.Body.String(), `<script data-consent="analytics" src="/ok.js">`)
		}
		require.Equal(t, http.StatusOK, rec.Code)
	}
	got := warnings(logs, "category=analitics")
	require.Len(t, got, 1, "one warning however many responses: %v", logs.lines("WARN"))
	assert.Contains(t, got[0], "does not declare")
	assert.Contains(t, got[0], "path=/page")
	assert.Empty(t, warnings(logs, "category=analytics "), "a declared category is no mistake")
}

// TestUndeclaredTrackerCategoryWarnsOnce: a site whose categories leave out
// one the tracker table uses blocks those trackers for good; it is told.
func TestUndeclaredTrackerCategoryWarnsOnce(t *testing.T) {
	t.Parallel()
	logs, log := newLogBuffer()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: log,
		Categories: []Category{{ID: "analytics"}}})
	require.NoError(t, err)
	h := m.Handler(htmlApp(`<iframe src="https://www.youtube.com/embed/x"></iframe>`))
	for range 5 {
		get(t, h, "/")
	}
	got := warnings(logs, "category=marketing")
	require.Len(t, got, 1, "%v", logs.lines("WARN"))
	assert.Contains(t, got[0], `reason="tracker host"`)
}

func TestInlineSnippetWithoutCategoryWarnsOnce(t *testing.T) {
	t.Parallel()
	logs, log := newLogBuffer()
	m := cookieManager(t, func(c *Config) { c.Logger = log })
	h := m.Handler(htmlApp(`<html><head>` + gaSnippet + `</head><body></body></html>`))
	for range 30 {
		rec := get(t, h, "/")
		require.Equal(t, http.StatusOK, rec.Code)
		require.Equal(t, 2, strings.Count(rec.Body.String(), `data-ck-blocked="analytics"`), "both scripts are blocked")
	}
	got := warnings(logs, "inline tracker snippet without a category")
	require.Len(t, got, 1, "one warning however many responses: %v", logs.lines("WARN"))
	assert.Contains(t, got[0], `add data-consent=\"analytics\"`)
	assert.Contains(t, got[0], "match=gtag")
	assert.NotContains(t, got[0], "SECRETPROP", "the log names the snippet, not its text")

	// The same snippet, categorised, is no mistake.
	logs2, log2 := newLogBuffer()
	m2 := cookieManager(t, func(c *Config) { c.Logger = log2 })
	get(t, m2.Handler(htmlApp(strings.Replace(gaSnippet, "<script>", `<script data-consent="analytics">`, 1))), "/")
	assert.Empty(t, warnings(logs2, "inline tracker snippet"))
}

// TestUnknownNamesAreBounded checks that a page inventing category names
// cannot grow the Manager's memory or flood the log: one warning per name
// up to a limit, then one saying so.
func TestUnknownNamesAreBounded(t *testing.T) {
	t.Parallel()
	logs, log := newLogBuffer()
	m := cookieManager(t, func(c *Config) { c.Logger = log })
	var page strings.Builder
	for i := range maxUnknownWarned * 3 {
		fmt.Fprintf(&page, `<script data-consent="made-up-%d" src="/x.js"></script>`, i)
	}
	h := m.Handler(htmlApp(page.String()))
	get(t, h, "/")
	get(t, h, "/")
	assert.Len(t, warnings(logs, "category=made-up-"), maxUnknownWarned)
	assert.Len(t, warnings(logs, "many unknown categories"), 1)
	assert.Len(t, *m.diag.unknown.names.Load(), maxUnknownWarned)
}

// TestWarningsCostNoAllocations checks that the always-on listening for
// warnings allocates nothing once a warning is given: a page with a typo
// is served many times.
func TestWarningsCostNoAllocations(t *testing.T) {
	m := cookieManager(t)
	typo := rewrite.Event{Element: "script", Category: "analitics", Reason: rewrite.ReasonAttribute}
	snippet := rewrite.Event{Element: "script", Category: "analytics", Reason: rewrite.ReasonInlineSnippet, Match: []byte("gtag")}
	host := rewrite.Event{Element: "script", Category: "analytics", Reason: rewrite.ReasonInlineHost,
		Match: []byte("www.google-analytics.com")}
	run := func() {
		m.neutralised(nil, "/", typo)
		m.neutralised(nil, "/", snippet)
		m.neutralised(nil, "/", host)
	}
	run()
	assert.Zero(t, testing.AllocsPerRun(100, run))
}

// diagnosed returns a Manager with Diagnostics on, its debug page open to
// every caller unless auth says otherwise.
func diagnosed(t *testing.T, mods ...func(*Config)) *Manager {
	t.Helper()
	return cookieManager(t, append([]func(*Config){func(c *Config) {
		c.Diagnostics = Diagnostics{Enabled: true, Authorize: func(*http.Request) bool { return true }}
	}}, mods...)...)
}

func TestDiagnosisHeaderOnlyWhenOn(t *testing.T) {
	t.Parallel()
	page := `<html><head>` + gaSnippet + `</head><body></body></html>`
	off := cookieManager(t)
	rec := get(t, off.Handler(htmlApp(page, "_ga=GA1.2.3")), "/")
	assert.Empty(t, rec.Header().Values(diagHeader))
	assert.Empty(t, rec.Header().Values("Server-Timing"))

	on := diagnosed(t)
	rec = get(t, on.Handler(htmlApp(page, "_ga=GA1.2.3")), "/")
	id := rec.Header().Get(diagHeader)
	assert.Len(t, id, 16)
	assert.Equal(t, []string{`consentkit;desc="HTML rewritten, 1 cookie dropped; details: /consent/debug?id=` + id + `"`},
		rec.Header().Values("Server-Timing"))

	// A Server-Timing of the application's own is kept.
	rec = get(t, on.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server-Timing", "db;dur=53")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	})), "/api")
	assert.Equal(t, []string{"db;dur=53", `consentkit;desc="nothing changed; details: /consent/debug?id=` +
		rec.Header().Get(diagHeader) + `"`}, rec.Header().Values("Server-Timing"))

	// The rewrite itself is the same, diagnosed or not.
	assert.Equal(t, get(t, off.Handler(htmlApp(page)), "/").Body.String(), get(t, on.Handler(htmlApp(page)), "/").Body.String())
}

// debugPage fetches {prefix}/debug (with query q) through h.
func debugPage(t *testing.T, h http.Handler, q string) *httptest.ResponseRecorder {
	t.Helper()
	rec := get(t, h, "/consent/debug"+q)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	return rec
}

func TestDebugPageListsWhatHappened(t *testing.T) {
	t.Parallel()
	m := diagnosed(t)
	page := `<html><head>` + gaSnippet + `<script data-consent="analitics" src="/stats.js?visitor=SECRETQ"></script>
</head><body><iframe src="https://www.youtube.com/embed/v?autoplay=1&amp;user=SECRETQ"></iframe></body></html>`
	h := m.Handler(htmlApp(page, "_ga=GA1.2.SECRETVALUE; Path=/", "tracker_x=SECRETVALUE2", "session=SECRETVALUE3"))
	cookie, consentID := decisionCookie(t, m, url.Values{"action": {"save"}, "category": {"preferences"}})
	req := httptest.NewRequest(http.MethodGet, "/news/story?email=alice%40example.com&token=SECRETQ", nil)
	req.RemoteAddr = "203.0.113.77:5555"
	req.Header.Set("Cookie", cookie)
	req.Header.Set("X-Forwarded-For", "198.51.100.23")
	resp := httptest.NewRecorder()
	h.ServeHTTP(resp, req)
	require.Equal(t, http.StatusOK, resp.Code)
	id := resp.Header().Get(diagHeader)
	require.NotEmpty(t, id)
	get(t, h, "/other") // a second response, so that ?id= has something to leave out

	body := debugPage(t, h, "?id="+id).Body.String()
	for _, want := range []string{
		"GET /news/story", id, "HTML rewritten",
		// the typo, as a row and as a warning
		"<code>script</code></td><td>analitics</td><td>data-consent attribute</td>",
		"category &#34;analitics&#34; is not in Config.Categories",
		// GA's library by its host, its inline snippet by its shape
		"<td>analytics</td><td>tracker host</td><td><code>www.googletagmanager.com</code>",
		"<td>analytics</td><td>inline tracker snippet</td><td><code>gtag(…)</code>",
		"inline tracker snippet without a category, blocked by a guess by its shape: gtag(…); add data-consent=&#34;analytics&#34;",
		"<code>iframe</code></td><td>marketing</td><td>tracker host</td><td><code>www.youtube.com</code>",
		// cookies by name and reason
		"<code>_ga</code></td><td>analytics</td><td>category not granted</td>",
		"<code>tracker_x</code></td><td></td><td>undeclared: not in Config.Cookies</td>",
		"cookie &#34;tracker_x&#34; is not declared in Config.Cookies",
	} {
		assert.Contains(t, body, want)
	}
	assert.Equal(t, 1, strings.Count(body, "<section"), "?id= shows that response only")
	for _, secret := range []string{"SECRET", "alice", "email", "203.0.113.77", "198.51.100.23", consentID, "session"} {
		assert.NotContains(t, body, secret, "the page must not show visitor data")
	}

	all := debugPage(t, h, "").Body.String()
	assert.Equal(t, 2, strings.Count(all, "<section"))
	assert.Less(t, strings.Index(all, "GET /other"), strings.Index(all, "GET /news/story"), "newest first")
}

func TestDebugPageHeaders(t *testing.T) {
	t.Parallel()
	m := diagnosed(t)
	rec := debugPage(t, m.Handler(http.NotFoundHandler()), "")
	h := rec.Header()
	assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	csp := h.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.NotContains(t, rec.Body.String(), "<script", "no banner, no script")
	assert.Contains(t, rec.Body.String(), "Nothing yet")
}

func TestDebugPageEscapes(t *testing.T) {
	t.Parallel()
	m := diagnosed(t)
	h := m.Handler(htmlApp(`<script data-consent="&lt;img src=x onerror=alert(1)&gt;" src=/a.js></script>`, `<b>=1`))
	get(t, h, "/x%3Cscript%3Ealert(2)%3C/script%3E")
	body := debugPage(t, h, "?x=%3Cscript%3E").Body.String()
	assert.NotContains(t, body, "<script")
	assert.NotContains(t, body, "<img")
	assert.NotContains(t, body, "<b>")
	assert.Contains(t, body, "/x&lt;script&gt;alert(2)&lt;/script&gt;")
	assert.Contains(t, body, "&lt;img src=x onerror=alert(1)&gt;")
	assert.Contains(t, body, "&lt;b&gt;")
}

func TestDebugPageAccess(t *testing.T) {
	t.Parallel()
	app := http.NotFoundHandler()
	off := cookieManager(t).Handler(app)
	def := cookieManager(t, func(c *Config) { c.Diagnostics.Enabled = true }).Handler(app)
	custom := cookieManager(t, func(c *Config) {
		c.Diagnostics = Diagnostics{Enabled: true, Authorize: func(r *http.Request) bool { return r.Header.Get("X-Dev") == "yes" }}
	}).Handler(app)
	tests := []struct {
		name   string
		h      http.Handler
		method string
		remote string
		hdr    []string
		want   int
	}{
		{"off is no page at all", off, "GET", "127.0.0.1:4000", nil, http.StatusNotFound},
		{"loopback", def, "GET", "127.0.0.1:4000", nil, http.StatusOK},
		{"loopback v6", def, "GET", "[::1]:4000", nil, http.StatusOK},
		{"loopback HEAD", def, "HEAD", "127.0.0.1:4000", nil, http.StatusOK},
		{"remote", def, "GET", "192.0.2.1:4000", nil, http.StatusForbidden},
		{"behind a local proxy", def, "GET", "127.0.0.1:4000", []string{"X-Forwarded-For", "192.0.2.1"}, http.StatusForbidden},
		{"behind a Forwarded proxy", def, "GET", "127.0.0.1:4000", []string{"Forwarded", "for=192.0.2.1"}, http.StatusForbidden},
		{"v4-mapped remote", def, "GET", "[::ffff:192.0.2.1]:4000", nil, http.StatusForbidden},
		{"post", def, "POST", "127.0.0.1:4000", nil, http.StatusMethodNotAllowed},
		{"custom refuses", custom, "GET", "127.0.0.1:4000", nil, http.StatusForbidden},
		{"custom allows", custom, "GET", "192.0.2.1:4000", []string{"X-Dev", "yes"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, "/consent/debug", nil)
			req.RemoteAddr = tt.remote
			for i := 0; i+1 < len(tt.hdr); i += 2 {
				req.Header.Set(tt.hdr[i], tt.hdr[i+1])
			}
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, req)
			assert.Equal(t, tt.want, rec.Code)
		})
	}
}

func TestDebugPageKeepsTheLastResponses(t *testing.T) {
	t.Parallel()
	m := diagnosed(t, func(c *Config) { c.Diagnostics.Keep = 3 })
	h := m.Handler(htmlApp(`<p>hello</p>`))
	for i := range 10 {
		get(t, h, fmt.Sprintf("/p%d", i))
	}
	// Responses the middleware left alone are not listed.
	get(t, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "{}") })), "/api")
	body := debugPage(t, h, "").Body.String()
	assert.Equal(t, 3, strings.Count(body, "<section"))
	for i, p := range []string{"GET /p9<", "GET /p8<", "GET /p7<"} {
		assert.Contains(t, body, p, i)
	}
	assert.NotContains(t, body, "/p6")
	assert.NotContains(t, body, "/api")
	assert.Len(t, m.diag.recent.recs, 3)
}

func TestDiagnosisNotesCompressedHTML(t *testing.T) {
	t.Parallel()
	m := diagnosed(t)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "br")
		_, _ = w.Write([]byte{0x1b, 0x02})
	}))
	rec := get(t, h, "/")
	assert.Contains(t, rec.Header().Get("Server-Timing"), "1 warning")
	assert.Contains(t, debugPage(t, h, "").Body.String(), "arrived already compressed (Content-Encoding: br)")
}

func TestDiagnosticsConfig(t *testing.T) {
	t.Parallel()
	for _, keep := range []int{-1, maxDiagKeep + 1} {
		_, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Diagnostics: Diagnostics{Enabled: true, Keep: keep}})
		require.ErrorIs(t, err, ErrBadConfig, keep)
		assert.Contains(t, err.Error(), "Diagnostics.Keep")
	}
	m := cookieManager(t, func(c *Config) { c.Diagnostics.Enabled = true })
	assert.Equal(t, defaultDiagKeep, cap(m.diag.recent.recs))
	assert.Nil(t, cookieManager(t).diag.recent, "off by default")
}

func TestMatchHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://www.youtube.com/embed/x?user=1": "www.youtube.com",
		"//cdn.example.com/a.js":                 "cdn.example.com",
		"https://user:pw@ads.example.com:8443/x": "ads.example.com:8443",
		" HTTPS:\\\\Ads.Example.com\\x":          "Ads.Example.com",
		"www.google-analytics.com":               "www.google-analytics.com",
		"ads.example.com#frag":                   "ads.example.com",
	} {
		assert.Equal(t, want, string(matchHost([]byte(in))), in)
	}
}

// BenchmarkHandlerPageDiagnostics is BenchmarkHandlerPage's undecided
// visitor with Diagnostics off (the baseline: what every production
// response pays) and on (what development pays for the header and the
// debug page's record).
func BenchmarkHandlerPageDiagnostics(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			m := cookieManager(b, func(c *Config) { c.Diagnostics.Enabled = on })
			req, w := benchRequest(b, "")
			b.SetBytes(int64(len(articlePage)))
			serveLoop(b, m.Handler(htmlHandler), req, w)
		})
	}
}

// TestPanickedDiagnosesAreBounded: a handler that panics never ends its
// diagnosis; such records must not pile up.
func TestPanickedDiagnosesAreBounded(t *testing.T) {
	t.Parallel()
	m := diagnosed(t)
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	serve := func() {
		defer func() { _ = recover() }()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	for range maxInflight + 10 {
		serve()
	}
	n := 0
	m.diag.recent.inflight.Range(func(any, any) bool { n++; return true })
	assert.LessOrEqual(t, n, maxInflight)
	assert.Equal(t, int32(n), m.diag.recent.nInflight.Load())
	get(t, m.Handler(htmlApp("<p>x</p>")), "/")
	assert.Equal(t, int32(n), m.diag.recent.nInflight.Load(), "a finished response leaves nothing behind")
}
