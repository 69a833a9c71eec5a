// Package auditlog is the durable, tamper-evident consent log that lets a
// site demonstrate every consent decision under GDPR Art. 7(1).
//
// A *Log implements consent.Store on top of SQLite (embedded, through the
// pure-Go modernc.org/sqlite driver) or PostgreSQL (through pgx, for several
// app instances sharing one database). Each engine is a package of its own,
// consent/auditlog/sqlite and consent/auditlog/postgres, so that a program
// links only the driver it uses; Open takes what they return:
//
//	clog, err := auditlog.Open(ctx, sqlite.File("consent-log.sqlite"), auditlog.Options{Key: key})
//	clog, err := auditlog.Open(ctx, postgres.DSN(dsn), auditlog.Options{Key: key})
//
// Record returns only after the record
// is committed: SQLite runs in WAL mode with synchronous=FULL, so the WAL is
// fsynced at every commit, and PostgreSQL commits with its default
// synchronous_commit=on. Concurrent Record calls are group-committed: one
// writer goroutine per Log drains a queue into one transaction, so many
// callers share one fsync.
//
// # Tamper evidence
//
// Records form a hash chain. Each row keeps its position (seq, gap-free from
// 1), the previous row's hash and its own hash: SHA-256 over a versioned,
// length-prefixed encoding of every field and the previous hash (see
// HashRecord; a row stored under an older encoding verifies under its own,
// see HashRecordVersion). The chain is not keyed, so anyone holding a JSON Lines export
// can recompute it without the secret. What the chain alone cannot stop, a
// rewrite of the whole tail with recomputed hashes, is caught by HMAC-SHA256
// signatures made with Options.Key, which never lives in the database:
//
//   - a chain head row, signed and updated in the same transaction as every
//     append, so deleting even the last record is detected;
//   - checkpoints every Options.CheckpointEvery records and on demand
//     (Checkpoint), each signing (seq, hash, time);
//   - purge anchors: Purge deletes old records and signs the position and
//     hash the remaining chain starts from.
//
// Verify walks the chain in order and reports the first break: a changed,
// deleted, inserted or reordered record, a gap, a bad signature, or a
// truncated tail. Appends are serialised in the database (BEGIN IMMEDIATE on
// SQLite; on PostgreSQL, the chain head row's lock, taken by the append's
// compare-and-swap UPDATE of the head or, when that finds the head moved,
// by SELECT … FOR UPDATE), never in Go, so any number of processes can
// append to one chain.
//
// # Threat model
//
// The attacker considered can read and write the database (its files, its
// -wal, its backups, or a PostgreSQL role) but does not hold Options.Key.
//
// What is detected without the key, by Verify alone: a changed, deleted,
// inserted, reordered or forged record anywhere before the signed head; a
// tail rewritten with recomputed hashes (the head or a checkpoint
// disagrees); records deleted while the signed head or a later checkpoint
// stays; a forged or altered checkpoint, head or purge anchor.
//
// What Verify alone cannot detect: a rollback. Old signed heads can be
// recovered (from SQLite's -wal file, a backup, a replica), so an attacker
// can delete the newest records together with the checkpoints after them
// and put back the head signed when the chain ended there: the database
// is then exactly an older, valid state of the log. Report.ProvenSeq and
// Report.Unproven say how far a checkpoint covers the chain, which holds
// only against an attacker who left the checkpoints in place, and a log
// that no checkpoint covers at all gets a warning.
//
// What a running Log detects: it remembers the newest head it saw
// committed, and every append checks, in the statement that locks the
// head, that the database still holds it: the head is not older and the
// record at that position still has its hash (unless a signed purge
// deleted it). Otherwise Record fails with ErrRolledBack (so do Checkpoint
// and Purge on an older head), and one error line goes to Options.Logger. A Log that
// is restarted after the rollback starts from the database's head, so it
// notices only with a witness.
//
// What a witness adds: with Options.Witness (NewFileWitness, or any store
// the attacker cannot reach), every checkpoint's head and the last head at
// Close are appended outside the database, signed. Verify then reports
// BreakRolledBack when the chain ends before the newest witnessed head, or
// BreakRewritten when a witnessed position holds another record, and a
// restarted Log refuses to append. What stays unproven is what was
// acknowledged after the last witnessed head, at most CheckpointEvery-1
// records plus those since a crash; call Checkpoint on a timer to bound it
// by time as well. A witness entry that does not verify is a
// BreakSignature; a torn last line (a crash mid-write) is a warning.
//
// What is not detected: anything done by whoever holds the key, who can
// sign any chain, checkpoint or witnessed head (keep the key out of the
// database and off its host, and rotate it by starting a new log); a
// rollback within the unproven tail; a rollback while the witness is
// lost too, or edited by someone who can write it (its entries are signed,
// so it can lose heads but not gain them). After ErrRolledBack, restore
// the database from a backup that holds the witnessed head; to accept the
// loss knowingly instead, move the witness file aside and start a new one.
//
// # Reading
//
// Query, History and DailyCounts serve auditors; NewReviewHandler mounts a
// server-rendered review page with CSV and JSON Lines exports behind an
// authorizer, and HistoryHandler lets a visitor see the decisions made under
// their own consent ID. Reads use connections of their own, so they never
// hold the writer up for long.
package auditlog
