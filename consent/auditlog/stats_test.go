package auditlog

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recount counts es the slow way, record by record, for f's day range.
func recount(es []Entry, from, to time.Time) DecisionStats {
	var s DecisionStats
	groups := map[string]map[string]*StatGroup{}
	add := func(dim, key string, e *Entry) {
		if groups[dim] == nil {
			groups[dim] = map[string]*StatGroup{}
		}
		g := groups[dim][key]
		if g == nil {
			g = &StatGroup{Key: key}
			groups[dim][key] = g
		}
		g.add(string(e.Outcome), len(e.Withdrawn) > 0, 1)
	}
	for i := range es {
		e := &es[i]
		if (!from.IsZero() && e.Time.Before(from)) || (!to.IsZero() && !e.Time.Before(to)) {
			continue
		}
		s.Total.add(string(e.Outcome), len(e.Withdrawn) > 0, 1)
		add("day", e.Time.UTC().Format(dateLayout), e)
		add("version", e.BannerVersion, e)
		add("language", e.Language, e)
		add("region", e.Region, e)
	}
	s.Total.rate()
	for dim, dst := range map[string]*[]StatGroup{"day": &s.Days, "version": &s.BannerVersions, "language": &s.Languages, "region": &s.Regions} {
		for _, g := range groups[dim] {
			g.rate()
			*dst = append(*dst, *g)
		}
	}
	return s
}

func sortedGroups(gs []StatGroup) map[string]StatCounts {
	out := make(map[string]StatCounts, len(gs))
	for _, g := range gs {
		out[g.Key] = g.StatCounts
	}
	return out
}

// TestDecisionStatsRecount holds the rollup to a brute-force recount of
// the records: after appends, after a purge (which the delete trigger
// counts out), and after a record is changed behind the log's back (the
// update trigger), over the whole log and over a day range.
func TestDecisionStatsRecount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		ctx := context.Background()
		loc := be.fresh(t)
		l := openLog(t, be, loc, Options{})
		for i := range 300 {
			rec := testRecord(i)
			rec.BannerVersion = []string{"b1", "b2"}[i%2]
			rec.Region = []string{"", "DE", "US-CA"}[i%3]
			if rec.Region != "" {
				rec.Model = []consent.Model{consent.ModelOptIn, consent.ModelOptOut}[i%3-1]
			}
			if i%5 == 0 {
				rec.Withdrawn = []string{"marketing"}
			}
			require.NoError(t, l.Record(ctx, rec))
		}
		check := func(t *testing.T, from, to time.Time) {
			t.Helper()
			es, err := l.collect(ctx, Filter{})
			require.NoError(t, err)
			got, err := l.DecisionStats(ctx, Filter{From: from, To: to})
			require.NoError(t, err)
			want := recount(es, from, to)
			require.NotZero(t, want.Total.Decisions)
			assert.Equal(t, want.Total, got.Total)
			assert.Equal(t, sortedGroups(want.Days), sortedGroups(got.Days))
			assert.Equal(t, sortedGroups(want.BannerVersions), sortedGroups(got.BannerVersions))
			assert.Equal(t, sortedGroups(want.Languages), sortedGroups(got.Languages))
			assert.Equal(t, sortedGroups(want.Regions), sortedGroups(got.Regions))
			assert.Len(t, got.Regions, 3, "records with and without a region are grouped")
			for i := 1; i < len(got.Days); i++ {
				assert.Less(t, got.Days[i-1].Key, got.Days[i].Key, "days oldest first")
			}
		}
		from := testStart.Add(10 * 24 * time.Hour).Truncate(24 * time.Hour)
		to := from.Add(20 * 24 * time.Hour)
		t.Run("appended", func(t *testing.T) {
			check(t, time.Time{}, time.Time{})
			check(t, from, to)
		})
		t.Run("purged", func(t *testing.T) {
			n, err := l.Purge(ctx, testStart.Add(30*24*time.Hour))
			require.NoError(t, err)
			require.NotZero(t, n)
			check(t, time.Time{}, time.Time{})
		})
		t.Run("altered", func(t *testing.T) {
			be.raw(t, loc, `UPDATE consent_records SET outcome = 'accept_all', language = 'fr' WHERE seq = (SELECT MAX(seq) FROM consent_records)`)
			check(t, time.Time{}, time.Time{})
		})
	})
}

// TestDecisionStatsRanges rounds a range to whole UTC days, and counts the
// withdrawal of a record whatever its outcome.
func TestDecisionStatsRanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := openLog(t, sqliteBackend, sqliteBackend.fresh(t), Options{})
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	for i, o := range []consent.Outcome{consent.OutcomeAcceptAll, consent.OutcomeCustom, consent.OutcomeRejectAll} {
		rec := testRecord(i)
		rec.Time, rec.Outcome, rec.Withdrawn = day.Add(time.Duration(i)*13*time.Hour), o, nil
		if o == consent.OutcomeCustom {
			rec.Withdrawn = []string{"marketing"}
		}
		require.NoError(t, l.Record(ctx, rec))
	}
	s, err := l.DecisionStats(ctx, Filter{From: day.Add(3 * time.Hour), To: day.Add(5 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, day, s.From)
	assert.Equal(t, day.Add(24*time.Hour), s.To)
	assert.Equal(t, int64(2), s.Total.Decisions, "the two records of the day")
	assert.Equal(t, int64(1), s.Total.Withdrawals)
	assert.InDelta(t, 0.5, s.Total.Rates.Custom, 1e-9)
	require.Len(t, s.Days, 1)
	assert.Equal(t, "2026-05-04", s.Days[0].Key)
}

// TestStatsPage serves the statistics as HTML with SVG charts that carry
// a title, a description and a data table, and as JSON.
func TestStatsPage(t *testing.T) {
	t.Parallel()
	l := openLog(t, sqliteBackend, sqliteBackend.fresh(t), Options{})
	fill(t, l, 0, 30)
	h, err := NewReviewHandler(l, ReviewOptions{Authorize: func(*http.Request) bool { return true }})
	require.NoError(t, err)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/stats", nil))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	body := w.Body.String()
	assert.Contains(t, body, `<svg`)
	assert.Contains(t, body, `role="img"`)
	assert.Contains(t, body, `<title id="`)
	assert.Contains(t, body, `<desc id="`)
	assert.Contains(t, body, `<caption>`)
	assert.NotContains(t, body, "<script")

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/stats?format=json&from=2026-03-01&to=2026-03-04", nil))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.True(t, strings.HasPrefix(w.Header().Get("Content-Type"), "application/json"))
	var s DecisionStats
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &s))
	assert.NotZero(t, s.Total.Decisions)
	assert.NotEmpty(t, s.Days)
}

// TestStatsAfterMigration opens a version 1 log: the rollup is filled from
// the records it already holds, and agrees with a recount.
func TestStatsAfterMigration(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		writeV1Log(t, be, loc, 250)
		l := openLog(t, be, loc, Options{})
		fill(t, l, 250, 10)
		es, err := l.collect(context.Background(), Filter{})
		require.NoError(t, err)
		got, err := l.DecisionStats(context.Background(), Filter{})
		require.NoError(t, err)
		want := recount(es, time.Time{}, time.Time{})
		assert.Equal(t, int64(260), got.Total.Decisions)
		assert.Equal(t, want.Total, got.Total)
		assert.Equal(t, sortedGroups(want.Days), sortedGroups(got.Days))
	})
}
