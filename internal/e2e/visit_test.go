package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/consentkit/consentkit/internal/locales"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

// necessaryCookies are the cookies a visitor may have before deciding.
var necessaryCookies = []string{"sid", "consent", "consent_lang"}

// assertNothingThirdParty checks that no third party was fetched or run.
func assertNothingThirdParty(t *testing.T, tb *tab, s *site) {
	t.Helper()
	assert.Empty(t, s.third.snapshot(), "no request reaches a third party")
	assert.Equal(t, []string{"necessary", "body-end"}, eval[[]string](tb, `window.order`), "only necessary scripts ran")
	assert.True(t, eval[bool](tb, `typeof window.trackerAnalytics === 'undefined' && typeof window.adsLoaded === 'undefined' && typeof window.inlineAnalytics === 'undefined'`),
		"no analytics or marketing global")
	assert.Equal(t, 3, eval[int](tb, `document.querySelectorAll('script[data-ck-blocked]').length`), "the three optional scripts stay neutralised")
	assert.True(t, eval[bool](tb, embedHeld), "the embed shows its placeholder")
	for name := range tb.cookies(s.URL) {
		assert.Contains(t, necessaryCookies, name, "only necessary cookies")
	}
}

// Scenario 1: a first visit shows the banner in the browser's language and
// nothing optional is fetched, run or stored.
func TestFirstVisit(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		acceptLanguage string
		lang, dir      string
	}{
		"english": {acceptLanguage: "en-GB,en", lang: "en", dir: "ltr"},
		"spanish": {acceptLanguage: "es-ES,es,en", lang: "es", dir: "ltr"},
		"german":  {acceptLanguage: "de-DE,de", lang: "de", dir: "ltr"},
		"arabic":  {acceptLanguage: "ar-EG,ar,en", lang: "ar", dir: "rtl"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			tb := newTab(t, withLanguage(tt.acceptLanguage))
			tb.open(s.URL + "/")

			// Chromium adds the q-values itself: es-ES,es;q=0.9,en;q=0.8.
			first, _, _ := strings.Cut(tt.acceptLanguage, ",")
			assert.True(t, strings.HasPrefix(s.lastPageHeader("Accept-Language"), first+","),
				"the server saw the browser's language first: %q", s.lastPageHeader("Accept-Language"))
			require.True(t, tb.visible("#ck-banner"), "banner visible")
			assert.Equal(t, tt.lang, eval[string](tb, `document.querySelector('#ck-banner').lang`))
			assert.Equal(t, tt.dir, eval[string](tb, `getComputedStyle(document.querySelector('#ck-banner')).direction`), "computed direction")
			tag := language.MustParse(tt.lang)
			assert.Equal(t, locales.Lookup(tag, "banner.title"), eval[string](tb, `document.querySelector('#ck-title').textContent.trim()`))
			assert.Equal(t, locales.Lookup(tag, "banner.accept_all"), eval[string](tb, `document.querySelector('#ck-banner .ck-accept').textContent.trim()`))

			// Accept and Reject are equal: same size and look.
			sizes := eval[[]float64](tb, `(() => { const a = document.querySelector('#ck-banner .ck-accept').getBoundingClientRect(),
				r = document.querySelector('#ck-banner .ck-reject').getBoundingClientRect(); return [a.width, a.height, r.width, r.height, a.left, r.left]; })()`)
			require.Len(t, sizes, 6)
			assert.InDelta(t, sizes[1], sizes[3], 0.5, "accept and reject have the same height")
			if tt.dir == "rtl" {
				assert.Greater(t, sizes[4], sizes[5], "in RTL, Accept (first in the source) sits right of Reject")
			} else {
				assert.Less(t, sizes[4], sizes[5], "in LTR, Accept sits left of Reject")
			}

			assertNothingThirdParty(t, tb, s)
			assert.Contains(t, tb.cookies(s.URL), "sid", "the necessary session cookie was kept")
			assert.NotContains(t, tb.cookies(s.URL), "_gid", "the page's premature analytics cookie was dropped")
			assert.Empty(t, s.store.all(), "a visit is no decision")
			assert.Equal(t, tt.lang, eval[string](tb, `document.querySelector('#ck-banner input[name=lang]').value`))
			assert.Equal(t, []string{"necessary"}, eval[[]string](tb, `window.consentkit.granted()`))
			assert.Equal(t, [][]string{{"necessary"}}, eval[[][]string](tb, `window.ready`), "ready ran once, at once")
		})
	}
}

// Scenario 2: Reject all removes the banner, fetches nothing, and the
// refusal holds on the next page load.
func TestRejectAll(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t)
	tb.open(s.URL + "/")
	tb.do() // tab ready
	eval[bool](tb, `window.stay = true`)
	tb.click("#ck-banner .ck-reject")
	tb.waitFor(`!document.querySelector('#ck-banner') && window.changes.length === 1`)

	assert.True(t, eval[bool](tb, `window.stay === true`), "decided without a reload")
	assert.Equal(t, [][]string{{"necessary"}}, eval[[][]string](tb, `window.changes`))
	assert.False(t, eval[bool](tb, `document.querySelector('.ck-settings').hidden`), "the settings link shows once the banner is gone")
	assertNothingThirdParty(t, tb, s)
	recs := s.store.all()
	require.Len(t, recs, 1)
	assert.Equal(t, "reject_all", string(recs[0].Outcome))
	assert.Equal(t, "banner", string(recs[0].Method), "posted by the loader")
	assert.Equal(t, "/", recs[0].PageURL[:1])
	require.Contains(t, tb.cookies(s.URL), "consent")

	tb.reload()
	assert.False(t, tb.exists("#ck-banner"), "no banner after a reload")
	assert.True(t, tb.visible(".ck-settings"), "the settings link stays")
	assertNothingThirdParty(t, tb, s)
	assert.Len(t, s.store.all(), 1, "a reload writes nothing")
}

// Scenario 3: Accept all runs every blocked script and loads the embed in
// place, in document order, without a reload; after a reload they run from
// the first byte.
func TestAcceptAll(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t)
	tb.open(s.URL + "/")
	eval[bool](tb, `window.stay = true`)
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.changes.length === 1 && window.order.length === 5`)

	assert.True(t, eval[bool](tb, `window.stay === true`), "no reload")
	assert.False(t, tb.exists("#ck-banner"))
	assert.Equal(t, []string{"necessary", "body-end", "analytics-ext", "inline-analytics", "marketing-ext"}, eval[[]string](tb, `window.order`),
		"re-activated scripts ran once each, in document order")
	granted := eval[[][]string](tb, `window.changes`)
	require.Len(t, granted, 1)
	assert.ElementsMatch(t, []string{"necessary", "preferences", "analytics", "marketing"}, granted[0], "consent:change carries the grant")
	assert.True(t, eval[bool](tb, `window.consentkit.allowed('marketing')`))
	tb.waitFor(`!document.querySelector('iframe').hasAttribute('data-ck-src')`)
	assert.Equal(t, s.ads+"/embed.html", eval[string](tb, `document.querySelector('iframe').src`), "the embed got its src back in place")
	tb.waitFor(`document.querySelector('img').complete && document.querySelector('img').naturalWidth === 1`)
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('[data-ck-blocked]').length`), "nothing left neutralised")
	assertEventually(t, func() bool { return s.third.get("ads.test/embed.html") == 1 }, "the embed was fetched")
	assertEventually(t, func() bool { return s.third.get("tracker.test/collect") == 1 && s.third.get("ads.test/collect") == 1 }, "both scripts ran and sent their beacon")
	assert.Equal(t, 1, s.third.get("tracker.test/analytics.js"))
	assert.Equal(t, 1, s.third.get("ads.test/pixel.gif"))
	updates := consentUpdates(tb)
	require.Len(t, updates, 1, "one Consent Mode update")
	assert.Equal(t, "granted", updates[0]["analytics_storage"])
	assert.Equal(t, "granted", updates[0]["ad_storage"])
	cookies := tb.cookies(s.URL)
	assert.Contains(t, cookies, "_ga", "the analytics script set its cookie")
	assert.True(t, cookies["consent"].HTTPOnly, "the consent cookie is HttpOnly")

	tb.reload()
	assert.False(t, tb.exists("#ck-banner"), "no banner")
	assert.Equal(t, []string{"necessary", "analytics-ext", "inline-analytics", "marketing-ext", "body-end"}, eval[[]string](tb, `window.order`),
		"after the reload every script runs where the page put it, from the first byte")
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('[data-ck-blocked]').length`), "the server left nothing neutralised")
	tb.waitFor(`window.ready !== undefined`)
	ready := eval[[][]string](tb, `window.ready`)
	require.Len(t, ready, 1, "the head's queue ran the page's ready callback once, when the deferred loader came")
	assert.ElementsMatch(t, []string{"necessary", "preferences", "analytics", "marketing"}, ready[0])
	assert.Equal(t, 2, s.third.get("tracker.test/analytics.js"))
	assert.Len(t, s.store.all(), 1)
	assert.Equal(t, "accept_all", string(s.store.all()[0].Outcome))
}

// Scenario 4: choosing analytics but not marketing runs only analytics.
func TestChooseAnalyticsOnly(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t)
	tb.open(s.URL + "/")
	tb.click("#ck-banner .ck-choose")
	tb.waitFor(prefsOpen)
	assert.Equal(t, 0, eval[int](tb, `document.querySelectorAll('#ck-prefs input[name=category]:checked:not([disabled])').length`), "no optional category is pre-ticked")
	tb.click(`#ck-prefs input[name=category][value=analytics]`)
	tb.click(`#ck-prefs .ck-save`)
	tb.waitFor(`window.changes.length === 1 && !document.querySelector('#ck-prefs')`)
	tb.waitFor(`window.order.includes('inline-analytics') && window.order.includes('analytics-ext')`)

	assert.Equal(t, []string{"necessary", "body-end", "analytics-ext", "inline-analytics"}, eval[[]string](tb, `window.order`))
	assert.False(t, tb.exists("#ck-banner"))
	assert.True(t, eval[bool](tb, `window.consentkit.allowed('analytics') && !window.consentkit.allowed('marketing')`))
	assert.True(t, eval[bool](tb, `typeof window.adsLoaded === 'undefined'`), "marketing did not run")
	assert.True(t, eval[bool](tb, embedHeld), "the marketing embed stays blocked, its placeholder shown")
	assertEventually(t, func() bool { return s.third.get("tracker.test/collect") == 1 }, "analytics ran")
	s.assertNoAds(t, "nothing fetched from the ad network")
	recs := s.store.all()
	require.Len(t, recs, 1)
	assert.Equal(t, "custom", string(recs[0].Outcome))
	assert.Equal(t, []string{"necessary", "analytics"}, recs[0].Granted())

	tb.reload()
	assert.Equal(t, []string{"necessary", "analytics-ext", "inline-analytics", "body-end"}, eval[[]string](tb, `window.order`))
	s.assertNoAds(t, "nothing fetched from the ad network after a reload")
}

// TestPreferencesModuleUnavailable: the dialog's code is a module the loader
// imports on the first open (ck.<hash>.p.js). When it cannot be had (the
// tab refuses it here, as a content blocker or a deployment that dropped an
// old hash would), Choose leads to the preferences page, where the visitor
// can still choose, and comes back to the page after saving.
func TestPreferencesModuleUnavailable(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t)
	_, err := chromedp.Call(tb.ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{
		URLPatterns: []*network.BlockPattern{{URLPattern: "*://*:*/consent/assets/*.p.js", Block: true}}})
	require.NoError(t, err)
	tb.open(s.URL + "/article?x=1")
	require.True(t, tb.exists("#ck-banner"))
	tb.clickAndWaitLoad("#ck-banner .ck-choose")
	assert.Equal(t, "/consent/preferences", eval[string](tb, `location.pathname`), "the preferences page instead of the dialog")
	assert.Equal(t, "/article?x=1", eval[string](tb, `new URLSearchParams(location.search).get('return')`))
	tb.click(`input[name=category][value=analytics]`)
	tb.clickAndWaitLoad(`.ck-save`)
	assert.Equal(t, "/article", eval[string](tb, `location.pathname`), "back on the page after saving")
	recs := s.store.all()
	require.Len(t, recs, 1)
	assert.Equal(t, []string{"necessary", "analytics"}, recs[0].Granted())
}

// Scenario 5: withdrawing consent from the settings link denies the
// categories, removes their cookies and tells Consent Mode.
func TestWithdraw(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t)
	tb.open(s.URL + "/")
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.changes.length === 1 && window.order.length === 5`)
	tb.waitFor(`document.cookie.includes('_ga=') && document.cookie.includes('_ads=')`)
	require.Contains(t, tb.cookies(s.URL), "_ga")
	// What the analytics script would keep in browser storage, and a key of the page's own.
	require.True(t, eval[bool](tb, `localStorage.setItem('ga:clientId', '1'); localStorage.setItem('reader-font', 'large'); true`))

	tb.click(".ck-settings")
	tb.waitFor(prefsOpen)
	checked := eval[[]string](tb, `[...document.querySelectorAll('#ck-prefs input[name=category]:checked')].map(i => i.value)`)
	assert.ElementsMatch(t, []string{"necessary", "preferences", "analytics", "marketing"}, checked, "the dialog shows the saved grant")
	assert.True(t, tb.exists("#ck-prefs .ck-receipt"), "the dialog shows the consent ID receipt")
	loads := s.third.get("tracker.test/analytics.js")

	// Withdrawing reloads the page: wait for the new document.
	tb.clickAndWaitLoad(`#ck-prefs .ck-reject`)
	tb.waitFor(`document.readyState === 'complete'`)
	assert.False(t, eval[bool](tb, `window.stay === true`))
	assert.Equal(t, []string{"necessary"}, eval[[]string](tb, `window.consentkit.granted()`), "the state is denied")
	assert.Equal(t, []string{"necessary", "body-end"}, eval[[]string](tb, `window.order`), "nothing optional runs after the withdrawal")
	assert.Equal(t, loads, s.third.get("tracker.test/analytics.js"), "analytics.js not fetched again")
	cookies := tb.cookies(s.URL)
	assert.NotContains(t, cookies, "_ga", "the analytics cookie is gone")
	assert.NotContains(t, cookies, "_ads", "the marketing cookie is gone")
	assert.Contains(t, cookies, "sid")
	assert.Contains(t, cookies, "consent")
	assert.Equal(t, []string{"reader-font"}, eval[[]string](tb, `Object.keys(localStorage)`),
		"the declared localStorage keys of the withdrawn category are removed, the page's own kept")

	updates := consentUpdates(tb)
	require.Len(t, updates, 2, "one Consent Mode update for the grant, one for the withdrawal")
	assert.Equal(t, "denied", updates[1]["analytics_storage"])
	assert.Equal(t, "denied", updates[1]["ad_storage"])

	recs := s.store.all()
	require.Len(t, recs, 2)
	assert.Equal(t, recs[0].ConsentID, recs[1].ConsentID, "one browser, one consent ID")
	assert.ElementsMatch(t, []string{"preferences", "analytics", "marketing"}, recs[1].Withdrawn)
	assert.True(t, slices.Equal([]string{"necessary"}, recs[1].Granted()))
}

// embedHeld tells whether the page's iframe shows the click-to-load
// placeholder in place of the ad network's embed.
const embedHeld = `document.querySelector('iframe').getAttribute('src').startsWith('/consent/embed?') && document.querySelector('iframe').hasAttribute('data-ck-src')`
