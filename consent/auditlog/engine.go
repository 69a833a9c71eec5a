package auditlog

import (
	"context"
	"strconv"
	"strings"
)

// engine hides what differs between SQLite and PostgreSQL: pools,
// transactions, how appends are serialised, and a few words of SQL. Every
// statement is written once with ? placeholders; the PostgreSQL engine
// rewrites them to $n.
type engine interface {
	// write runs fn in a read-write transaction on the writer's
	// connection and commits when fn returns nil.
	write(ctx context.Context, fn func(tx execer) error) error
	// snapshot runs fn in a read-only transaction that sees one consistent
	// state of the database, on a read connection.
	snapshot(ctx context.Context, fn func(q queryer) error) error
	// reader serves one-off reads on the read connections.
	reader() queryer
	// dialect returns the SQL that differs between the engines.
	dialect() *dialect
	close() error
}

// dialect is the SQL that cannot be shared between the engines.
type dialect struct {
	name string
	// migrations[i] takes the schema from version i to i+1.
	migrations [][]string
	// lockMigrations serialises concurrent Opens on one database (empty
	// when the write transaction already excludes other writers).
	lockMigrations string
	// lockHead reads the chain head and holds it until commit, which is
	// what serialises appends from every process.
	lockHead string
	// casAppend, when not empty, is a statement format whose %s is a
	// data-modifying statement, such as the INSERT of a batch, to run
	// only if the head still is (old seq, hash): its first five
	// parameters set the head to (new seq, hash, mac) where it is (old
	// seq, hash), and it fails when the head moved. It lets an append
	// skip reading the head first.
	casAppend string
}

type queryer interface {
	query(ctx context.Context, sql string, args ...any) (rows, error)
	queryRow(ctx context.Context, sql string, args ...any) row
}

type execer interface {
	queryer
	exec(ctx context.Context, sql string, args ...any) (int64, error)
	// deferExec queues a statement whose result only matters at commit:
	// its error, if any, fails the commit. PostgreSQL sends the queue with
	// the COMMIT in one round trip; SQLite, in-process, runs it at once.
	deferExec(ctx context.Context, sql string, args ...any)
	// cachedRow is queryRow for the append path's reads: like deferExec,
	// the statement may be prepared once and kept, so it may only touch
	// tables that exist once the log is open.
	cachedRow(ctx context.Context, sql string, args ...any) row
}

// rows is the part of *sql.Rows and pgx.Rows the package uses.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type row interface {
	Scan(dest ...any) error
}

// rebindDollar rewrites ? placeholders as $1, $2, … for PostgreSQL. The
// package's statements never hold a ? inside a literal.
func rebindDollar(q string) string {
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
