package auditlog

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDiscoveries adds counts up across flushes, keeps the earliest first
// and latest last sighting, survives a reopen, and keeps only the
// MaxDiscoveries seen most often.
func TestDiscoveries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		ctx := context.Background()
		loc := be.fresh(t)
		l := openLog(t, be, loc, Options{})
		t0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		require.NoError(t, l.AddDiscoveries(ctx, []consent.Discovered{
			{Kind: consent.DiscoveredSetCookie, Name: "_ga", Count: 5, FirstSeen: t0, LastSeen: t0.Add(time.Hour)},
			{Kind: consent.DiscoveredHost, Name: "tracker.example", Category: "marketing", Count: 2, FirstSeen: t0, LastSeen: t0},
		}))
		require.NoError(t, l.AddDiscoveries(ctx, []consent.Discovered{
			{Kind: consent.DiscoveredSetCookie, Name: "_ga", Count: 3, FirstSeen: t0.Add(-time.Hour), LastSeen: t0.Add(time.Minute)},
			{Kind: consent.DiscoveredCookie, Name: "_ga", Count: 1, FirstSeen: t0, LastSeen: t0},
		}))
		require.NoError(t, l.Close())
		l = openLog(t, be, loc, Options{})
		ds, err := l.Discoveries(ctx)
		require.NoError(t, err)
		require.Len(t, ds, 3)
		assert.Equal(t, consent.Discovered{Kind: consent.DiscoveredSetCookie, Name: "_ga", Count: 8,
			FirstSeen: t0.Add(-time.Hour), LastSeen: t0.Add(time.Hour)}, ds[0], "most often seen first, counts added")
		assert.Equal(t, "marketing", ds[1].Category)

		// A flood of distinct names: the table keeps the most frequent.
		var flood []consent.Discovered
		for i := range MaxDiscoveries + 500 {
			flood = append(flood, consent.Discovered{Kind: consent.DiscoveredCookie, Name: fmt.Sprintf("c%05d", i),
				Count: 1, FirstSeen: t0, LastSeen: t0})
		}
		require.NoError(t, l.AddDiscoveries(ctx, flood))
		ds, err = l.Discoveries(ctx)
		require.NoError(t, err)
		assert.Len(t, ds, MaxDiscoveries)
		assert.Equal(t, "_ga", ds[0].Name, "the frequent ones stay")
		assert.Equal(t, "tracker.example", ds[1].Name)
	})
}

// TestDiscoveredPage lists each discovery with the Open Cookie Database's
// suggestion and the declaration to paste, escaped.
func TestDiscoveredPage(t *testing.T) {
	t.Parallel()
	l := openLog(t, sqliteBackend, sqliteBackend.fresh(t), Options{})
	now := time.Now()
	require.NoError(t, l.AddDiscoveries(context.Background(), []consent.Discovered{
		{Kind: consent.DiscoveredSetCookie, Name: "_ga", Count: 9, FirstSeen: now, LastSeen: now},
		{Kind: consent.DiscoveredCookie, Name: "<b>x", Count: 3, FirstSeen: now, LastSeen: now},
		{Kind: consent.DiscoveredCookie, Name: "PHPSESSID", Count: 2, FirstSeen: now, LastSeen: now},
		{Kind: consent.DiscoveredHost, Name: "connect.facebook.net", Category: "marketing", Count: 1, FirstSeen: now, LastSeen: now},
	}))
	h, err := NewReviewHandler(l, ReviewOptions{Authorize: func(*http.Request) bool { return true }})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/discovered", nil))
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	for _, want := range []string{
		"analytics · Google Analytics", "consent.KnownCookie(&#34;_ga&#34;),",
		"&lt;b&gt;x", "unknown", `consent.CookieSpec{Name: &#34;&lt;b&gt;x&#34;`,
		"s.Justification", // PHPSESSID is necessary: the site must say why
		"connect.facebook.net", "data-consent=&#34;marketing&#34;",
	} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, "<b>x")
}
