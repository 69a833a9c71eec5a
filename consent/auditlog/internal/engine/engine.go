// Package engine is the contract between consent/auditlog and the packages
// that run its log on a database, consent/auditlog/sqlite and
// consent/auditlog/postgres. It lives apart from both so that each engine
// is linked only into programs that import it, and so that neither engine
// imports auditlog (whose own tests run on both).
//
// What differs between the engines is hidden here: pools, transactions,
// how appends are serialised. The SQL, written once with ? placeholders,
// stays in auditlog; the PostgreSQL engine rewrites the placeholders to $n.
package engine

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// ErrClosed is auditlog.ErrClosed: a write on a closed DB fails with it.
var ErrClosed = errors.New("auditlog: log is closed")

// Config is what auditlog.Open tells an engine it opens.
type Config struct {
	// ReadConns is how many connections serve reads, apart from the
	// writer's.
	ReadConns int
	// MaxCachedArgs is how many arguments the statement of a common
	// append has at most: an engine that keeps a prepared statement per
	// statement shape keeps those, and sends larger ones through a path
	// whose cache evicts.
	MaxCachedArgs int
}

// DB is an open database.
type DB interface {
	// Name is the engine's name, "sqlite" or "postgres": auditlog picks
	// the SQL that differs between engines by it.
	Name() string
	// Write runs fn in a read-write transaction on the writer's
	// connection and commits when fn returns nil.
	Write(ctx context.Context, fn func(tx Tx) error) error
	// Snapshot runs fn in a read-only transaction that sees one
	// consistent state of the database, on a read connection.
	Snapshot(ctx context.Context, fn func(q Querier) error) error
	// Reader serves one-off reads on the read connections.
	Reader() Querier
	// Close waits for running transactions to end and closes the
	// connections; a Write after Close fails with ErrClosed.
	Close() error
}

// Querier runs reads.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// Tx is a write transaction.
type Tx interface {
	Querier
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
	// DeferExec queues a statement whose result only matters at commit:
	// its error, if any, fails the commit. PostgreSQL sends the queue with
	// the COMMIT in one round trip; SQLite, in-process, runs it at once.
	DeferExec(ctx context.Context, sql string, args ...any)
	// CachedRow is QueryRow for the append path's reads: like DeferExec,
	// the statement may be prepared once and kept, so it may only touch
	// tables that exist once the log is open.
	CachedRow(ctx context.Context, sql string, args ...any) Row
}

// Rows is the part of *sql.Rows and pgx.Rows auditlog uses.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is one row of QueryRow.
type Row interface {
	Scan(dest ...any) error
}

// Rebind rewrites ? placeholders as $1, $2, … for PostgreSQL. auditlog's
// statements never hold a ? inside a literal.
func Rebind(q string) string {
	n := strings.Count(q, "?")
	if n == 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 3*n)
	i := 0
	for {
		j := strings.IndexByte(q, '?')
		if j < 0 {
			b.WriteString(q)
			return b.String()
		}
		i++
		b.WriteString(q[:j])
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(i))
		q = q[j+1:]
	}
}
