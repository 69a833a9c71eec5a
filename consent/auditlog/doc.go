// Package auditlog is the durable, tamper-evident consent log that lets a
// site demonstrate every consent decision under GDPR Art. 7(1).
//
// A *Log implements consent.Store on top of SQLite (embedded, through the
// pure-Go modernc.org/sqlite driver) or PostgreSQL (through pgx, for several
// app instances sharing one database). Record returns only after the record
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
// HashRecord). The chain is not keyed, so anyone holding a JSON Lines export
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
// An attacker who can write to the database but lacks the key can still
// replay an older signed chain head after truncating the tail; the
// checkpoints signed since then reveal it. Keep the key outside the
// database, and copy Verify reports or checkpoints elsewhere when stronger
// guarantees are needed.
//
// # Reading
//
// Query, History and DailyCounts serve auditors; NewReviewHandler mounts a
// server-rendered review page with CSV and JSON Lines exports behind an
// authorizer, and HistoryHandler lets a visitor see the decisions made under
// their own consent ID. Reads use connections of their own, so they never
// hold the writer up for long.
package auditlog
