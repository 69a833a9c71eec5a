package e2e

import (
	"testing"

	"github.com/consentkit/consentkit/internal/locales"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

// Scenario 6: with JavaScript off, the banner's plain forms decide and land
// back on the page the visitor was reading.
func TestWithoutJavaScript(t *testing.T) {
	t.Parallel()
	const page = "/article?id=7&ref=home"
	tests := map[string]struct {
		steps    func(tb *tab)
		outcome  string
		granted  []string
		blocked  int // neutralised scripts on the page after the decision
		withdraw bool
	}{
		"accept all": {
			steps:   func(tb *tab) { tb.clickAndLoad("#ck-banner .ck-accept") },
			outcome: "accept_all", granted: []string{"necessary", "preferences", "analytics", "marketing"}, blocked: 0,
		},
		"reject all": {
			steps:   func(tb *tab) { tb.clickAndLoad("#ck-banner .ck-reject") },
			outcome: "reject_all", granted: []string{"necessary"}, blocked: 3,
		},
		"choose on the preferences page": {
			steps: func(tb *tab) {
				tb.clickAndLoad("#ck-banner .ck-choose")
				require.Contains(tb.t, tb.location(), "/consent/preferences?return=")
				tb.click(`#ck-prefs input[name=category][value=analytics]`)
				tb.clickAndLoad("#ck-prefs .ck-save")
			},
			outcome: "custom", granted: []string{"necessary", "analytics"}, blocked: 1,
		},
		"withdraw on the preferences page": {
			steps: func(tb *tab) {
				tb.clickAndLoad("#ck-banner .ck-accept")
				tb.clickAndLoad(".ck-settings")
				tb.clickAndLoad("#ck-prefs .ck-reject")
			},
			outcome: "reject_all", granted: []string{"necessary"}, blocked: 3, withdraw: true,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			tb := newTab(t, withoutJavaScript())
			tb.open(s.URL + page)
			require.True(t, tb.visible("#ck-banner"), "the banner shows without JavaScript")
			require.True(t, eval[bool](tb, `getComputedStyle(document.querySelector('#ck-banner')).position === 'fixed'`), "and is styled")
			require.False(t, eval[bool](tb, `typeof window.consentkit !== 'undefined'`), "no script ran")

			tt.steps(tb)

			require.Equal(t, s.URL+page, tb.location(), "back on the same page, query included; the page says: %s",
				eval[string](tb, `document.body.innerText.slice(0, 300)`))
			assert.False(t, tb.exists("#ck-banner"), "no banner once decided")
			assert.True(t, tb.visible(".ck-settings"), "the settings link shows")
			assert.Equal(t, tt.blocked, eval[int](tb, `document.querySelectorAll('script[data-ck-blocked]').length`))
			recs := s.store.all()
			require.NotEmpty(t, recs)
			last := recs[len(recs)-1]
			assert.Equal(t, tt.outcome, string(last.Outcome))
			assert.Equal(t, "form", string(last.Method), "recorded as a no-script decision")
			assert.Equal(t, tt.granted, last.Granted())
			if tt.withdraw {
				assert.ElementsMatch(t, []string{"preferences", "analytics", "marketing"}, last.Withdrawn)
			}
			assert.Contains(t, tb.cookies(s.URL), "consent")
			marketing := tt.outcome == "accept_all" || tt.withdraw // a withdrawal follows an accept
			if marketing {
				assertEventually(t, func() bool { return s.third.get("ads.test/embed.html") == 1 }, "the granted embed loads")
			}
			for k := range s.third.snapshot() {
				assert.NotRegexp(t, `\.js$|/collect$`, k, "scripts are off: no third-party script ran or was even fetched")
				if !marketing {
					assert.NotContains(t, k, "ads.test", "nothing from the ad network unless granted")
				}
			}
		})
	}
}

// Scenario 7: a browser sending Sec-GPC: 1 keeps the sale-or-sharing
// category off even when the visitor accepts all, and the banner says so.
func TestGlobalPrivacyControl(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t, withHeaders(map[string]string{"Sec-GPC": "1"}))
	tb.open(s.URL + "/")
	require.Equal(t, "1", s.lastPageHeader("Sec-GPC"), "the server saw the signal")
	require.True(t, tb.visible("#ck-banner .ck-gpc"), "the banner says the signal is honoured")
	assert.Equal(t, locales.Lookup(language.English, "banner.gpc"), eval[string](tb, `document.querySelector('#ck-banner .ck-gpc').textContent.trim()`))
	wk := eval[map[string]any](tb, `fetch('/.well-known/gpc.json').then(r => r.json())`)
	assert.Equal(t, true, wk["gpc"], "gpc.json tells user agents the site honours GPC")

	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.changes.length === 1 && window.order.includes('inline-analytics') && window.order.includes('analytics-ext')`)
	assert.True(t, eval[bool](tb, `window.consentkit.allowed('analytics') && !window.consentkit.allowed('marketing')`))
	assert.NotContains(t, eval[[]string](tb, `window.order`), "marketing-ext")
	assert.True(t, eval[bool](tb, embedHeld), "the ad embed stays blocked, its placeholder shown")
	updates := consentUpdates(tb)
	require.Len(t, updates, 1)
	assert.Equal(t, "granted", updates[0]["analytics_storage"])
	assert.Equal(t, "denied", updates[0]["ad_storage"], "Consent Mode keeps ads denied under GPC")
	recs := s.store.all()
	require.Len(t, recs, 1)
	assert.True(t, recs[0].GPC)
	assert.NotContains(t, recs[0].Granted(), "marketing")
	assert.Contains(t, recs[0].Granted(), "analytics")

	tb.reload()
	assert.Equal(t, []string{"necessary", "analytics-ext", "inline-analytics", "body-end"}, eval[[]string](tb, `window.order`))
	assertEventually(t, func() bool { return s.third.get("tracker.test/collect") == 2 }, "analytics ran on both loads")
	s.assertNoAds(t, "nothing fetched from the ad network")
	assert.NotContains(t, tb.cookies(s.URL), "_ads")
}
