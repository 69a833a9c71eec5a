// Package postgres keeps a consent log (consent/auditlog) in PostgreSQL,
// through pgx, for several app instances that share one chain. It is a
// package of its own so that a program that keeps its log in SQLite does
// not link pgx.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DSN is the PostgreSQL consent log at dsn, for auditlog.Open. dsn is a
// pgx connection string, such as "postgres://user@host/db?sslmode=disable";
// add search_path=name to keep the tables in a schema of their own.
//
//	clog, err := auditlog.Open(ctx, postgres.DSN(os.Getenv("DATABASE_URL")), auditlog.Options{Key: key})
//
// Any number of app instances may open the same database: appends lock the
// chain head row inside their transaction, so all of them extend one
// chain, and migrations run under an advisory lock. An append whose head
// the Log knows from its previous one is a single statement, a
// compare-and-swap of the head with the INSERT, in one round trip; when
// another instance moved the head, it fails as a whole and is retried
// after SELECT … FOR UPDATE reads the head. The writer and the readers use
// separate pools.
func DSN(dsn string) *Database { return &Database{dsn: dsn} }

// Database is a PostgreSQL database that auditlog.Open opens (see DSN).
type Database struct{ dsn string }

// OpenEngine connects to the database; auditlog.Open calls it.
func (d *Database) OpenEngine(ctx context.Context, c engine.Config) (engine.DB, error) {
	if d == nil {
		// A nil *Database in a non-nil interface: auditlog.Open's own nil
		// check cannot see it, so say here what to pass instead of panicking.
		return nil, errors.New("postgres: nil *Database: create it with postgres.DSN(dsn)")
	}
	return open(ctx, d.dsn, c)
}

// db is the engine.DB of a PostgreSQL database.
type db struct {
	w, r *pgxpool.Pool
	// maxTextArgs is the most arguments a statement sent by sendText
	// may have (engine.Config.MaxCachedArgs).
	maxTextArgs int
}

func open(ctx context.Context, dsn string, c engine.Config) (*db, error) {
	newPool := func(conns int32) (*pgxpool.Pool, error) {
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			// The parse error may quote the DSN, password included.
			return nil, errors.New("auditlog: invalid postgres connection string")
		}
		cfg.MaxConns = conns
		if cfg.ConnConfig.ConnectTimeout == 0 {
			// A server that is down must fail Record promptly, not after
			// the kernel's TCP timeout.
			cfg.ConnConfig.ConnectTimeout = 5 * time.Second
		}
		return pgxpool.NewWithConfig(ctx, cfg)
	}
	// One writer connection is all a Log uses: the chain lock serialises
	// appends anyway. A second one lets Purge and Checkpoint wait for it
	// without taking a reader's place.
	w, err := newPool(2)
	if err != nil {
		return nil, err
	}
	if err := w.Ping(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("auditlog: connect to postgres: %w", err)
	}
	r, err := newPool(int32(c.ReadConns))
	if err != nil {
		w.Close()
		return nil, err
	}
	return &db{w: w, r: r, maxTextArgs: c.MaxCachedArgs}, nil
}

// write runs fn in a transaction that costs at most two round trips
// however many statements it holds: BEGIN travels with the first statement
// fn waits on (for an append, the chain head lock), and the deferred
// statements travel with the COMMIT. An append whose head the Log already
// knows waits on nothing and takes one round trip (see pgWriteTx). Round
// trips, not the server's work, dominate a small batch's latency on a busy
// machine.
func (e *db) Write(ctx context.Context, fn func(tx engine.Tx) error) error {
	c, err := e.w.Acquire(ctx)
	if err != nil {
		return err
	}
	// Release destroys a connection left inside a transaction, so an
	// error anywhere below cannot leak an open transaction into the pool.
	defer c.Release()
	t := &pgWriteTx{conn: c.Conn(), maxTextArgs: e.maxTextArgs}
	if err := fn(t); err != nil {
		t.rollback()
		return err
	}
	if err := t.commit(ctx); err != nil {
		t.rollback()
		return err
	}
	return nil
}

func (e *db) Snapshot(ctx context.Context, fn func(q engine.Querier) error) error {
	return pgx.BeginTxFunc(ctx, e.r, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error { return fn(pgxQ{tx}) })
}

func (e *db) Reader() engine.Querier { return pgxQ{e.r} }

func (e *db) Name() string { return "postgres" }

func (e *db) Close() error {
	e.r.Close()
	e.w.Close()
	return nil
}

// pgxQ adapts a pgx pool or transaction to the engine interfaces.
type pgxQ struct {
	q interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	}
}

func (p pgxQ) Query(ctx context.Context, q string, args ...any) (engine.Rows, error) {
	r, err := p.q.Query(ctx, engine.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (p pgxQ) QueryRow(ctx context.Context, q string, args ...any) engine.Row {
	return p.q.QueryRow(ctx, engine.Rebind(q), args...)
}

// pgWriteTx is a transaction whose statements are pipelined: queued ones
// wait until the next statement that needs an answer, or the commit.
//
// A transaction that needs no answer before its commit, such as an append
// whose head this Log already knows, is sent as one pipeline without BEGIN
// and COMMIT: PostgreSQL runs the statements between two Sync messages as
// one implicit transaction, committed at the Sync, or rolled back as a
// whole when one fails. That spares two statements per append.
type pgWriteTx struct {
	conn        *pgx.Conn
	begun       bool // an explicit BEGIN was sent
	queue       []pgQueued
	maxTextArgs int
}

type pgQueued struct {
	sql  string
	args []any
}

func (t *pgWriteTx) add(q string, args ...any) {
	t.queue = append(t.queue, pgQueued{q, args})
}

// send runs the queued statements, after a BEGIN when explicit; last, when
// not nil, reads the result of the last one.
func (t *pgWriteTx) send(ctx context.Context, explicit bool, last func(br pgx.BatchResults) error) error {
	b := &pgx.Batch{}
	if explicit && !t.begun {
		b.Queue("BEGIN")
		t.begun = true
	}
	for _, q := range t.queue {
		b.Queue(q.sql, q.args...)
	}
	t.queue = t.queue[:0]
	n := b.Len()
	br := t.conn.SendBatch(ctx, b)
	var err error
	for i := 0; i < n-1 && err == nil; i++ {
		_, err = br.Exec()
	}
	if err == nil && n > 0 {
		if last != nil {
			err = last(br)
		} else {
			_, err = br.Exec()
		}
	}
	// Close repeats the first statement error; report it once.
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// commit sends what is queued and commits: with COMMIT after an explicit
// BEGIN, else as one implicit transaction.
func (t *pgWriteTx) commit(ctx context.Context) error {
	if t.begun {
		t.add("COMMIT")
	}
	if len(t.queue) == 0 {
		return nil
	}
	if !t.begun {
		if sent, err := t.sendText(ctx); sent {
			return err
		}
	}
	return t.send(ctx, false, nil)
}

// sendText sends the queued statements as one implicit transaction through
// pgconn, every parameter encoded here as text in one buffer, sized in a
// first pass. pgx encodes one argument at a time through its type map,
// which for a batch's few hundred arguments measured 1-4% fewer records a
// second and 30% more garbage a record; PostgreSQL reads an integer's text
// as cheaply as its binary form. It
// reports false, having sent nothing, when an argument is neither a string
// nor an int64, or a statement has more than maxTextArgs arguments.
//
// Its statements are prepared on the connection and kept, one per shape
// (an append of n records is a shape per n); the argument cap bounds how
// many there can be, and larger batches go through pgx, whose statement
// cache evicts.
func (t *pgWriteTx) sendText(ctx context.Context) (bool, error) {
	n, size := 0, 0
	for _, q := range t.queue {
		if len(q.args) > t.maxTextArgs {
			return false, nil
		}
		for _, a := range q.args {
			switch a := a.(type) {
			case string:
				size += len(a)
			case int64:
				size += 20
			default:
				return false, nil
			}
		}
		n += len(q.args)
	}
	buf := make([]byte, 0, size)
	ends := make([]int, 0, n)
	for _, q := range t.queue {
		for _, a := range q.args {
			switch a := a.(type) {
			case string:
				buf = append(buf, a...)
			case int64:
				buf = strconv.AppendInt(buf, a, 10)
			}
			ends = append(ends, len(buf))
		}
	}
	values := make([][]byte, n)
	start := 0
	for i, end := range ends {
		values[i] = buf[start:end:end]
		start = end
	}
	b := &pgconn.Batch{}
	for _, q := range t.queue {
		// Prepared once a connection; later calls are a map lookup.
		sd, err := t.conn.Prepare(ctx, q.sql, q.sql)
		if err != nil {
			return true, err
		}
		b.ExecStatement(sd, values[:len(q.args)], nil, nil)
		values = values[len(q.args):]
	}
	t.queue = t.queue[:0]
	_, err := t.conn.PgConn().ExecBatch(ctx, b).ReadAll()
	return true, err
}

func (t *pgWriteTx) rollback() {
	if t.begun && !t.conn.IsClosed() {
		// A short deadline of its own: the caller's context may be the
		// reason for the rollback.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = t.conn.Exec(ctx, "ROLLBACK")
	}
}

func (t *pgWriteTx) DeferExec(_ context.Context, q string, args ...any) {
	t.add(engine.Rebind(q), args...)
}

func (t *pgWriteTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	t.add(engine.Rebind(q), args...)
	var n int64
	err := t.send(ctx, true, func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

func (t *pgWriteTx) QueryRow(ctx context.Context, q string, args ...any) engine.Row {
	return pgRowFunc(func(dest ...any) error {
		t.add(engine.Rebind(q), args...)
		return t.send(ctx, true, func(br pgx.BatchResults) error { return br.QueryRow().Scan(dest...) })
	})
}

func (t *pgWriteTx) Query(ctx context.Context, q string, args ...any) (engine.Rows, error) {
	if len(t.queue) > 0 || !t.begun {
		if err := t.send(ctx, true, nil); err != nil {
			return nil, err
		}
	}
	return t.conn.Query(ctx, engine.Rebind(q), args...)
}

// CachedRow needs no cache of its own: pgx prepares and keeps every
// statement a connection runs.
func (t *pgWriteTx) CachedRow(ctx context.Context, q string, args ...any) engine.Row {
	return t.QueryRow(ctx, q, args...)
}

// pgRowFunc runs its query only when scanned, so that QueryRow can pipeline.
type pgRowFunc func(dest ...any) error

func (f pgRowFunc) Scan(dest ...any) error { return f(dest...) }
