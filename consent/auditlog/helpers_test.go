package auditlog

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
	"github.com/consentkit/consentkit/consent/auditlog/postgres"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

var testKey = bytes.Repeat([]byte("k"), MinKeyLen)

// backend is one database engine the shared suite runs against.
type backend struct {
	name string
	// fresh returns the location (file path or DSN) of a new, empty
	// database that is removed when the test ends.
	fresh func(t testing.TB) string
	open  func(ctx context.Context, loc string, opts Options) (*Log, error)
	// raw runs a statement (with ? placeholders) behind the Log's back, as
	// an attacker with database access would.
	raw func(t testing.TB, loc, q string, args ...any)
}

var sqliteBackend = backend{
	name:  "sqlite",
	fresh: func(t testing.TB) string { return filepath.Join(t.TempDir(), "consent.db") },
	open: func(ctx context.Context, loc string, opts Options) (*Log, error) {
		return Open(ctx, sqlite.File(loc), opts)
	},
	raw: func(t testing.TB, loc, q string, args ...any) {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+loc+"?_pragma=busy_timeout(10000)")
		require.NoError(t, err)
		defer db.Close()
		_, err = db.Exec(q, args...)
		require.NoError(t, err, q)
	},
}

// pgDSN returns the PostgreSQL server the suite uses, skipping the test
// when none is configured, unless running in CI where a missing server is
// a failure.
func pgDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CONSENT_PG_DSN")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CONSENT_PG_DSN is not set but CI is: .ci/run must start PostgreSQL (eval \"$(bash .ci/pg.sh)\")")
		}
		t.Skip("CONSENT_PG_DSN is not set: skipping PostgreSQL; start one with: eval \"$(bash .ci/pg.sh)\"")
	}
	return dsn
}

var postgresBackend = backend{
	name: "postgres",
	fresh: func(t testing.TB) string {
		t.Helper()
		dsn := pgDSN(t)
		var b [6]byte
		_, _ = rand.Read(b[:])
		schema := "consentkit_test_" + hex.EncodeToString(b[:])
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		require.NoError(t, err, "connect to CONSENT_PG_DSN")
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
		require.NoError(t, err)
		t.Cleanup(func() {
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Logf("drop schema %s: %v", schema, err)
				return
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				t.Logf("drop schema %s: %v", schema, err)
			}
		})
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	},
	open: func(ctx context.Context, loc string, opts Options) (*Log, error) {
		return Open(ctx, postgres.DSN(loc), opts)
	},
	raw: func(t testing.TB, loc, q string, args ...any) {
		t.Helper()
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, loc)
		require.NoError(t, err)
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, engine.Rebind(q), args...)
		require.NoError(t, err, q)
	},
}

var backends = []backend{sqliteBackend, postgresBackend}

// forEachBackend runs fn as a subtest per engine.
func forEachBackend(t *testing.T, fn func(t *testing.T, be backend)) {
	t.Helper()
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			fn(t, be)
		})
	}
}

// openLog opens a Log at loc, closed when the test ends.
func openLog(t testing.TB, be backend, loc string, opts Options) *Log {
	t.Helper()
	if opts.Key == nil {
		opts.Key = testKey
	}
	l, err := be.open(context.Background(), loc, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

var testStart = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// testRecord returns a varied, deterministic record.
func testRecord(i int) consent.Record {
	outcomes := []consent.Outcome{consent.OutcomeAcceptAll, consent.OutcomeRejectAll, consent.OutcomeCustom}
	methods := []consent.Method{consent.MethodBanner, consent.MethodForm, consent.MethodAPI, consent.MethodGPC}
	langs := []string{"en", "es", "de"}
	o := outcomes[i%3]
	rec := consent.Record{
		ConsentID:     fmt.Sprintf("%032x", i%7+1),
		Time:          testStart.Add(time.Duration(i) * 7 * time.Hour).Add(123456 * time.Microsecond),
		Revision:      "r1",
		PolicyVersion: "2026-01",
		PolicyURL:     "/privacy",
		// In their canonical order (see canonicalDecisions), so that
		// a record reads back as it was given.
		Decisions: []consent.CategoryDecision{
			{Category: "analytics", Granted: o == consent.OutcomeAcceptAll || o == consent.OutcomeCustom},
			{Category: "marketing", Granted: o == consent.OutcomeAcceptAll},
			{Category: "necessary", Granted: true},
		},
		Outcome:       o,
		Method:        methods[i%4],
		GPC:           i%4 == 3,
		Language:      langs[i%3],
		BannerVersion: "b1",
		BannerText:    "We use cookies.\nAnalytics: counts visits (" + langs[i%3] + ")",
		PageURL:       fmt.Sprintf("/news/%d?x=1", i),
		IPPrefix:      "203.0.113.0/24",
		UserAgent:     "Mozilla/5.0 test",
	}
	if o == consent.OutcomeRejectAll {
		rec.Withdrawn = []string{"analytics"}
	}
	rec.TextHash = sha256Hex(rec.BannerText)
	return rec
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// fill records n test records one by one, starting at testRecord(from).
func fill(t testing.TB, l *Log, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		require.NoError(t, l.Record(context.Background(), testRecord(i)))
	}
}

// runWriters calls fn b.N times in total from the given number of
// goroutines.
func runWriters(b *testing.B, writers int, fn func()) {
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				fn()
			}
		})
	}
	wg.Wait()
}

// holdWriteLock takes the database's write lock on the chain from another
// connection and returns the function that releases it.
func holdWriteLock(t *testing.T, be backend, loc string) (release func()) {
	t.Helper()
	ctx := context.Background()
	if be.name == postgresBackend.name {
		conn, err := pgx.Connect(ctx, loc)
		require.NoError(t, err)
		tx, err := conn.Begin(ctx)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, "LOCK TABLE chain_head IN ACCESS EXCLUSIVE MODE")
		require.NoError(t, err)
		return func() {
			_ = tx.Rollback(ctx)
			_ = conn.Close(ctx)
		}
	}
	db, err := sql.Open("sqlite", "file:"+loc)
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)
	return func() {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		_ = conn.Close()
		_ = db.Close()
	}
}
