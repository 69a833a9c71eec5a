package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/consentkit/consentkit/consent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The vendors' consent signals (on unless ConsentMode.NoVendorSignals) and advanced
// Consent Mode, in a browser. The vendors are never fetched: their globals
// are recorders defined by the page, which keep every call in
// sessionStorage, across the reload that follows a withdrawal.

// signalsVendorPage stubs Meta's fbq, UET's uetq, Clarity's clarity and Tag
// Manager (its global, and the events pushed to dataLayer). Marked
// necessary, as a site's own code would be: the rewriter leaves it alone.
const signalsVendorPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vendors</title>
<script data-consent="necessary">
(() => {
const rec = n => function (...a) {
	const l = JSON.parse(sessionStorage.getItem('calls') || '[]');
	l.push([n, ...a]);
	sessionStorage.setItem('calls', JSON.stringify(l));
};
window.fbq = rec('fbq');
window.uetq = {push: rec('uetq')};
window.clarity = rec('clarity');
window.google_tag_manager = {};
const dl = window.dataLayer = window.dataLayer || [], push = dl.push, r = rec('dataLayer');
dl.push = function (...a) { if (a[0] && a[0].event) r(...a); return push.apply(this, a); };
// Registered before the signals module's own listener: once this has run,
// so has everything a choice sends.
document.addEventListener('consent:change', () => { window.changes = (window.changes || 0) + 1; });
})();
</script>
</head><body><h1>Vendors</h1><p>A page with four vendors.</p></body></html>`

const signalsPlainPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plain</title></head>
<body><h1>Plain</h1><p>A page without vendors.</p></body></html>`

// signalsAdvancedPage holds the Google tag and a Tag Manager container in
// its markup, and inserts both at run time with two beacons, the way the
// Google tag sends its pings.
const signalsAdvancedPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Advanced</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-MARKUP"></script>
<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-MARKUP"></script>
<script data-consent="necessary">
for (const u of ['https://www.googletagmanager.com/gtm.js?id=GTM-DYN', 'https://www.googletagmanager.com/gtag/js?id=G-DYN', 'https://www.googletagmanager.com/gtag/js?id=GTM-DYN2']) {
	const s = document.createElement('script');
	s.src = u;
	document.head.append(s);
}
navigator.sendBeacon('https://region1.google-analytics.com/g/collect?v=2&tid=G-DYN', '');
navigator.sendBeacon('https://www.google-analytics.com/collect?v=1&tid=UA-1', '');
</script>
</head><body><h1>Advanced</h1></body></html>`

// signalsSite serves the three pages behind a Manager configured by mode,
// counting the requests for the middleware's assets by path.
func signalsSite(t *testing.T, mode consent.ConsentMode) (url string, assets *hits) {
	t.Helper()
	m, err := consent.New(consent.Config{
		Keys: []consent.KeyPair{{HashKey: testKey}}, Store: &memStore{}, Cookie: consent.Cookie{Insecure: true},
		ConsentMode: mode,
	})
	require.NoError(t, err)
	pages := map[string]string{"/vendors": signalsVendorPage, "/plain": signalsPlainPage, "/advanced": signalsAdvancedPage}
	inner := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, p)
	}))
	assets = &hits{}
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/consent/assets/") {
			assets.add(strings.TrimPrefix(r.URL.Path, "/consent/assets/"))
		}
		inner.ServeHTTP(w, r)
	}))
	return srv.URL, assets
}

// signalsModuleLoads counts the requests for the signals module.
func signalsModuleLoads(a *hits) int {
	n := 0
	for k, c := range a.snapshot() {
		if strings.HasSuffix(k, ".s.js") {
			n += c
		}
	}
	return n
}

// signalCalls is what the page's recorders heard, as JSON.
func signalCalls(tb *tab) string {
	tb.t.Helper()
	return eval[string](tb, `sessionStorage.getItem('calls') || '[]'`)
}

// The four calls of one state: Meta, UET, Clarity, Tag Manager.
func signalsState(uet, dl string, ad, an bool, cats string) string {
	g := func(b bool) string {
		if b {
			return "granted"
		}
		return "denied"
	}
	meta := "revoke"
	if ad {
		meta = "grant"
	}
	return `["fbq","consent","` + meta + `"],["uetq","consent","` + uet + `",{"ad_storage":"` + g(ad) + `"}],` +
		`["clarity","consentv2",{"ad_Storage":"` + g(ad) + `","analytics_Storage":"` + g(an) + `"}],` +
		`["dataLayer",{"event":"` + dl + `","consent_categories":"` + cats + `"}]`
}

func TestVendorSignalsAcceptThenWithdraw(t *testing.T) {
	t.Parallel()
	url, assets := signalsSite(t, consent.ConsentMode{})
	tb := newTab(t)
	tb.open(url + "/vendors")
	load := signalsState("default", "consent_default", false, false, "necessary")
	tb.waitFor(`JSON.parse(sessionStorage.getItem('calls') || '[]').length >= 4`)
	assert.Equal(t, "["+load+"]", signalCalls(tb), "before a decision: every vendor present hears the denied defaults")
	assert.Equal(t, 1, signalsModuleLoads(assets))

	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.changes === 1`)
	accept := signalsState("update", "consent_update", true, true, "necessary preferences analytics marketing")
	assert.Equal(t, "["+load+","+accept+"]", signalCalls(tb), "after accept: grants, each once")

	// A decided visitor's next page (deferred loader, no guard) sends the
	// granted state as its defaults.
	tb.reload()
	tb.waitFor(`JSON.parse(sessionStorage.getItem('calls') || '[]').length >= 12`)
	granted := signalsState("default", "consent_default", true, true, "necessary preferences analytics marketing")
	assert.Equal(t, "["+load+","+accept+","+granted+"]", signalCalls(tb), "a granted visitor's page load")

	tb.click(".ck-settings")
	tb.waitFor(prefsOpen)
	tb.clickAndWaitLoad("#ck-prefs .ck-reject")
	tb.waitFor(`document.readyState === 'complete' && JSON.parse(sessionStorage.getItem('calls') || '[]').length >= 20`)
	withdraw := signalsState("update", "consent_update", false, false, "necessary")
	reloaded := signalsState("default", "consent_default", false, false, "necessary")
	assert.Equal(t, "["+load+","+accept+","+granted+","+withdraw+","+reloaded+"]", signalCalls(tb),
		"a withdrawal revokes before the reload; the reloaded page sends the denied state again")
	assert.Equal(t, 1, signalsModuleLoads(assets), "the module is fetched once, then cached: %v", assets.snapshot())
}

func TestVendorSignalsReject(t *testing.T) {
	t.Parallel()
	url, _ := signalsSite(t, consent.ConsentMode{})
	tb := newTab(t)
	tb.open(url + "/vendors")
	tb.waitFor(`JSON.parse(sessionStorage.getItem('calls') || '[]').length >= 4`)
	tb.click("#ck-banner .ck-reject")
	tb.waitFor(`window.changes === 1`)
	load := signalsState("default", "consent_default", false, false, "necessary")
	reject := signalsState("update", "consent_update", false, false, "necessary")
	assert.Equal(t, "["+load+","+reject+"]", signalCalls(tb), "a refusal is a decision too: each vendor hears it")
}

func TestVendorSignalsChooseAnalytics(t *testing.T) {
	t.Parallel()
	url, _ := signalsSite(t, consent.ConsentMode{})
	tb := newTab(t)
	tb.open(url + "/vendors")
	tb.waitFor(`JSON.parse(sessionStorage.getItem('calls') || '[]').length >= 4`)
	tb.click("#ck-banner .ck-choose")
	tb.waitFor(prefsOpen)
	tb.click(`#ck-prefs input[value=analytics]`)
	tb.click("#ck-prefs .ck-save")
	tb.waitFor(`window.changes === 1`)
	load := signalsState("default", "consent_default", false, false, "necessary")
	analytics := signalsState("update", "consent_update", false, true, "necessary analytics")
	assert.Equal(t, "["+load+","+analytics+"]", signalCalls(tb), "analytics alone: Clarity's analytics_Storage, no ad storage")
}

func TestVendorSignalsPlainPage(t *testing.T) {
	t.Parallel()
	url, assets := signalsSite(t, consent.ConsentMode{})
	tb := newTab(t)
	tb.open(url + "/plain")
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`document.querySelector('#ck-banner') === null`)
	tb.reload()
	assert.Zero(t, signalsModuleLoads(assets), "a page without vendors never loads the signals module: %v", assets.snapshot())
	assert.Equal(t, "[]", signalCalls(tb))
}

// requestLog records the URL of every request the tab makes, refused ones
// included (every host but the test's own resolves to nothing).
type requestLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *requestLog) option() tabOption {
	return func(t *testing.T, ctx context.Context) {
		_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
		require.NoError(t, err)
		require.NoError(t, chromedp.Listen(ctx, func(ev any) {
			if e, ok := ev.(*network.EventRequestWillBeSent); ok {
				l.mu.Lock()
				l.urls = append(l.urls, e.Request.URL)
				l.mu.Unlock()
			}
		}))
	}
}

func (l *requestLog) has(prefix string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, u := range l.urls {
		if strings.HasPrefix(u, prefix) {
			return true
		}
	}
	return false
}

func (l *requestLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.urls...)
}

func TestAdvancedConsentModeInBrowser(t *testing.T) {
	t.Parallel()
	const gtm = "https://www.googletagmanager.com/"
	for _, advanced := range []bool{true, false} {
		name := "basic"
		if advanced {
			name = "advanced"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url, _ := signalsSite(t, consent.ConsentMode{Advanced: advanced})
			reqs := &requestLog{}
			tb := newTab(t, reqs.option())
			tb.open(url + "/advanced")
			if advanced {
				assertEventually(t, func() bool {
					return reqs.has(gtm+"gtag/js?id=G-MARKUP") && reqs.has(gtm+"gtag/js?id=G-DYN") &&
						reqs.has("https://region1.google-analytics.com/g/collect")
				}, "the Google tag, in the markup and inserted, and its ping are requested before consent")
			}
			// Chromium reports a request before it starts it: by the time the
			// allowed ones above were reported, the page has made its calls.
			tb.waitFor(`document.readyState === 'complete'`)
			for _, u := range []string{gtm + "gtm.js", gtm + "gtag/js?id=GTM-DYN2", "https://www.google-analytics.com/collect"} {
				assert.False(t, reqs.has(u), "%s stays blocked: %v", u, reqs.all())
			}
			if !advanced {
				assert.False(t, reqs.has(gtm+"gtag/js"), "without Advanced the Google tag waits for consent: %v", reqs.all())
			}
		})
	}
}
