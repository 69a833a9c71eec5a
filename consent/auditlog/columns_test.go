package auditlog

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// TestOneDecisionOneSpelling is the regression test for #12 item 6: the
// decisions were hashed as parsed and stored as sent, so the same decision
// had many spellings. Now every spelling of one decision is stored and
// hashed as one canonical form.
func TestOneDecisionOneSpelling(t *testing.T) {
	t.Parallel()
	a := testRecord(2)
	a.Decisions = []consent.CategoryDecision{{Category: "necessary", Granted: true},
		{Category: "analytics", Granted: true}, {Category: "marketing"}}
	b := a
	b.Decisions = []consent.CategoryDecision{{Category: "Marketing"}, {Category: "ANALYTICS", Granted: true},
		{Category: "necessary", Granted: true}, {Category: "marketing", Granted: true}}
	b.Withdrawn = []string{"analytics", "Analytics"}
	a.Withdrawn = []string{"analytics"}

	na, nb := normalize(a, testStart), normalize(b, testStart)
	ha, err := HashRecord(1, &na, GenesisHash)
	require.NoError(t, err)
	hb, err := HashRecord(1, &nb, GenesisHash)
	require.NoError(t, err)
	assert.Equal(t, ha, hb, "two spellings of one decision hash the same")
	assert.Equal(t, []consent.CategoryDecision{{Category: "analytics", Granted: true}, {Category: "marketing"},
		{Category: "necessary", Granted: true}}, na.Decisions, "sorted; a category given twice is refused")
	assert.Equal(t, string(appendDecisionsJSON(nil, na.Decisions)), string(appendDecisionsJSON(nil, nb.Decisions)),
		"and are stored the same")

	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{})
		ctx := context.Background()
		require.NoError(t, l.Record(ctx, a))
		require.NoError(t, l.Record(ctx, b))
		es, err := l.collect(ctx, Filter{})
		require.NoError(t, err)
		require.Len(t, es, 2)
		assert.Equal(t, es[0].Decisions, es[1].Decisions)
		assert.Equal(t, es[0].Withdrawn, es[1].Withdrawn)
		for _, f := range []Filter{{Granted: "analytics"}, {Denied: "marketing"}} {
			got, err := l.collect(ctx, f)
			require.NoError(t, err)
			assert.Len(t, got, 2, "%+v", f)
		}
	})
}

// TestAlteredSpellingFailsVerify rewrites a record's decisions in the
// database into other spellings of the same decisions, which Verify used
// to accept while the category filters read them differently, and changes
// the rows the filters read behind the decisions' back.
func TestAlteredSpellingFailsVerify(t *testing.T) {
	t.Parallel()
	// Record 4 (seq 4) is an accept_all: every category granted.
	spellings := map[string]string{
		"key case":   `[{"Category":"analytics","Granted":true},{"Category":"marketing","Granted":true},{"Category":"necessary","Granted":true}]`,
		"key order":  `[{"granted":true,"category":"analytics"},{"granted":true,"category":"marketing"},{"granted":true,"category":"necessary"}]`,
		"spaces":     `[{"category": "analytics", "granted": true}, {"category": "marketing", "granted": true}, {"category": "necessary", "granted": true}]`,
		"escapes":    `[{"category":"\u0061nalytics","granted":true},{"category":"marketing","granted":true},{"category":"necessary","granted":true}]`,
		"extra keys": `[{"category":"analytics","granted":true,"x":0},{"category":"marketing","granted":true},{"category":"necessary","granted":true}]`,
	}
	tampers := map[string]func(env *tamperEnv){
		"decision rows": func(env *tamperEnv) {
			env.raw(`UPDATE consent_decisions SET granted = 0 WHERE seq = 4 AND category = 'marketing'`)
		},
		"decision rows deleted": func(env *tamperEnv) {
			env.raw(`DELETE FROM consent_decisions WHERE seq = 4`)
		},
	}
	for name, text := range spellings {
		tampers["spelling: "+name] = func(env *tamperEnv) {
			// The trigger refuses some spellings; an attacker who
			// can write the database can drop it first.
			drop := `DROP TRIGGER consent_decisions_update`
			if env.be.name == postgresBackend.name {
				drop += ` ON consent_records`
			}
			env.raw(drop)
			env.raw(`UPDATE consent_records SET decisions = ? WHERE seq = 4`, text)
		}
	}
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		for name, tamper := range tampers {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				env := &tamperEnv{t: t, be: be, loc: be.fresh(t)}
				env.l = openLog(t, be, env.loc, Options{})
				fill(t, env.l, 0, 6)
				ctx := context.Background()
				e, err := env.l.Get(ctx, 4)
				require.NoError(t, err)
				require.Equal(t, consent.OutcomeAcceptAll, e.Outcome)
				tamper(env)
				rep, err := env.l.Verify(ctx)
				require.NoError(t, err)
				require.False(t, rep.OK, "Verify must not accept an altered spelling")
				assert.Equal(t, BreakModified, rep.Break.Kind)
				assert.Equal(t, int64(4), rep.Break.Seq)
			})
		}
	})
}

// writeV1Log writes, behind the package's back, a log as version 1 of the
// schema left it: decisions stored in the order the Manager gives them
// (configuration order, not sorted), no consent_decisions table.
func writeV1Log(t *testing.T, be backend, loc string, n int) {
	t.Helper()
	integer, serial := "INTEGER", "INTEGER PRIMARY KEY"
	if be.name == postgresBackend.name {
		integer, serial = "BIGINT", "BIGSERIAL PRIMARY KEY"
	}
	for _, stmt := range schemaV1(integer, serial) {
		be.raw(t, loc, stmt)
	}
	be.raw(t, loc, `CREATE TABLE schema_version (version INTEGER NOT NULL)`)
	be.raw(t, loc, `INSERT INTO schema_version (version) VALUES (1)`)
	sign := signer{key: testKey}
	be.raw(t, loc, `INSERT INTO meta (name, value) VALUES ('key_id', ?)`, sign.keyID())
	prev := GenesisHash
	var args []any
	texts := map[string]bool{}
	// Version 1 had neither shown_hash (hash version 2) nor region and
	// model (hash version 3): the last three columns.
	v1Columns, v1Count := strings.TrimSuffix(recordColumns, ", shown_hash, region, model"), recordColumnCount-3
	flush := func() {
		if len(args) > 0 {
			be.raw(t, loc, `INSERT INTO consent_records (`+v1Columns+`) VALUES `+
				placeholders(len(args)/v1Count, v1Count), args...)
			args = args[:0]
		}
	}
	for i := range n {
		rec := testRecord(i)
		rec.Decisions = []consent.CategoryDecision{rec.Decisions[2], rec.Decisions[0], rec.Decisions[1]}
		if rec.Withdrawn != nil {
			rec.Withdrawn = []string{"marketing", "analytics"}
		}
		seq := int64(i + 1)
		hash, err := HashRecordVersion(1, seq, &rec, prev)
		require.NoError(t, err)
		sh := sha256Hex(rec.BannerText)
		if !texts[sh] {
			texts[sh] = true
			be.raw(t, loc, `INSERT INTO banner_texts (sha, text) VALUES (?, ?)`, sh, rec.BannerText)
		}
		args, _ = appendRecordArgs(args, nil, seq, &rec, sh, prev, hash)
		args = args[:len(args)-3]    // no shown_hash, region, model
		args[len(args)-3] = int64(1) // hash_version
		if len(args) >= 200*v1Count {
			flush()
		}
		prev = hash
	}
	flush()
	be.raw(t, loc, `INSERT INTO chain_head (id, seq, hash, mac) VALUES (1, ?, ?, ?)`,
		int64(n), prev, sign.mac(headMessage(int64(n), prev)))
}

// TestMigrationKeepsV1LogsVerifiable opens a version 1 log: the migration
// fills consent_decisions from the stored decisions, the old chain still
// verifies (its records keep their order of decisions and their hashes),
// the category filters and counts read it, and new records extend it.
func TestMigrationKeepsV1LogsVerifiable(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		const n = backfillChunk + 7 // two chunks
		writeV1Log(t, be, loc, n)
		l := openLog(t, be, loc, Options{})
		ctx := context.Background()
		rep, err := l.Verify(ctx)
		require.NoError(t, err)
		require.True(t, rep.OK, "%v", rep.Break)
		assert.Equal(t, int64(n), rep.Records)

		e, err := l.Get(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, "necessary", e.Decisions[0].Category, "old records keep their order")

		got, err := l.collect(ctx, Filter{Granted: "marketing"}) // accept_all: every third
		require.NoError(t, err)
		assert.Len(t, got, (n+2)/3)
		got, err = l.collect(ctx, Filter{Denied: "analytics", Before: 10})
		require.NoError(t, err)
		assert.Equal(t, []int64{2, 5, 8}, seqs(got))
		days, err := l.DailyCounts(ctx, Filter{})
		require.NoError(t, err)
		var granted, denied int64
		for _, d := range days {
			for _, c := range d.Categories {
				if c.Category == "analytics" {
					granted, denied = granted+c.Granted, denied+c.Denied
				}
			}
		}
		assert.Equal(t, int64(n), granted+denied)
		assert.Equal(t, int64((n+1)/3), denied, "reject_all: every third from the second")

		fill(t, l, n, 3)
		rep, err = l.Verify(ctx)
		require.NoError(t, err)
		require.True(t, rep.OK, "%v", rep.Break)
		got, err = l.collect(ctx, Filter{Granted: "marketing", After: n})
		require.NoError(t, err)
		assert.Len(t, got, 1)
	})
}

// TestPurgeTakesTheDecisionRows checks that the triggers delete a purged
// record's consent_decisions rows with it, so purging frees their space.
func TestPurgeTakesTheDecisionRows(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{})
		fill(t, l, 0, 10)
		ctx := context.Background()
		count := func() (n int64) {
			require.NoError(t, l.eng.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM consent_decisions`).Scan(&n))
			return n
		}
		require.Equal(t, int64(30), count(), "three categories a record")
		res, err := l.Purge(ctx, testRecord(4).Time) // records 0-3
		require.NoError(t, err)
		require.Equal(t, int64(4), res.Purged)
		assert.Equal(t, int64(18), count())
		rep, err := l.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
	})
}
