package e2e

import (
	"io"
	"net"
	"net/http"
	"sort"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/consentkit/consentkit/consent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parentHost is a site host with a parent domain below the public suffix:
// .test is not in the Public Suffix List, whose default rule makes shop.test
// the registrable domain, as example.com is for www.example.com. Chromium
// resolves it to loopback (see startBrowser).
const parentHost = "www.shop.test"

// newParentSite starts a site on parentHost whose analytics cookies are
// declared as a newcomer declares them, without a Domain, while the
// analytics script sets them on the parent domain, as Google Analytics does.
// "/" is a page; "/ga" is a page whose response sets _ga on the parent
// domain, for the visitor without JavaScript.
func newParentSite(t *testing.T) string {
	t.Helper()
	m, err := consent.New(consent.Config{
		Keys:   []consent.KeyPair{{HashKey: testKey}},
		Store:  &memStore{},
		Cookie: consent.Cookie{Insecure: true}, // plain HTTP on loopback
		Cookies: []consent.CookieSpec{
			{Name: "_ga", Category: "analytics", Provider: "Tracker"},
			{Name: "_ga_*", Category: "analytics", Provider: "Tracker"},
			{Name: "_gid", Category: "analytics", Provider: "Tracker"},
		},
	})
	require.NoError(t, err)
	srv := newLoopbackServer(t, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
		case "/ga":
			http.SetCookie(w, &http.Cookie{Name: "_ga", Value: "GA1.2.page", Domain: "shop.test", Path: "/", MaxAge: 3600})
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>`+
			`<body><main><h1>Shop</h1><p>Prices.</p></main></body></html>`)
	})))
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	return "http://" + parentHost + ":" + port
}

// jarCookies returns the cookies of the tab's browser context that the
// site's pages and its parent domain receive, whatever domain they were set
// on, as "name domain path", sorted.
func jarCookies(tb *tab, origin string) []string {
	tb.t.Helper()
	res, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{origin + "/", "http://shop.test/"}})
	require.NoError(tb.t, err)
	var out []string
	for _, c := range res.Cookies {
		out = append(out, c.Name+" "+c.Domain+" "+c.Path)
	}
	sort.Strings(out)
	return out
}

// Issue 18 item 3: a withdrawal reaches the analytics cookies set on the
// parent domain, which a host-only expiry leaves in the browser.
func TestWithdrawalExpiresParentDomainCookies(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		opts []tabOption
		// set leaves analytics cookies in the browser after the visitor
		// accepted, as the analytics script or page would.
		set      func(tb *tab, origin string)
		withdraw func(tb *tab)
	}{
		"script sets them, withdrawal from the settings dialog": {
			set: func(tb *tab, origin string) {
				require.True(tb.t, eval[bool](tb, `document.cookie = '_ga=GA1.2.js; domain=shop.test; path=/; max-age=3600';
					document.cookie = '_ga_XYZ=GS1; domain=www.shop.test; path=/; max-age=3600';
					document.cookie = '_gid=G1; path=/; max-age=3600'; true`))
			},
			withdraw: func(tb *tab) {
				tb.click(".ck-settings")
				tb.waitFor(prefsOpen)
				tb.clickAndWaitLoad(`#ck-prefs .ck-reject`)
				tb.waitFor(`document.readyState === 'complete'`)
			},
		},
		"page sets it, withdrawal without JavaScript": {
			opts: []tabOption{withoutJavaScript()},
			set:  func(tb *tab, origin string) { tb.open(origin + "/ga") },
			withdraw: func(tb *tab) {
				tb.clickAndLoad(".ck-settings")
				tb.clickAndLoad("#ck-prefs .ck-reject")
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			origin := newParentSite(t)
			tb := newTab(t, tt.opts...)
			tb.open(origin + "/")
			require.True(t, tb.exists("#ck-banner"), "the site is served on %s", parentHost)
			tb.clickAndLoadOrClick("#ck-banner .ck-accept", len(tt.opts) > 0)
			tt.set(tb, origin)
			before := jarCookies(tb, origin)
			require.Contains(t, before, "_ga .shop.test /", "the analytics cookie lives on the parent domain")

			tt.withdraw(tb)
			after := jarCookies(tb, origin)
			for _, c := range after {
				assert.NotRegexp(t, `^_g`, c, "every analytics cookie is gone, on every domain")
			}
			assert.Contains(t, after, "consent "+parentHost+" /", "the new decision is kept")
			assert.NotContains(t, tb.location(), "/consent/", "back on the page")
		})
	}
}

// clickAndLoadOrClick clicks sel and, when the click navigates (no
// JavaScript: the banner's form posts), waits for the page it leads to;
// with JavaScript it waits for the decision to be stored.
func (tb *tab) clickAndLoadOrClick(sel string, navigates bool) {
	tb.t.Helper()
	if navigates {
		tb.clickAndLoad(sel)
		return
	}
	tb.click(sel)
	tb.waitFor(`window.consentkit && window.consentkit.granted().includes('analytics')`)
}
