// Package sqlite keeps a consent log (consent/auditlog) in an embedded
// SQLite file, through the pure-Go modernc.org/sqlite driver: no cgo, no
// server. It is a package of its own so that a program that keeps its log
// in PostgreSQL does not link SQLite.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
	"modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// File is the SQLite consent log at path, created on first use, for
// auditlog.Open:
//
//	clog, err := auditlog.Open(ctx, sqlite.File("consent-log.sqlite"), auditlog.Options{Key: key})
//
// The database runs in WAL mode with synchronous=FULL: every commit fsyncs
// the WAL, so a record is on disk when Record returns, even across a power
// loss; group commit is what keeps that affordable. Writes go through one
// connection (SQLite has one writer at a time anyway) and start with BEGIN
// IMMEDIATE, so that other processes appending to the same file wait on
// busy_timeout instead of failing mid-transaction. Reads use a pool of
// query-only connections that WAL lets run beside the writer.
func File(path string) *Database { return &Database{path: path} }

// Database is a SQLite file that auditlog.Open opens (see File).
type Database struct{ path string }

// OpenEngine opens the file; auditlog.Open calls it.
func (d *Database) OpenEngine(ctx context.Context, c engine.Config) (engine.DB, error) {
	if d == nil {
		// A nil *Database in a non-nil interface: auditlog.Open's own nil
		// check cannot see it, so say here what to pass instead of panicking.
		return nil, errors.New("sqlite: nil *Database: create it with sqlite.File(path)")
	}
	return open(ctx, d.path, c)
}

// walCheckpointPages is the writer's wal_autocheckpoint: 10000 pages of
// 4 KiB, a WAL of about 40 MiB. Measured with BenchmarkRecord, it cut the
// CPU per durable record by a tenth against the default 1000.
const walCheckpointPages = 10000

// db is the engine.DB of a SQLite file.
type db struct {
	w, r *sql.DB

	// The writer's connections, each pinned with the statements prepared
	// on it. Transactions are BEGIN IMMEDIATE and COMMIT statements
	// prepared once, not database/sql transactions, which parse both
	// statements again and start a goroutine for every transaction.
	//
	// free is a stack, so that consecutive transactions run on the same
	// connection: one that sees another connection's commit must drop its
	// page cache and read the pages again. sem holds a token per free
	// connection.
	mu     sync.Mutex
	free   []*writerConn
	closed bool
	sem    chan struct{}
	n      int // how many connections were opened
}

// writerConns is how many transactions may run at once: the writer
// goroutine's, and one for Purge or Checkpoint to wait on busy_timeout
// behind it (BEGIN IMMEDIATE keeps their writes apart).
const writerConns = 2

// writerConn is one pinned writer connection.
type writerConn struct {
	c *sql.Conn
	// stmts caches statements prepared on c: parsing a batch's INSERT
	// again for every commit costs more than executing it.
	stmts map[string]*sql.Stmt
}

// stmt returns the statement for q prepared on this connection. Prepared
// on the transaction's own connection, it sees tables created earlier in
// the same transaction.
func (wc *writerConn) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := wc.stmts[q]; ok {
		return st, nil
	}
	if len(wc.stmts) >= 1024 {
		wc.closeStmts()
	}
	st, err := wc.c.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	wc.stmts[q] = st
	return st, nil
}

func (wc *writerConn) closeStmts() {
	for q, st := range wc.stmts {
		_ = st.Close()
		delete(wc.stmts, q)
	}
}

// begin starts a write transaction. BEGIN IMMEDIATE is the one statement
// of a write that waits, for the lock another process holds, so it runs
// under ctx itself, which auditlog.Options.WriteTimeout bounds. Once the
// lock is held nothing waits (a WAL commit never waits for readers, and
// the automatic checkpoint is passive), so the rest go through run.
func (wc *writerConn) begin(ctx context.Context) error {
	st, err := wc.stmt(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		_, err = st.ExecContext(ctx)
	}
	return err
}

// run executes q uncancelled (see uncancelled).
func (wc *writerConn) run(ctx context.Context, q string) error {
	ctx, err := uncancelled(ctx)
	if err != nil {
		return err
	}
	st, err := wc.stmt(ctx, q)
	if err == nil {
		_, err = st.ExecContext(ctx)
	}
	return err
}

// uncancelled is the context the writer's statements run under once the
// write lock is held (see begin): checked before each statement, but not
// passed down, because the driver starts a goroutine to watch every
// statement run under a context that can end, which measured about a
// third of a batch's time.
func uncancelled(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func open(ctx context.Context, path string, c engine.Config) (*db, error) {
	if path == "" {
		return nil, errors.New("auditlog: sqlite path is empty")
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
	// The writer checkpoints the WAL into the database every
	// walCheckpointPages pages instead of SQLite's 1000: the pages every
	// commit touches (chain head, index leaves, the table's last page)
	// are copied once per checkpoint however often they were rewritten,
	// so rarer checkpoints copy less per record. The WAL file is reused
	// after each checkpoint, so it stays at that size on disk.
	w, err := sql.Open("sqlite", base+"&_pragma=wal_autocheckpoint("+strconv.Itoa(walCheckpointPages)+")")
	if err != nil {
		return nil, fmt.Errorf("auditlog: open sqlite %q: %w", path, err)
	}
	w.SetMaxOpenConns(writerConns)
	w.SetMaxIdleConns(writerConns)
	e := &db{w: w, sem: make(chan struct{}, writerConns)}
	for range writerConns {
		c, err := connect(ctx, w)
		if err != nil {
			_ = e.Close()
			return nil, fmt.Errorf("auditlog: open sqlite %q: %w", path, err)
		}
		e.free = append(e.free, &writerConn{c: c, stmts: make(map[string]*sql.Stmt)})
		e.sem <- struct{}{}
		e.n++
	}
	e.r, err = sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("auditlog: open sqlite %q: %w", path, err)
	}
	e.r.SetMaxOpenConns(c.ReadConns)
	e.r.SetMaxIdleConns(c.ReadConns)
	return e, nil
}

// connect opens a connection, which applies the DSN's pragmas. Switching a
// new database to WAL needs its exclusive lock, and SQLite answers
// SQLITE_BUSY at once, without its busy handler, to a connection that
// would otherwise deadlock with another doing the same: several processes
// opening one new log at once. connect retries that for as long as
// busy_timeout would have waited.
func connect(ctx context.Context, db *sql.DB) (*sql.Conn, error) {
	deadline := time.Now().Add(openBusyTimeout)
	wait := time.Millisecond
	for {
		c, err := db.Conn(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code() != sqliteBusy || time.Now().After(deadline) {
			return c, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait + time.Duration(rand.Int64N(int64(wait)))):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// openBusyTimeout matches the DSN's busy_timeout.
const openBusyTimeout = 10 * time.Second

// sqliteBusy is SQLite's result code SQLITE_BUSY.
const sqliteBusy = 5

func (e *db) Write(ctx context.Context, fn func(tx engine.Tx) error) error {
	wc, err := e.acquire(ctx)
	if err != nil {
		return err
	}
	defer e.release(wc)
	if err := wc.begin(ctx); err != nil {
		return err
	}
	t := &sqlTx{q: wc.c, wc: wc}
	err = fn(t)
	if err == nil {
		err = t.err
	}
	if err == nil {
		if err = wc.run(ctx, "COMMIT"); err == nil {
			return nil
		}
	}
	e.rollback(wc)
	return err
}

// acquire takes the most recently used free connection, waiting for one
// while both are busy.
func (e *db) acquire(ctx context.Context) (*writerConn, error) {
	select {
	case <-e.sem:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		e.sem <- struct{}{} // let the next one see closed too
		return nil, engine.ErrClosed
	}
	wc := e.free[len(e.free)-1]
	e.free = e.free[:len(e.free)-1]
	return wc, nil
}

func (e *db) release(wc *writerConn) {
	e.mu.Lock()
	e.free = append(e.free, wc)
	e.mu.Unlock()
	e.sem <- struct{}{}
}

// rollback ends a failed transaction. SQLite may have rolled it back
// already (after an I/O error, for example), which is fine; a connection
// that cannot roll back is replaced, so that it never starts the next
// transaction inside this one.
func (e *db) rollback(wc *writerConn) {
	// A deadline of its own: the caller's context may be why it failed.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := wc.run(ctx, "ROLLBACK")
	if err == nil || strings.Contains(err.Error(), "no transaction is active") {
		return
	}
	wc.closeStmts()
	// Returning driver.ErrBadConn from Raw makes database/sql discard
	// the connection instead of pooling it.
	_ = wc.c.Raw(func(any) error { return driver.ErrBadConn })
	_ = wc.c.Close()
	if c, err := e.w.Conn(ctx); err == nil {
		wc.c = c
	}
	// Otherwise the closed connection fails every later transaction
	// with an error, which is what the caller should see.
}

func (e *db) Snapshot(ctx context.Context, fn func(q engine.Querier) error) error {
	tx, err := e.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to lose
	return fn(&sqlTx{q: tx})
}

func (e *db) Reader() engine.Querier { return sqlDB{e.r} }

func (e *db) Name() string { return "sqlite" }

// Close waits for running transactions to end, then closes everything;
// a write after Close fails with engine.ErrClosed.
func (e *db) Close() error {
	for range e.n {
		<-e.sem
	}
	e.mu.Lock()
	e.closed = true
	errs := make([]error, 0, len(e.free)+2)
	for _, wc := range e.free {
		wc.closeStmts()
		errs = append(errs, wc.c.Close())
	}
	e.free = nil
	e.mu.Unlock()
	e.sem <- struct{}{} // wakes a late write, which then fails with ErrClosed
	if e.r != nil {
		errs = append(errs, e.r.Close())
	}
	return errors.Join(append(errs, e.w.Close())...)
}

// sqlTx and sqlDB adapt database/sql to the engine interfaces. Only a
// writer's sqlTx, which has wc set, may DeferExec and CachedRow.
type sqlTx struct {
	q interface {
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	}
	wc  *writerConn
	err error // the first DeferExec failure
}

func (t *sqlTx) Query(ctx context.Context, q string, args ...any) (engine.Rows, error) {
	r, err := t.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (t *sqlTx) QueryRow(ctx context.Context, q string, args ...any) engine.Row {
	return t.q.QueryRowContext(ctx, q, args...)
}

func (t *sqlTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := t.q.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeferExec runs the append path's statements, prepared once on the
// writer's connection and cached.
func (t *sqlTx) DeferExec(ctx context.Context, q string, args ...any) {
	if t.err != nil {
		return
	}
	ctx, err := uncancelled(ctx)
	if err != nil {
		t.err = err
		return
	}
	st, err := t.wc.stmt(ctx, q)
	if err == nil {
		_, err = st.ExecContext(ctx, args...)
	}
	t.err = err
}

func (t *sqlTx) CachedRow(ctx context.Context, q string, args ...any) engine.Row {
	ctx, err := uncancelled(ctx)
	if err != nil {
		return errRow{err}
	}
	st, err := t.wc.stmt(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// errRow is a row whose Scan fails.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

type sqlDB struct{ db *sql.DB }

func (d sqlDB) Query(ctx context.Context, q string, args ...any) (engine.Rows, error) {
	r, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (d sqlDB) QueryRow(ctx context.Context, q string, args ...any) engine.Row {
	return d.db.QueryRowContext(ctx, q, args...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }
