package auditlog

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog/postgres"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{})
		ctx := context.Background()
		var want []consent.Record
		for i := range 12 {
			rec := testRecord(i)
			require.NoError(t, l.Record(ctx, rec))
			want = append(want, rec)
		}
		got, err := l.collect(ctx, Filter{})
		require.NoError(t, err)
		require.Len(t, got, len(want))
		prev := GenesisHash
		for i, e := range got {
			w := want[i]
			w.Time = w.Time.Truncate(time.Microsecond)
			assert.Equal(t, w, e.Record, "record %d", i)
			assert.Equal(t, int64(i+1), e.Seq)
			assert.Equal(t, prev, e.PrevHash)
			h, err := HashRecord(e.Seq, &e.Record, e.PrevHash)
			require.NoError(t, err)
			assert.Equal(t, h, e.Hash, "stored hash is the documented HashRecord")
			prev = e.Hash
		}
		rep, err := l.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Equal(t, int64(12), rep.Records)
		assert.Equal(t, int64(12), rep.HeadSeq)
	})
}

func TestRecordNormalizes(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		l := openLog(t, be, be.fresh(t), Options{Now: func() time.Time { return now }})
		rec := testRecord(1)
		rec.Time = time.Time{}
		rec.UserAgent = "bad \xff\x00 agent"
		rec.Decisions[2].Category = "nec\x00essary"
		require.NoError(t, l.Record(context.Background(), rec))
		assert.Equal(t, "nec\x00essary", rec.Decisions[2].Category, "the caller's record is not modified")
		e, err := l.Get(context.Background(), 1)
		require.NoError(t, err)
		assert.Equal(t, now, e.Time, "a zero time takes the clock")
		assert.Equal(t, "bad \uFFFD\uFFFD agent", e.UserAgent)
		assert.Equal(t, "nec\uFFFDessary", e.Decisions[2].Category)
		rep, err := l.Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
	})
}

func TestRecordRejectsInvalid(t *testing.T) {
	t.Parallel()
	l := openLog(t, sqliteBackend, sqliteBackend.fresh(t), Options{})
	for _, tc := range []struct{ name, id string }{
		{"empty", ""},
		{"short", "abc"},
		{"upper case", "0123456789ABCDEF0123456789abcdef"},
		{"not hex", "0123456789abcdef0123456789abcdeg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := testRecord(0)
			rec.ConsentID = tc.id
			err := l.Record(context.Background(), rec)
			assert.ErrorIs(t, err, ErrInvalidRecord)
		})
	}
	n, err := l.collect(context.Background(), Filter{})
	require.NoError(t, err)
	assert.Empty(t, n)
}

func TestOpenOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loc := sqliteBackend.fresh(t)
	_, err := Open(ctx, sqlite.File(loc), Options{Key: []byte("short")})
	assert.ErrorIs(t, err, ErrNoKey)
	_, err = Open(ctx, sqlite.File(loc), Options{Key: testKey, CheckpointEvery: -1})
	assert.Error(t, err)

	l, err := Open(ctx, sqlite.File(loc), Options{Key: testKey})
	require.NoError(t, err)
	fill(t, l, 0, 3)
	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "Close twice is harmless")
	assert.ErrorIs(t, l.Record(ctx, testRecord(4)), ErrClosed)
	_, err = l.Checkpoint(ctx)
	assert.ErrorIs(t, err, ErrClosed, "the writer's connections are closed too")

	other := []byte("another key of thirty-two bytes!")
	_, err = Open(ctx, sqlite.File(loc), Options{Key: other})
	assert.ErrorIs(t, err, ErrWrongKey)
	assert.Contains(t, err.Error(), "open it with that key, or start a new log file", "the message says what to do")

	l, err = Open(ctx, sqlite.File(loc), Options{Key: testKey})
	require.NoError(t, err, "reopening with the same key keeps the log")
	defer l.Close()
	fill(t, l, 3, 2)
	rep, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, rep.OK, "%v", rep.Break)
	assert.Equal(t, int64(5), rep.Records)
}

func TestSchemaTooNew(t *testing.T) {
	t.Parallel()
	loc := sqliteBackend.fresh(t)
	l := openLog(t, sqliteBackend, loc, Options{})
	require.NoError(t, l.Close())
	sqliteBackend.raw(t, loc, `UPDATE schema_version SET version = 99`)
	_, err := Open(context.Background(), sqlite.File(loc), Options{Key: testKey})
	assert.ErrorIs(t, err, ErrSchemaTooNew)
}

func TestGroupCommitConcurrent(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{CheckpointEvery: 50})
		const writers, each = 16, 40
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					errs <- l.Record(context.Background(), testRecord(w*each+i))
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		rep, err := l.Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Equal(t, int64(writers*each), rep.Records)
		assert.Equal(t, writers*each/50, rep.Checkpoints, "a periodic checkpoint every 50 records")
	})
}

func TestRecordCancelled(t *testing.T) {
	t.Parallel()
	l := openLog(t, sqliteBackend, sqliteBackend.fresh(t), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := l.Record(ctx, testRecord(0))
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	got, err := l.collect(context.Background(), Filter{})
	require.NoError(t, err)
	assert.Empty(t, got, "a record cancelled before queueing is not written")
}

// TestStoreUnavailable checks that Record fails within its context's
// deadline when the database cannot take the write, so the decision
// endpoint can answer 503 promptly.
func TestStoreUnavailable(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		l := openLog(t, be, loc, Options{})
		fill(t, l, 0, 1)
		be.raw(t, loc, `DROP TABLE consent_records`)
		err := l.Record(context.Background(), testRecord(1))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "consent_records")
		// The failed batch was rolled back: the connection takes the
		// next transaction.
		_, err = l.Checkpoint(context.Background())
		assert.NoError(t, err)
	})
	t.Run("postgres/unreachable", func(t *testing.T) {
		t.Parallel()
		_, err := Open(context.Background(), postgres.DSN("postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"),
			Options{Key: testKey})
		assert.Error(t, err)
	})
}

func TestSchemaVersionMatchesMigrations(t *testing.T) {
	t.Parallel()
	for _, d := range []*dialect{&sqliteDialect, &postgresDialect} {
		assert.Len(t, d.migrations, schemaVersion, d.name)
	}
}

// TestRecordHonoursDeadline holds the chain lock from another connection,
// as a hung database or a long foreign transaction would, and checks that
// Record gives up when its context does, and that the log stays consistent
// once the lock is released (the abandoned record may still land).
func TestRecordHonoursDeadline(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		l := openLog(t, be, loc, Options{})
		fill(t, l, 0, 2)
		release := holdWriteLock(t, be, loc)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := l.Record(ctx, testRecord(2))
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		release()
		fill(t, l, 3, 1)
		rep, err := l.Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Contains(t, []int64{3, 4}, rep.Records)
	})
}

// TestWriteTimeoutEndsALockWait holds the chain lock from another
// connection and checks that Options.WriteTimeout, not the caller's context
// or SQLite's busy_timeout, ends the batch's wait for it.
func TestWriteTimeoutEndsALockWait(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		// Long enough that the commits before and after the lock, which
		// run under it too, never hit it on a loaded machine (300 ms did
		// under the race detector and a load of 20 on two cores).
		l := openLog(t, be, loc, Options{WriteTimeout: 2 * time.Second})
		fill(t, l, 0, 1)
		release := holdWriteLock(t, be, loc)
		err := l.Record(context.Background(), testRecord(1))
		release()
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, int64(1), l.Stats().Failed)
		fill(t, l, 2, 1)
		rep, err := l.Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
	})
}

// TestLargeBatch commits more records in one batch than PostgreSQL's
// text-encoded fast path takes (maxTextArgs), through the writer's own
// commit while it is idle, and checks the chain.
func TestLargeBatch(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{})
		fill(t, l, 0, 1) // the writer now knows the head: the one-round-trip path
		batch := make([]*pending, 100)
		for i := range batch {
			batch[i] = &pending{ctx: context.Background(), rec: normalize(testRecord(i+1), time.Now()), done: make(chan error, 1)}
		}
		l.commit(batch)
		for _, p := range batch {
			require.NoError(t, <-p.done)
		}
		fill(t, l, 101, 2)
		rep, err := l.Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Equal(t, int64(103), rep.Records)
	})
}

// TestAlternatingInstances makes each Log's remembered chain head stale
// before every append, so that PostgreSQL's one-round-trip append must
// notice and fall back to reading the head.
func TestAlternatingInstances(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		a, b := openLog(t, be, loc, Options{}), openLog(t, be, loc, Options{})
		for i := range 6 {
			l := a
			if i%2 == 1 {
				l = b
			}
			require.NoError(t, l.Record(context.Background(), testRecord(i)))
		}
		rep, err := a.Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Equal(t, int64(6), rep.Records)
		assert.Zero(t, a.Stats().Failed+b.Stats().Failed, "a stale head is retried, not failed")
	})
}
