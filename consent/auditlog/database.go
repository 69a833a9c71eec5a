package auditlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// Database is where a Log keeps its records: sqlite.File (embedded, one
// host) or postgres.DSN (several app instances on one chain), from the
// packages consent/auditlog/sqlite and consent/auditlog/postgres. They are
// packages of their own so that a program links only the driver it uses.
//
// Its method is the contract between auditlog and those two packages; its
// types are internal, so no other package can implement it.
type Database interface {
	// OpenEngine connects to the database. Open calls it once.
	OpenEngine(ctx context.Context, c engine.Config) (engine.DB, error)
}

// Open opens the consent log in db, creating the tables on first use and
// applying pending migrations, and starts its writer:
//
//	clog, err := auditlog.Open(ctx, sqlite.File("consent-log.sqlite"), auditlog.Options{Key: key})
//
// It fails with ErrNoKey without a valid Options.Key, and with ErrWrongKey
// when the log was created with another key.
func Open(ctx context.Context, db Database, opts Options) (*Log, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("auditlog: no database: pass sqlite.File(path) or postgres.DSN(dsn)")
	}
	eng, err := db.OpenEngine(ctx, engine.Config{ReadConns: opts.ReadConns, MaxCachedArgs: maxTextArgs})
	if err != nil {
		return nil, err
	}
	d, ok := dialects[eng.Name()]
	if !ok {
		_ = eng.Close()
		return nil, fmt.Errorf("auditlog: unknown database engine %q", eng.Name())
	}
	return open(ctx, eng, d, opts)
}

// maxTextArgs is the engine.Config.MaxCachedArgs of every Log: an append
// of 64 records, with the head's compare-and-swap. PostgreSQL keeps a
// prepared statement per shape up to that size (see TestLargeBatch).
const maxTextArgs = 64*recordColumnCount + 5

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

// dialects are the dialects by engine.DB.Name.
var dialects = map[string]*dialect{
	sqliteDialect.name:   &sqliteDialect,
	postgresDialect.name: &postgresDialect,
}

var sqliteDialect = dialect{
	name:       "sqlite",
	migrations: [][]string{schemaV1("INTEGER", "INTEGER PRIMARY KEY"), schemaV2SQLite, schemaShown("INTEGER", ""), schemaRegions(""), schemaV3SQLite},
	lockHead:   `SELECT seq, hash, mac FROM chain_head WHERE id = 1`,
}

var postgresDialect = dialect{
	name:       "postgres",
	migrations: [][]string{schemaV1("BIGINT", "BIGSERIAL PRIMARY KEY"), schemaV2Postgres, schemaShown("BIGINT", "IF NOT EXISTS "), schemaRegions("IF NOT EXISTS "), schemaV3Postgres},
	// The key is arbitrary but fixed: every consentkit instance on the
	// database must take the same lock.
	lockMigrations: `SELECT pg_advisory_xact_lock(7243781127766011)`,
	lockHead:       `SELECT seq, hash, mac FROM chain_head WHERE id = 1 FOR UPDATE`,
	// Dividing by the number of rows updated raises division_by_zero when
	// the head moved: plain SQL has no other way to fail on no match. A
	// data-modifying WITH runs to completion whatever the main query
	// reads, and the error rolls all of it back. The main query reads u,
	// so the head's UPDATE, and its row lock, come before the INSERT in
	// i, which runs after the main query.
	// The head's record must still be there too: a table truncated under
	// an intact head then fails the swap, and the append falls back to
	// lockHead, which tells a purge from a rollback (checkRollback).
	casAppend: `WITH u AS (UPDATE chain_head SET seq = ?, hash = ?, mac = ?
		WHERE id = 1 AND seq = ? AND hash = ?
		AND EXISTS (SELECT 1 FROM consent_records r WHERE r.seq = chain_head.seq AND r.hash = chain_head.hash)
		RETURNING 1), i AS (%s) SELECT 1 / COUNT(*) FROM u`,
}
