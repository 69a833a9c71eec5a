package auditlog

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rollbackEnv is a running log with a file witness, and every signed chain
// head it ever stored: what an attacker without the key recovers from
// SQLite's -wal file or a stale backup.
type rollbackEnv struct {
	t     *testing.T
	be    backend
	loc   string
	wpath string
	wit   *FileWitness
	l     *Log
	heads []chainHead // heads[i] is the head after i records
	logs  *syncBuffer // what the Log logged
}

// syncBuffer is a bytes.Buffer safe for the Log's writer and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newRollbackEnv(t *testing.T, be backend, records int) *rollbackEnv {
	env := &rollbackEnv{t: t, be: be, loc: be.fresh(t), wpath: filepath.Join(t.TempDir(), "witness.jsonl"),
		logs: &syncBuffer{}}
	env.open()
	env.heads = append(env.heads, env.storedHead())
	for i := range records {
		require.NoError(t, env.l.Record(context.Background(), testRecord(i)))
		env.heads = append(env.heads, env.storedHead())
	}
	return env
}

// open opens the log and its witness (again).
func (env *rollbackEnv) open() {
	var err error
	env.wit, err = NewFileWitness(env.wpath)
	require.NoError(env.t, err)
	env.t.Cleanup(func() { _ = env.wit.Close() })
	env.l = openLog(env.t, env.be, env.loc, Options{CheckpointEvery: 10, Witness: env.wit,
		Logger: slog.New(slog.NewTextHandler(env.logs, nil))})
}

// reopen closes the log and its witness and opens them again, as a restart
// of the application would.
func (env *rollbackEnv) reopen() {
	require.NoError(env.t, env.l.Close())
	require.NoError(env.t, env.wit.Close())
	env.open()
}

func (env *rollbackEnv) storedHead() chainHead {
	var h chainHead
	require.NoError(env.t, env.l.eng.Reader().QueryRow(context.Background(),
		`SELECT seq, hash, mac FROM chain_head WHERE id = 1`).Scan(&h.seq, &h.hash, &h.mac))
	return h
}

func (env *rollbackEnv) raw(q string, args ...any) { env.be.raw(env.t, env.loc, q, args...) }

// cut deletes the records after seq and puts back the signed head stored
// when seq was the end of the chain.
func (env *rollbackEnv) cut(seq int64) {
	env.raw(`DELETE FROM consent_records WHERE seq > ?`, seq)
	h := env.heads[seq]
	env.raw(`UPDATE chain_head SET seq = ?, hash = ?, mac = ? WHERE id = 1`, h.seq, h.hash, h.mac)
}

// TestRollback plays each rollback the security review made, against a
// running Log, against Verify without a witness (which can only say how
// much is unproven), and against Verify with the witness after a restart.
func TestRollback(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		records int
		attack  func(env *rollbackEnv)
		cutAt   int64 // the chain ends here after the attack
		// What Verify without a witness says: the break it still finds
		// (empty when the database is consistent) or how much is proven.
		plainKind        BreakKind
		proven, unproven int64
		warns            bool // a "no checkpoint" warning
	}{
		{name: "delete newest records and restore an older signed head", records: 30,
			attack: func(env *rollbackEnv) { env.cut(21) }, cutAt: 21, plainKind: BreakTruncated},
		{name: "delete the later checkpoints too", records: 30, attack: func(env *rollbackEnv) {
			env.cut(21)
			env.raw(`DELETE FROM checkpoints WHERE seq > 21`)
		}, cutAt: 21, proven: 20, unproven: 1},
		{name: "cut within the last CheckpointEvery records", records: 25,
			attack: func(env *rollbackEnv) { env.cut(23) }, cutAt: 23, proven: 20, unproven: 3},
		{name: "no checkpoint left at all", records: 30, attack: func(env *rollbackEnv) {
			env.cut(5)
			env.raw(`DELETE FROM checkpoints`)
		}, cutAt: 5, proven: 0, unproven: 5, warns: true},
		{name: "truncate the table and restore the empty chain", records: 25, attack: func(env *rollbackEnv) {
			env.cut(0)
			env.raw(`DELETE FROM checkpoints`)
		}, cutAt: 0},
		{name: "truncate the table under the head", records: 25, attack: func(env *rollbackEnv) {
			env.raw(`DELETE FROM consent_records`)
		}, cutAt: 0, plainKind: BreakTruncated},
	}
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				env := newRollbackEnv(t, be, tc.records)
				rep, err := env.l.Verify(ctx)
				require.NoError(t, err)
				require.True(t, rep.OK, "untouched log verifies: %v", rep.Break)

				tc.attack(env)

				// The running Log notices, refuses, and says so once.
				for range 2 {
					err = env.l.Record(ctx, testRecord(99))
					require.ErrorIs(t, err, ErrRolledBack)
				}
				assert.Equal(t, 1, strings.Count(env.logs.String(), "ROLLED BACK"), env.logs.String())
				_, err = env.l.Checkpoint(ctx)
				if env.storedHead().seq < int64(tc.records) {
					assert.ErrorIs(t, err, ErrRolledBack, "no checkpoint signs a rolled-back head")
				}

				// Without a witness the database is judged alone.
				rep, err = env.l.VerifyWith(ctx, nil)
				require.NoError(t, err)
				if tc.plainKind != "" {
					require.NotNil(t, rep.Break)
					assert.Equal(t, tc.plainKind, rep.Break.Kind, "%v", rep.Break)
				} else {
					assert.True(t, rep.OK, "%v", rep.Break)
					assert.Equal(t, tc.proven, rep.ProvenSeq)
					assert.Equal(t, tc.unproven, rep.Unproven)
					assert.Equal(t, tc.warns, len(rep.Warnings) > 0, "%q", rep.Warnings)
				}

				// After a restart, the witness still proves what was there.
				env.reopen()
				rep, err = env.l.Verify(ctx)
				require.NoError(t, err)
				require.False(t, rep.OK, "the rollback is detected with the witness")
				assert.Equal(t, BreakRolledBack, rep.Break.Kind, "%v", rep.Break)
				assert.Equal(t, tc.cutAt+1, rep.Break.Seq, "%v", rep.Break)
				assert.ErrorIs(t, env.l.Record(ctx, testRecord(99)), ErrRolledBack,
					"a Log opened on a rolled-back database refuses to append")
			})
		}
	})
}

// TestNoCheckpointIsReported checks that a log no checkpoint covers passes,
// but not silently.
func TestNoCheckpointIsReported(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{CheckpointEvery: 10})
		ctx := context.Background()
		rep, err := l.Verify(ctx)
		require.NoError(t, err)
		assert.Empty(t, rep.Warnings, "an empty log has nothing to prove")

		fill(t, l, 0, 5)
		rep, err = l.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Zero(t, rep.ProvenSeq)
		assert.Empty(t, rep.ProvenBy)
		assert.Equal(t, int64(5), rep.Unproven)
		require.Len(t, rep.Warnings, 1)
		assert.Contains(t, rep.Warnings[0], "no signed checkpoint")

		_, err = l.Checkpoint(ctx)
		require.NoError(t, err)
		fill(t, l, 5, 2)
		rep, err = l.Verify(ctx)
		require.NoError(t, err)
		assert.Empty(t, rep.Warnings)
		assert.Equal(t, int64(5), rep.ProvenSeq)
		assert.Equal(t, "checkpoint", rep.ProvenBy)
		assert.Equal(t, int64(2), rep.Unproven)
	})
}

// TestWitnessedLogVerifies checks the ordinary life of a witnessed log:
// heads at every checkpoint and at Close, everything proven after a clean
// restart, and no false alarm from other instances or a purge.
func TestWitnessedLogVerifies(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		ctx := context.Background()
		env := newRollbackEnv(t, be, 25)
		heads, err := env.wit.Heads(ctx)
		require.NoError(t, err)
		assert.Equal(t, []int64{10, 20}, headSeqs(heads), "one head a checkpoint")
		rep, err := env.l.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Equal(t, int64(20), rep.ProvenSeq)
		assert.Equal(t, "witness", rep.ProvenBy)
		assert.Equal(t, int64(5), rep.Unproven)

		env.reopen()
		heads, err = env.wit.Heads(ctx)
		require.NoError(t, err)
		assert.Equal(t, []int64{10, 20, 25}, headSeqs(heads), "Close witnesses the last head")
		rep, err = env.l.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Equal(t, 3, rep.WitnessHeads)
		assert.Equal(t, int64(25), rep.ProvenSeq)
		assert.Zero(t, rep.Unproven)

		// Another instance moving the head is no rollback.
		other := openLog(t, be, env.loc, Options{CheckpointEvery: 10})
		fill(t, other, 25, 3)
		fill(t, env.l, 28, 3)
		_, err = env.l.Checkpoint(ctx)
		require.NoError(t, err)

		// Nor is a purge of everything, the committed head included.
		res, err := env.l.Purge(ctx, testStart.Add(10000*24*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, int64(31), res.Purged)
		fill(t, env.l, 31, 2)
		fill(t, other, 33, 1)
		rep, err = env.l.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Zero(t, env.l.Stats().WitnessFailed)
		assert.NotContains(t, env.logs.String(), "ROLLED BACK")
	})
}

func headSeqs(hs []SignedHead) []int64 {
	var out []int64
	for _, h := range hs {
		out = append(out, h.Seq)
	}
	return out
}

// TestReviewVerifyShowsProof checks that the auditor's page says how much
// of the log is proven, and the warning of a log no checkpoint covers.
func TestReviewVerifyShowsProof(t *testing.T) {
	t.Parallel()
	l := openLog(t, sqliteBackend, sqliteBackend.fresh(t), Options{CheckpointEvery: 10})
	fill(t, l, 0, 4)
	h, err := NewReviewHandler(l, ReviewOptions{Authorize: BasicAuth("dpo", "pw")})
	require.NoError(t, err)
	body := get(t, h, "/verify", true).Body.String()
	assert.Contains(t, body, "nothing is proven")
	assert.Contains(t, body, "no signed checkpoint covers any of the 4 records")

	fill(t, l, 4, 8)
	body = get(t, h, "/verify", true).Body.String()
	assert.Contains(t, body, "position 10 (checkpoint)")
	assert.NotContains(t, body, "no signed checkpoint")
}
