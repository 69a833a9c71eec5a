package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// regionSite is the test site with the region presets, the visitor placed
// by X-Test-Country and X-Test-Region (a proxy's own headers).
func regionSite(t *testing.T) *site {
	return newSite(t, func(c *consent.Config) {
		c.Regions = consent.Regions{
			Rules:  append([]consent.RegionRule{consent.RegionsEEA()}, consent.RegionsUSOptOut()...),
			Locate: consent.LocateHeaders(consent.GeoHeaders{Country: "X-Test-Country", Subdivision: "X-Test-Region"}),
		}
	})
}

// The opt-out model's control and the "Opt-out request honored" status
// render, left to right and right to left, and pass axe-core, on the page
// and on the opt-out page behind the link.
func TestRegionOptOutAccessibility(t *testing.T) {
	t.Parallel()
	if enabled() {
		_, err := axeSource()
		require.NoError(t, err, "CONSENT_BROWSER=1 needs axe-core")
	}
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			s := regionSite(t)
			tb := newTab(t, withLanguage(lang), withScheme("light"),
				withHeaders(map[string]string{"X-Test-Country": "US", "X-Test-Region": "CA", "Sec-GPC": "1"}))
			tb.open(s.URL + "/")
			require.False(t, tb.exists("#ck-banner"), "no blocking banner in the opt-out model")
			require.True(t, tb.visible(".ck-optout .ck-dns"), "the Do-Not-Sell link shows")
			require.True(t, tb.visible(".ck-optout .ck-honored"), "the honored status shows")
			assert.Equal(t, lang, eval[string](tb, `document.querySelector('.ck-optout').lang`))
			if lang == "ar" {
				assert.Equal(t, "rtl", eval[string](tb, `getComputedStyle(document.querySelector('.ck-optout')).direction`))
			}
			tb.injectAxe()
			for _, v := range tb.axeSerious(".ck-optout") {
				t.Errorf("opt-out control: %s", v)
			}
			tb.clickAndLoad(".ck-optout .ck-dns")
			require.True(t, tb.visible("#ck-optout .ck-honored"), "the opt-out page shows the status")
			tb.injectAxe()
			for _, v := range tb.axeSerious("body") {
				t.Errorf("opt-out page: %s", v)
			}
			recs := s.store.all()
			require.Len(t, recs, 1, "the GPC signal recorded once as an opt-out")
			assert.Equal(t, consent.OutcomeOptOut, recs[0].Outcome)
		})
	}
}

// A Texas visitor without JavaScript opts out through the link's form and
// lands back on the page, which then shows the status.
func TestRegionOptOutWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s := regionSite(t)
	tb := newTab(t, withoutJavaScript(), withHeaders(map[string]string{"X-Test-Country": "US", "X-Test-Region": "TX"}))
	const page = "/article?id=7"
	tb.open(s.URL + page)
	require.False(t, tb.exists(".ck-honored"))
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('script[data-ck-blocked]').length`), "nothing blocked by default")
	tb.clickAndLoad(".ck-optout .ck-dns")
	tb.clickAndLoad(`#ck-optout button[value=opt_out]`)
	require.Equal(t, s.URL+page, tb.location())
	assert.True(t, tb.visible(".ck-optout .ck-honored"))
	recs := s.store.all()
	require.Len(t, recs, 1)
	assert.Equal(t, consent.OutcomeOptOut, recs[0].Outcome)
	assert.Equal(t, consent.MethodForm, recs[0].Method)
	assert.Equal(t, "US-TX", recs[0].Region)
	assert.Positive(t, eval[int](tb, `document.querySelectorAll('script[data-ck-blocked=marketing]').length`), "marketing blocked after the opt-out")
}
