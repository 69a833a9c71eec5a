package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/consentkit/consentkit/consent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memStore is an in-memory consent log: the decisions a test's visitor made.
type memStore struct {
	mu   sync.Mutex
	recs []consent.Record
}

func (s *memStore) Record(ctx context.Context, rec consent.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, rec)
	return nil
}

func (s *memStore) all() []consent.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]consent.Record(nil), s.recs...)
}

// hits counts the requests a server saw, by host name and path
// ("tracker.test/analytics.js"), so tests can tell what the browser fetched
// and, through the beacons the fake scripts send, what it ran.
type hits struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *hits) add(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == nil {
		h.n = map[string]int{}
	}
	h.n[key]++
}

func (h *hits) get(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[key]
}

// snapshot returns a copy of every count, for failure messages.
func (h *hits) snapshot() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.n))
	for k, v := range h.n {
		out[k] = v
	}
	return out
}

// site is one test's web site: the consent middleware around a news page,
// and a second loopback server playing two third parties, an analytics
// vendor (tracker.test) and an ad network (ads.test).
type site struct {
	URL     string // the site's origin, http://127.0.0.1:port
	tracker string // http://tracker.test:port
	ads     string // http://ads.test:port

	store   *memStore
	third   hits // requests to the third parties
	mu      sync.Mutex
	headers []http.Header // request headers of every page request, in order
}

// testKey signs the test sites' consent cookies.
var testKey = []byte("e2e-test-key-0123456789abcdef-32b")

// newSite starts a site for t, with opts applied to its consent.Config.
// Both servers are closed when t ends.
func newSite(t *testing.T, opts ...func(*consent.Config)) *site {
	t.Helper()
	s := &site{store: &memStore{}}
	third := newLoopbackServer(t, http.HandlerFunc(s.serveThird))
	_, port, err := net.SplitHostPort(third.Listener.Addr().String())
	require.NoError(t, err)
	s.tracker = "http://tracker.test:" + port
	s.ads = "http://ads.test:" + port

	cfg := consent.Config{
		Keys:     []consent.KeyPair{{HashKey: testKey}},
		Store:    s.store,
		Cookie:   consent.Cookie{Insecure: true}, // plain HTTP on loopback
		GPC:      consent.GPC{WellKnown: true},
		Trackers: map[string]string{"tracker.test": "analytics", "ads.test": "marketing"},
		Cookies: []consent.CookieSpec{
			{Name: "sid", Category: consent.Necessary, HttpOnly: true,
				Justification: map[string]string{"en": "Keeps the reader signed in."}},
			{Name: "_ga", Category: "analytics", Provider: "Tracker", Hosts: []string{"tracker.test"}, LocalStorage: []string{"ga:*"}},
			{Name: "_gid", Category: "analytics", Provider: "Tracker"},
			{Name: "_ads", Category: "marketing", Provider: "Ads"},
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	m, err := consent.New(cfg)
	require.NoError(t, err)
	srv := newLoopbackServer(t, m.Handler(http.HandlerFunc(s.servePage)))
	s.URL = srv.URL
	return s
}

// newLoopbackServer starts an HTTP server on 127.0.0.1 that t closes.
func newLoopbackServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// pageHeaders returns the request headers of every page request so far.
func (s *site) pageHeaders() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.headers...)
}

// lastPageHeader returns header name of the latest page request.
func (s *site) lastPageHeader(name string) string {
	h := s.pageHeaders()
	if len(h) == 0 {
		return ""
	}
	return h[len(h)-1].Get(name)
}

// serveThird plays the third parties. Their scripts leave a trace in the
// page (window.order, globals, a first-party cookie as real tags do) and
// send a beacon back, so a run is visible both in the page and on the wire.
func (s *site) serveThird(w http.ResponseWriter, r *http.Request) {
	host, _, _ := strings.Cut(r.Host, ":")
	s.third.add(host + r.URL.Path)
	w.Header().Set("Cache-Control", "no-store")
	switch host + r.URL.Path {
	case "tracker.test/analytics.js":
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, `window.order.push('analytics-ext');
window.trackerAnalytics = (window.trackerAnalytics || 0) + 1;
document.cookie = '_ga=GA1.1.42; path=/; max-age=3600';
new Image().src = %q + '/collect?page=' + encodeURIComponent(location.pathname);
`, s.tracker)
	case "ads.test/marketing.js":
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, `window.order.push('marketing-ext');
window.adsLoaded = true;
document.cookie = '_ads=7; path=/; max-age=3600';
new Image().src = %q + '/collect';
`, s.ads)
	case "ads.test/embed.html", "ads.test/embed2.html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>Video</title><p id="video">A video player</p>`)
	case "tracker.test/collect", "ads.test/collect", "ads.test/pixel.gif":
		w.Header().Set("Content-Type", "image/gif")
		w.Write(gif1x1)
	default:
		http.NotFound(w, r)
	}
}

// gif1x1 is a transparent 1×1 GIF.
var gif1x1 = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// assertNoAds checks that the browser fetched nothing from the ad network.
func (s *site) assertNoAds(t *testing.T, msg string) {
	t.Helper()
	for k := range s.third.snapshot() {
		assert.NotContains(t, k, "ads.test", msg)
	}
}

// servePage serves the site's pages: "/" and "/article" are the news page,
// "/csp" the same page under a strict nonce-based Content-Security-Policy,
// "/privacy" the policy, "/hostile" a page whose CSS tries to reach into the
// banner (look_test.go), "/embeds" one with two blocked embeds, "/objects"
// one with a blocked <embed> and <object>s, "/tabindex" one whose controls
// have positive tabindex (objects_test.go, tabindex_test.go).
func (s *site) servePage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.headers = append(s.headers, r.Header.Clone())
	s.mu.Unlock()
	nonce := ""
	switch r.URL.Path {
	case "/", "/article":
	case "/csp":
		nonce = newNonce()
		w.Header().Set("Content-Security-Policy", strings.Join([]string{
			"default-src 'self'",
			"script-src 'nonce-" + nonce + "'",
			"style-src 'nonce-" + nonce + "'",
			"img-src 'self' " + s.tracker + " " + s.ads,
			"frame-src " + s.ads,
			"connect-src 'self'",
			"form-action 'self'",
			"base-uri 'none'",
			"object-src 'none'",
		}, "; "))
	case "/hostile", "/embeds", "/objects", "/tabindex":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		page := map[string]string{"/hostile": hostilePage, "/embeds": embedsPage, "/objects": objectsPage, "/tabindex": tabindexPage}[r.URL.Path]
		io.WriteString(w, strings.ReplaceAll(page, "{A}", s.ads))
		return
	case "/privacy":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html lang="en"><head><title>Privacy</title></head><body><h1>Privacy policy</h1></body></html>`)
		return
	default:
		http.NotFound(w, r)
		return
	}
	// The site sets a necessary session cookie and, as careless sites do,
	// an analytics cookie before anyone agreed: the middleware must drop it.
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s1", Path: "/", HttpOnly: true})
	http.SetCookie(w, &http.Cookie{Name: "_gid", Value: "g1", Path: "/"})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	n := ""
	if nonce != "" {
		n = ` nonce="` + nonce + `"`
	}
	io.WriteString(w, strings.NewReplacer("{N}", n, "{T}", s.tracker, "{A}", s.ads).Replace(newsPage))
}

// newNonce returns a fresh CSP nonce.
func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newsPage is the test page. {N} is the nonce attribute (or nothing), {T}
// the analytics vendor's origin, {A} the ad network's.
//
// window.order records which scripts ran, in order. The first script wraps
// gtag to keep every call in sessionStorage, because a withdrawal reloads
// the page and the Consent Mode update must be seen across that reload; it
// also counts consent:change events and CSP violations, and asks
// window.consentkit.ready for the grant, as a site's own non-deferred script
// would (the loader is deferred once everything is granted).
//
//   - analytics.js from tracker.test has no data-consent: the tracker table
//     must block it by host.
//   - the inline analytics script is marked with data-consent.
//   - the iframe and the pixel from ads.test are blocked by host.
//   - marketing.js is marked data-consent="marketing".
const newsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>The Daily Test</title>
<script{N}>
window.order = ['necessary'];
window.changes = [];
window.violations = [];
(function () {
  var real = window.gtag;
  window.gtag = function () {
    var calls = JSON.parse(sessionStorage.getItem('gtag') || '[]');
    calls.push(Array.prototype.slice.call(arguments));
    sessionStorage.setItem('gtag', JSON.stringify(calls));
    if (real) real.apply(this, arguments);
  };
})();
document.addEventListener('consent:change', function (e) { window.changes.push(e.detail.granted); });
window.consentkit.ready(function (ck) { window.ready = (window.ready || []).concat([ck.granted()]); });
document.addEventListener('securitypolicyviolation', function (e) { window.violations.push(e.violatedDirective + ' ' + e.blockedURI); });
</script>
<script src="{T}/analytics.js"{N}></script>
<script data-consent="analytics"{N}>window.order.push('inline-analytics'); window.inlineAnalytics = true;</script>
</head>
<body>
<main>
<h1>The Daily Test</h1>
<p>Parliament met today to discuss the weather, which was found to be mild. Readers are invited to consider the implications at length.</p>
<iframe src="{A}/embed.html" title="Video" width="280" height="80"></iframe>
<img src="{A}/pixel.gif" alt="" width="1" height="1">
<p><a href="/article">Next article</a></p>
</main>
<script src="{A}/marketing.js" data-consent="marketing"{N}></script>
<script{N}>window.order.push('body-end');</script>
</body></html>
`
