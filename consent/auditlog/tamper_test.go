package auditlog

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tamperEnv is a log of 30 records with a checkpoint every 10, and the
// means to alter its database behind its back.
type tamperEnv struct {
	t   *testing.T
	be  backend
	loc string
	l   *Log
	es  []Entry // the records as written, es[i].Seq == i+1
}

func (env *tamperEnv) raw(q string, args ...any) { env.be.raw(env.t, env.loc, q, args...) }

// shift renumbers the records after seq by delta in two steps, so that no
// statement collides with the primary key midway.
func (env *tamperEnv) shift(after, delta int64) {
	env.raw(`UPDATE consent_records SET seq = -seq WHERE seq > ?`, after)
	env.raw(`UPDATE consent_records SET seq = -seq + ? WHERE seq < 0`, delta)
}

// insert stores e as it is, the way a forger would.
func (env *tamperEnv) insert(e Entry) {
	args, _ := appendRecordArgs(nil, nil, e.Seq, &e.Record, sha256Hex(e.BannerText), e.PrevHash, e.Hash)
	env.raw(`INSERT INTO consent_records (`+recordColumns+`) VALUES `+placeholders(1, recordColumnCount), args...)
}

// forge returns a self-consistent record at seq chained after prevHash.
func (env *tamperEnv) forge(seq int64, prevHash string) Entry {
	e := Entry{Seq: seq, Record: testRecord(1), HashVersion: 1, PrevHash: prevHash}
	e.ConsentID = strings.Repeat("f", 32)
	e.Time = env.es[0].Time
	var err error
	e.Hash, err = HashRecord(seq, &e.Record, prevHash)
	require.NoError(env.t, err)
	return e
}

func TestTamperDetection(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		tamper func(env *tamperEnv)
		kind   BreakKind
		seq    int64
	}{
		{"change outcome", func(env *tamperEnv) {
			env.raw(`UPDATE consent_records SET outcome = 'accept_all' WHERE seq = 12`)
		}, BreakModified, 12},
		{"change user agent", func(env *tamperEnv) {
			env.raw(`UPDATE consent_records SET user_agent = 'other' WHERE seq = 7`)
		}, BreakModified, 7},
		{"change time", func(env *tamperEnv) {
			env.raw(`UPDATE consent_records SET ts = ts + 1 WHERE seq = 30`)
		}, BreakModified, 30},
		{"change decisions", func(env *tamperEnv) {
			env.raw(`UPDATE consent_records SET decisions = '[]' WHERE seq = 3`)
		}, BreakModified, 3},
		{"change banner text", func(env *tamperEnv) {
			env.raw(`UPDATE banner_texts SET text = 'We never use cookies.' WHERE sha = ?`, sha256Hex(env.es[1].BannerText))
		}, BreakModified, 2},
		{"change link only", func(env *tamperEnv) {
			env.raw(`UPDATE consent_records SET prev_hash = ? WHERE seq = 12`, strings.Repeat("a", 64))
		}, BreakModified, 12},
		{"delete a record", func(env *tamperEnv) {
			env.raw(`DELETE FROM consent_records WHERE seq = 15`)
		}, BreakDeleted, 15},
		{"delete the first record", func(env *tamperEnv) {
			env.raw(`DELETE FROM consent_records WHERE seq = 1`)
		}, BreakDeleted, 1},
		{"delete and renumber", func(env *tamperEnv) {
			env.raw(`DELETE FROM consent_records WHERE seq = 15`)
			env.shift(15, -1)
		}, BreakDeleted, 15},
		{"swap two records", func(env *tamperEnv) {
			env.raw(`UPDATE consent_records SET seq = -1 WHERE seq = 20`)
			env.raw(`UPDATE consent_records SET seq = 20 WHERE seq = 21`)
			env.raw(`UPDATE consent_records SET seq = 21 WHERE seq = -1`)
		}, BreakReordered, 20},
		{"insert a forged record", func(env *tamperEnv) {
			env.shift(10, 1)
			env.insert(env.forge(11, env.es[9].Hash))
		}, BreakInserted, 11},
		{"append a forged record", func(env *tamperEnv) {
			env.insert(env.forge(31, env.es[29].Hash))
		}, BreakInserted, 31},
		{"truncate one record", func(env *tamperEnv) {
			env.raw(`DELETE FROM consent_records WHERE seq = 30`)
		}, BreakTruncated, 30},
		{"truncate many records", func(env *tamperEnv) {
			env.raw(`DELETE FROM consent_records WHERE seq >= 22`)
		}, BreakTruncated, 22},
		{"truncate and roll the head back", func(env *tamperEnv) {
			env.raw(`DELETE FROM consent_records WHERE seq >= 22`)
			env.raw(`UPDATE chain_head SET seq = 21, hash = ?`, env.es[20].Hash)
		}, BreakTruncated, 22},
		{"truncate everything", func(env *tamperEnv) {
			env.raw(`DELETE FROM consent_records`)
		}, BreakTruncated, 1},
		{"rewrite the tail with recomputed hashes", func(env *tamperEnv) {
			prev := env.es[23].Hash
			for _, e := range env.es[24:] {
				e.UserAgent = "rewritten"
				h, err := HashRecord(e.Seq, &e.Record, prev)
				require.NoError(env.t, err)
				env.raw(`UPDATE consent_records SET user_agent = ?, prev_hash = ?, hash = ? WHERE seq = ?`,
					e.UserAgent, prev, h, e.Seq)
				prev = h
			}
		}, BreakRewritten, 21},
		{"forge a checkpoint", func(env *tamperEnv) {
			env.raw(`UPDATE checkpoints SET hash = ? WHERE seq = 20`, strings.Repeat("b", 64))
		}, BreakSignature, 20},
		{"forge the head", func(env *tamperEnv) {
			env.raw(`UPDATE chain_head SET mac = ?`, strings.Repeat("c", 64))
		}, BreakSignature, 31},
	}
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				env := &tamperEnv{t: t, be: be, loc: be.fresh(t)}
				env.l = openLog(t, be, env.loc, Options{CheckpointEvery: 10})
				fill(t, env.l, 0, 30)
				var err error
				env.es, err = env.l.collect(context.Background(), Filter{})
				require.NoError(t, err)
				rep, err := env.l.Verify(context.Background())
				require.NoError(t, err)
				require.True(t, rep.OK, "untouched log verifies: %v", rep.Break)

				tc.tamper(env)
				rep, err = env.l.Verify(context.Background())
				require.NoError(t, err)
				require.False(t, rep.OK, "tampering must be detected")
				require.NotNil(t, rep.Break)
				assert.Equal(t, tc.kind, rep.Break.Kind, "%v", rep.Break)
				assert.Equal(t, tc.seq, rep.Break.Seq, "%v", rep.Break)
			})
		}
	})
}

func TestAppendRefusesForgedHead(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		l := openLog(t, be, loc, Options{})
		fill(t, l, 0, 5)
		be.raw(t, loc, `DELETE FROM consent_records WHERE seq = 5`)
		be.raw(t, loc, `UPDATE chain_head SET seq = 4`)
		err := l.Record(context.Background(), testRecord(5))
		assert.ErrorIs(t, err, ErrChainHeadInvalid, "an altered head is never signed over")
	})
}
