package auditlog

import (
	"context"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seqs(es []Entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

func TestQueryFilters(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{})
		fill(t, l, 0, 24)
		ctx := context.Background()
		// Record i (seq i+1): outcome by i%3 (accept, reject, custom),
		// method by i%4, language by i%3 (en, es, de), consent ID i%7+1,
		// time testStart + 7h*i.
		cases := []struct {
			name string
			f    Filter
			want []int64
		}{
			{"all", Filter{}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}},
			{"consent id", Filter{ConsentID: testRecord(2).ConsentID}, []int64{3, 10, 17, 24}},
			{"outcome", Filter{Outcome: consent.OutcomeRejectAll}, []int64{2, 5, 8, 11, 14, 17, 20, 23}},
			{"language", Filter{Language: "de"}, []int64{3, 6, 9, 12, 15, 18, 21, 24}},
			{"method", Filter{Method: consent.MethodGPC}, []int64{4, 8, 12, 16, 20, 24}},
			{"granted", Filter{Granted: "marketing"}, []int64{1, 4, 7, 10, 13, 16, 19, 22}},
			{"denied", Filter{Denied: "analytics"}, []int64{2, 5, 8, 11, 14, 17, 20, 23}},
			{"granted prefix does not match", Filter{Granted: "market"}, nil},
			{"date range", Filter{From: testStart.Add(7 * time.Hour), To: testStart.Add(28 * time.Hour)}, []int64{2, 3, 4}},
			{"combined", Filter{Language: "en", Outcome: consent.OutcomeAcceptAll}, []int64{1, 4, 7, 10, 13, 16, 19, 22}},
			{"limit", Filter{Limit: 3}, []int64{1, 2, 3}},
			{"cursor after", Filter{After: 20}, []int64{21, 22, 23, 24}},
			{"newest first page", Filter{Desc: true, Limit: 2}, []int64{24, 23}},
			{"next page", Filter{Desc: true, Limit: 2, Before: 23}, []int64{22, 21}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := l.collect(ctx, tc.f)
				require.NoError(t, err)
				if tc.want == nil {
					assert.Empty(t, got)
					return
				}
				assert.Equal(t, tc.want, seqs(got))
			})
		}
		t.Run("history", func(t *testing.T) {
			h, err := l.History(ctx, testRecord(2).ConsentID, 0, 0)
			require.NoError(t, err)
			assert.Equal(t, HistoryPage{Entries: h.Entries}, h, "one page: no neighbours")
			assert.Equal(t, []int64{24, 17, 10, 3}, seqs(h.Entries), "newest first")
			h, err = l.History(ctx, testRecord(2).ConsentID, 17, 0)
			require.NoError(t, err)
			assert.Equal(t, []int64{10, 3}, seqs(h.Entries))
			assert.Equal(t, int64(10), h.Newer, "the page after 10 holds 17 and 24")
			assert.Zero(t, h.Older)
			h, err = l.History(ctx, testRecord(2).ConsentID, 0, 10)
			require.NoError(t, err)
			assert.Equal(t, []int64{24, 17}, seqs(h.Entries))
			assert.Equal(t, int64(17), h.Older)
			assert.Zero(t, h.Newer)
			h, err = l.History(ctx, "", 0, 0)
			require.NoError(t, err)
			assert.Empty(t, h.Entries)
		})
		t.Run("get", func(t *testing.T) {
			e, err := l.Get(ctx, 5)
			require.NoError(t, err)
			assert.Equal(t, int64(5), e.Seq)
			_, err = l.Get(ctx, 99)
			assert.ErrorIs(t, err, ErrNotFound)
			_, err = l.Get(ctx, 0)
			assert.ErrorIs(t, err, ErrNotFound)
		})
		t.Run("stop early", func(t *testing.T) {
			n := 0
			for _, err := range l.Query(ctx, Filter{}) {
				require.NoError(t, err)
				n++
				if n == 2 {
					break
				}
			}
			assert.Equal(t, 2, n)
		})
	})
}

func TestDailyCounts(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{})
		// Records 0..6 fall 7 hours apart from 09:00 on March 1st: day 1
		// holds 0..2 (09:00, 16:00, 23:00), day 2 holds 3..5, day 3 holds 6.
		// Outcomes cycle accept, reject, custom.
		fill(t, l, 0, 7)
		days, err := l.DailyCounts(context.Background(), Filter{})
		require.NoError(t, err)
		day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
		cycle := []CategoryCount{{"analytics", 2, 1}, {"marketing", 1, 2}, {"necessary", 3, 0}}
		want := []DayCount{
			{Day: day(1), Total: 3, AcceptAll: 1, RejectAll: 1, Custom: 1, Categories: cycle},
			{Day: day(2), Total: 3, AcceptAll: 1, RejectAll: 1, Custom: 1, Categories: cycle},
			{Day: day(3), Total: 1, AcceptAll: 1, Categories: []CategoryCount{
				{"analytics", 1, 0}, {"marketing", 1, 0}, {"necessary", 1, 0}}},
		}
		assert.Equal(t, want, days)

		days, err = l.DailyCounts(context.Background(), Filter{Outcome: consent.OutcomeRejectAll, From: day(2)})
		require.NoError(t, err)
		require.Len(t, days, 1)
		assert.Equal(t, DayCount{Day: day(2), Total: 1, RejectAll: 1, Categories: []CategoryCount{
			{"analytics", 0, 1}, {"marketing", 0, 1}, {"necessary", 1, 0}}}, days[0])
	})
}

func TestPurge(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		now := testStart.Add(30 * 24 * time.Hour)
		l := openLog(t, be, loc, Options{CheckpointEvery: 4, Retention: 29 * 24 * time.Hour,
			Now: func() time.Time { return now }})
		ctx := context.Background()
		fill(t, l, 0, 10) // 7 hours apart: the first 4 are within a day

		res, err := l.Purge(ctx, testStart.Add(20*time.Hour)) // deletes records 1..3
		require.NoError(t, err)
		assert.Equal(t, int64(3), res.Purged)
		assert.Equal(t, CheckpointPurge, res.Anchor.Kind)
		assert.Equal(t, int64(3), res.Anchor.Seq)
		got, err := l.collect(ctx, Filter{})
		require.NoError(t, err)
		assert.Equal(t, []int64{4, 5, 6, 7, 8, 9, 10}, seqs(got))
		assert.Equal(t, got[0].PrevHash, res.Anchor.Hash)

		rep, err := l.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Equal(t, int64(3), rep.Anchor)

		res, err = l.Purge(ctx, testStart.Add(20*time.Hour))
		require.NoError(t, err)
		assert.Zero(t, res.Purged, "nothing left to purge")

		fill(t, l, 10, 2) // appends continue after a purge
		rep, err = l.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)

		// Deleting beyond the anchor is still caught.
		be.raw(t, loc, `DELETE FROM consent_records WHERE seq = 4`)
		rep, err = l.Verify(ctx)
		require.NoError(t, err)
		require.NotNil(t, rep.Break)
		assert.Equal(t, BreakDeleted, rep.Break.Kind)
		assert.Equal(t, int64(4), rep.Break.Seq)

		// PurgeExpired applies Retention: 40 days on, everything is older
		// than 29 days, so the whole chain goes and the anchor is the head.
		now = testStart.Add(40 * 24 * time.Hour)
		res, err = l.PurgeExpired(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(8), res.Purged)
		assert.Equal(t, int64(12), res.Anchor.Seq)
		rep, err = l.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Zero(t, rep.Records)

		cps, err := l.Checkpoints(ctx)
		require.NoError(t, err)
		var purges []int64
		for _, cp := range cps {
			if cp.Kind == CheckpointPurge {
				purges = append(purges, cp.Purged)
			}
		}
		assert.Equal(t, []int64{3, 8}, purges, "each purge is on record")
	})
}

func TestManualCheckpoint(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		l := openLog(t, be, loc, Options{})
		ctx := context.Background()
		cp, err := l.Checkpoint(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(0), cp.Seq)
		fill(t, l, 0, 5)
		cp, err = l.Checkpoint(ctx)
		require.NoError(t, err)
		assert.Equal(t, CheckpointManual, cp.Kind)
		assert.Equal(t, int64(5), cp.Seq)
		e, err := l.Get(ctx, 5)
		require.NoError(t, err)
		assert.Equal(t, e.Hash, cp.Hash)

		// A checkpoint proves the records up to it existed even when the
		// head row is rolled back and re-signed with a replayed signature.
		fill(t, l, 5, 3)
		var head chainHead
		require.NoError(t, l.eng.Reader().QueryRow(ctx, `SELECT seq, hash, mac FROM chain_head`).Scan(&head.seq, &head.hash, &head.mac))
		be.raw(t, loc, `DELETE FROM consent_records WHERE seq > 3`)
		be.raw(t, loc, `UPDATE chain_head SET seq = 3, hash = ?, mac = ?`, mustGet(t, l, 3).Hash,
			l.sign.mac(headMessage(3, mustGet(t, l, 3).Hash)))
		rep, err := l.Verify(ctx)
		require.NoError(t, err)
		require.NotNil(t, rep.Break)
		assert.Equal(t, BreakTruncated, rep.Break.Kind)
		assert.Equal(t, int64(4), rep.Break.Seq)
	})
}

func mustGet(t *testing.T, l *Log, seq int64) Entry {
	t.Helper()
	e, err := l.Get(context.Background(), seq)
	require.NoError(t, err)
	return e
}
