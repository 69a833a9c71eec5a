package auditlog

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// regionRecord is testRecord(i) made under consent.Regions.
func regionRecord(i int, region string, model consent.Model) consent.Record {
	rec := testRecord(i)
	rec.Region, rec.Model = region, model
	return rec
}

// TestRegionsHashVersions: version 3, which new records are written
// under, covers the region and the model; versions 1 and 2, written before
// either existed, do not, so a row of those versions that carries one was
// edited by hand and is not covered by its hash.
func TestRegionsHashVersions(t *testing.T) {
	t.Parallel()
	require.Equal(t, 3, HashVersion)
	withRegion := regionRecord(0, "US-CA", consent.ModelOptOut)
	withRegion.ShownHash = strings.Repeat("ab", 32)
	hashes := map[string]int{}
	for v := 1; v <= 3; v++ {
		h, err := HashRecordVersion(v, 1, &withRegion, GenesisHash)
		require.NoError(t, err)
		hashes[h] = v
	}
	assert.Len(t, hashes, 3, "each version has its own domain")
	v3, err := HashRecord(1, &withRegion, GenesisHash)
	require.NoError(t, err)
	assert.Equal(t, 3, hashes[v3], "HashRecord writes version 3")
	for _, alter := range []func(r *consent.Record){
		func(r *consent.Record) { r.Region = "US-TX" },
		func(r *consent.Record) { r.Model = consent.ModelOptIn },
		func(r *consent.Record) { r.Region = "" },
		func(r *consent.Record) { r.ShownHash = "" },
	} {
		r := withRegion
		alter(&r)
		h, err := HashRecord(1, &r, GenesisHash)
		require.NoError(t, err)
		assert.NotEqual(t, v3, h, "the hash covers the shown hash, the region and the model")
	}
	_, err = HashRecordVersion(4, 1, &withRegion, GenesisHash)
	assert.ErrorIs(t, err, ErrBadHash)

	plain := testRecord(0)
	shown := plain
	shown.ShownHash = withRegion.ShownHash
	for _, c := range []struct {
		version int
		rec     consent.Record
		want    bool
	}{
		{1, plain, true}, {1, shown, false}, {1, withRegion, false},
		{2, plain, true}, {2, shown, true}, {2, withRegion, false},
		{2, regionRecord(0, "", consent.ModelOptIn), false},
		{3, plain, true}, {3, withRegion, true},
	} {
		assert.Equal(t, c.want, coveredByVersion(c.version, &c.rec), "version %d, %+v", c.version, c.rec)
	}
}

// TestRegionsOldRowsKeepTheirVersion: a log written before regions
// existed (version 1 rows, migrated through every step) still verifies,
// new records extend it under version 3, and a region or model put by
// hand on an old row, which its hash does not cover, breaks Verify.
func TestRegionsOldRowsKeepTheirVersion(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		writeV1Log(t, be, loc, 4)
		l := openLog(t, be, loc, Options{})
		ctx := context.Background()
		require.NoError(t, l.Record(ctx, regionRecord(4, "US-CA", consent.ModelOptOut)))
		rep, err := l.Verify(ctx)
		require.NoError(t, err)
		require.True(t, rep.OK, "%+v", rep.Break)
		old, err := l.Get(ctx, 2)
		require.NoError(t, err)
		assert.Equal(t, 1, old.HashVersion)
		e, err := l.Get(ctx, 5)
		require.NoError(t, err)
		assert.Equal(t, 3, e.HashVersion)
		assert.Equal(t, "US-CA", e.Region)

		for _, edit := range []string{
			`UPDATE consent_records SET region = 'US-CA' WHERE seq = 2`,
			`UPDATE consent_records SET model = 'opt_out' WHERE seq = 2`,
		} {
			be.raw(t, loc, edit)
			rep, err = l.Verify(ctx)
			require.NoError(t, err)
			require.False(t, rep.OK, edit)
			assert.Equal(t, BreakModified, rep.Break.Kind, edit)
			assert.Equal(t, int64(2), rep.Break.Seq, edit)
			be.raw(t, loc, `UPDATE consent_records SET region = '', model = '' WHERE seq = 2`)
		}
	})
}

// TestRegionsStoredFilteredVerified: the log keeps region and model, the
// filters select by them (a country covers its subdivisions; opt_in covers
// records made without regions), Verify accepts the chain, and an edit of
// the region column breaks it.
func TestRegionsStoredFilteredVerified(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		l := openLog(t, be, loc, Options{})
		ctx := context.Background()
		recs := []consent.Record{
			testRecord(0),
			regionRecord(1, "US-CA", consent.ModelOptOut),
			regionRecord(2, "US-TX", consent.ModelOptOut),
			regionRecord(3, "DE", consent.ModelOptIn),
			regionRecord(4, "", consent.ModelOptIn),
			regionRecord(5, "JP", consent.ModelNotice),
		}
		for _, r := range recs {
			require.NoError(t, l.Record(ctx, r))
		}
		seqs := func(f Filter) []int64 {
			var out []int64
			for e, err := range l.Query(ctx, f) {
				require.NoError(t, err)
				out = append(out, e.Seq)
			}
			return out
		}
		assert.Equal(t, []int64{2, 3}, seqs(Filter{Region: "US"}))
		assert.Equal(t, []int64{2}, seqs(Filter{Region: "US-CA"}))
		assert.Equal(t, []int64{2, 3}, seqs(Filter{Model: consent.ModelOptOut}))
		assert.Equal(t, []int64{1, 4, 5}, seqs(Filter{Model: consent.ModelOptIn}))
		assert.Equal(t, []int64{6}, seqs(Filter{Model: consent.ModelNotice}))
		for e, err := range l.Query(ctx, Filter{Region: "US-CA"}) {
			require.NoError(t, err)
			assert.Equal(t, "US-CA", e.Region)
			assert.Equal(t, consent.ModelOptOut, e.Model)
			assert.Equal(t, 3, e.HashVersion)
		}
		rep, err := l.Verify(ctx)
		require.NoError(t, err)
		require.True(t, rep.OK, "%+v", rep.Break)

		be.raw(t, loc, `UPDATE consent_records SET region = 'US-NY' WHERE seq = 2`)
		rep, err = l.Verify(ctx)
		require.NoError(t, err)
		require.False(t, rep.OK)
		assert.Equal(t, BreakModified, rep.Break.Kind)
		assert.Equal(t, int64(2), rep.Break.Seq)
	})
}

func TestRegionsFilterParse(t *testing.T) {
	t.Parallel()
	f, err := ParseFilter(map[string][]string{"region": {"us-ca"}, "model": {"opt_out"}, "outcome": {"opt_out"}})
	require.NoError(t, err)
	assert.Equal(t, "US-CA", f.Region)
	assert.Equal(t, consent.ModelOptOut, f.Model)
	assert.Equal(t, consent.OutcomeOptOut, f.Outcome)
	assert.Equal(t, "model=opt_out&outcome=opt_out&region=US-CA", f.values().Encode())
	for _, bad := range []map[string][]string{{"region": {"California"}}, {"region": {"XX"}}, {"model": {"maybe"}}} {
		_, err := ParseFilter(bad)
		assert.ErrorIs(t, err, ErrBadFilter)
	}
}

// TestRegionsReviewPage: the auditor's page offers the region and model
// filters and applies them.
func TestRegionsReviewPage(t *testing.T) {
	t.Parallel()
	l := openLog(t, sqliteBackend, sqliteBackend.fresh(t), Options{})
	ctx := context.Background()
	require.NoError(t, l.Record(ctx, regionRecord(1, "US-CA", consent.ModelOptOut)))
	require.NoError(t, l.Record(ctx, regionRecord(2, "DE", consent.ModelOptIn)))
	h, err := NewReviewHandler(l, ReviewOptions{Authorize: func(*http.Request) bool { return true }})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?region=US&model=opt_out", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	assert.Contains(t, body, `<input name="region" value="US"`)
	assert.Contains(t, body, `<option value="opt_out" selected>opt_out</option>`)
	assert.Contains(t, body, "US-CA")
	assert.NotContains(t, body, `<span class="muted">DE</span>`)
}
