package consent

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// revisionV1 is the revision as it was computed before providers counted,
// kept here to hold the new one to it for sites that declare none.
func revisionV1(policyVersion string, cats []Category) [8]byte {
	h := sha256.New()
	fmt.Fprintf(h, "consentkit/rev/1\x00%d:%s\x00", len(policyVersion), policyVersion)
	for _, c := range cats {
		fmt.Fprintf(h, "%d:%s:%t\x00", len(c.ID), c.ID, c.SaleOrSharing)
	}
	var out [8]byte
	copy(out[:], h.Sum(nil))
	return out
}

func TestRevisionCoversProviders(t *testing.T) {
	t.Parallel()
	newRev := func(cookies ...CookieSpec) string {
		m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog, Cookies: cookies})
		require.NoError(t, err)
		return m.Revision()
	}
	ga := CookieSpec{Name: "_ga", Category: "analytics", Provider: "Google Analytics", Purpose: map[string]string{"en": "Counts visits"}}
	own := CookieSpec{Name: "theme", Category: "preferences", Purpose: map[string]string{"en": "Remembers the theme"}}
	fbp := CookieSpec{Name: "_fbp", Category: "marketing", Provider: "Meta", Purpose: map[string]string{"en": "Ads"}}

	none := newRev()
	assert.Equal(t, revisionString(revisionV1(defaultPolicyVersion, DefaultCategories())), none,
		"a site without third parties keeps the revision it had: nobody is asked again for an upgrade")
	assert.Equal(t, none, newRev(own), "the site's own cookies name no third party")

	withGA := newRev(own, ga)
	assert.NotEqual(t, none, withGA, "a third party asks again")
	assert.NotEqual(t, withGA, newRev(own, ga, fbp), "a new third party asks again")
	assert.Equal(t, withGA, newRev(ga, own), "the order of declarations does not")
	ga2 := ga
	ga2.Name, ga2.Purpose = "_gid", map[string]string{"en": "Other words"}
	assert.Equal(t, withGA, newRev(own, ga, ga2), "nor another cookie of the same provider, nor wording")
	moved := ga
	moved.Category = "marketing"
	assert.NotEqual(t, withGA, newRev(own, moved), "a provider moving to another purpose asks again")
}

// The snapshot is rendered on the decision endpoint, sent with the first
// record under it, and only its hash once a Store accepted it; a Store that
// failed gets it again.
func TestShownTravelsOnceAccepted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.Cookies = []CookieSpec{{Name: "_ga", Category: "analytics", Provider: "Google Analytics", Purpose: map[string]string{"en": "Counts"}}}
	})
	decide := func(lang string) *http.Response {
		return f.post(t, f.client(t), url.Values{"action": {"accept_all"}, "return": {"/"}}, "Accept-Language", lang)
	}
	f.store.setFail(errors.New("down"))
	require.Equal(t, http.StatusServiceUnavailable, decide("en").StatusCode)
	f.store.setFail(nil)
	require.Equal(t, http.StatusSeeOther, decide("en").StatusCode)
	require.Equal(t, http.StatusSeeOther, decide("en").StatusCode)
	require.Equal(t, http.StatusSeeOther, decide("de").StatusCode)
	recs := f.store.all()
	require.Len(t, recs, 3)
	require.NotNil(t, recs[0].Shown, "the Store that failed never got it: the next record carries it")
	assert.Equal(t, recs[0].Shown.Hash(), recs[0].ShownHash)
	assert.Nil(t, recs[1].Shown, "accepted once: the hash is enough")
	assert.Equal(t, recs[0].ShownHash, recs[1].ShownHash)
	require.NotNil(t, recs[2].Shown, "another language is another snapshot")
	assert.NotEqual(t, recs[0].ShownHash, recs[2].ShownHash)

	s := recs[0].Shown
	assert.True(t, strings.HasPrefix(s.HTML, "<!DOCTYPE html>\n<html lang=\"en\""))
	assert.Contains(t, s.HTML, `<div id="ck-banner"`)
	assert.Contains(t, s.HTML, `<dialog id="ck-prefs"`)
	assert.NotContains(t, s.HTML, "<script")
	assert.NotContains(t, s.HTML, recs[0].ConsentID, "nothing of the visitor's in a shared snapshot")
	assert.Equal(t, []CategoryProviders{{Category: "necessary", Providers: []string{}}, {Category: "preferences", Providers: []string{}},
		{Category: "analytics", Providers: []string{"Google Analytics"}}, {Category: "marketing", Providers: []string{}}}, s.Providers)
}

// Hash tells apart values that a plain concatenation would not.
func TestShownHashIsUnambiguous(t *testing.T) {
	t.Parallel()
	a := Shown{HTML: "x", Providers: []CategoryProviders{{Category: "ab", Providers: []string{"c"}}}}
	b := Shown{HTML: "x", Providers: []CategoryProviders{{Category: "a", Providers: []string{"bc"}}}}
	c := Shown{HTML: "cx", Providers: []CategoryProviders{{Category: "ab", Providers: []string{}}}}
	assert.NotEqual(t, a.Hash(), b.Hash())
	assert.NotEqual(t, a.Hash(), c.Hash())
	assert.Equal(t, a.Hash(), (&Shown{HTML: "x", Providers: []CategoryProviders{{Category: "ab", Providers: []string{"c"}}}}).Hash())
}

// BenchmarkShown measures what the snapshot adds to a decision (never to a
// page view): the lookup every decision pays, and the rendering the first
// decision under a language and switcher pays once per process, against
// the whole record a decision builds, lookup included.
func BenchmarkShown(b *testing.B) {
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog,
		Languages: []string{"en", "es"}})
	require.NoError(b, err)
	r := httptest.NewRequest(http.MethodPost, "/consent/decision", nil)
	r.Header.Set("Accept-Language", "es-ES,es;q=0.9,en;q=0.8")
	next := m.decidedNow(false)
	next.granted = m.set.allMask
	b.Run("baseline/record", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_ = m.record(r, next, nil, "")
		}
	})
	b.Run("lookup", func(b *testing.B) {
		var rec Record
		loc := m.localeFor(r, "")
		m.describeShown(r, &rec, loc)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			m.describeShown(r, &rec, loc)
		}
	})
	b.Run("render", func(b *testing.B) {
		loc := m.localeFor(r, "")
		short := m.l10n.shortLanguages(nil, r, loc)
		b.ReportAllocs()
		for range b.N {
			_ = m.renderShown(r, loc, false, short)
		}
		b.ReportMetric(float64(len(m.renderShown(r, loc, false, short).shown.HTML)), "snapshot-bytes")
	})
}
