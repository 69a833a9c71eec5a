package auditlog

import (
	"context"
	"fmt"
	"time"

	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// CheckpointKind says why a checkpoint was written.
type CheckpointKind string

// The kinds of checkpoint.
const (
	// CheckpointPeriodic is written every Options.CheckpointEvery records.
	CheckpointPeriodic CheckpointKind = "periodic"
	// CheckpointManual is written by Log.Checkpoint.
	CheckpointManual CheckpointKind = "manual"
	// CheckpointPurge anchors the chain after Log.Purge deleted the records
	// up to and including Seq: the first remaining record must follow it.
	CheckpointPurge CheckpointKind = "purge"
)

// Checkpoint is a signed statement that the chain held the record at Seq
// with hash Hash at Time. Its MAC is HMAC-SHA256 with Options.Key over
// every other field.
type Checkpoint struct {
	ID   int64          `json:"id"`
	Kind CheckpointKind `json:"kind"`
	Seq  int64          `json:"seq"`
	Hash string         `json:"hash"`
	Time time.Time      `json:"time"`
	// PurgedBefore is the cut-off time of a purge: records older than it
	// were deleted. Zero for other kinds.
	PurgedBefore time.Time `json:"purged_before,omitzero"`
	// Purged is how many records a purge deleted.
	Purged int64  `json:"purged,omitempty"`
	MAC    string `json:"mac"`
}

// insertCheckpoint signs cp and queues its insertion in tx.
func (l *Log) insertCheckpoint(ctx context.Context, tx engine.Tx, cp *Checkpoint) {
	cp.MAC = l.sign.mac(checkpointMessage(cp))
	tx.DeferExec(ctx, `INSERT INTO checkpoints (kind, seq, hash, ts, purged_before, purged, mac)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(cp.Kind), cp.Seq, cp.Hash, cp.Time.UnixMicro(), toMicro(cp.PurgedBefore), cp.Purged, cp.MAC)
}

// Checkpoint signs the current end of the chain now, for example before a
// backup or an audit, and returns the checkpoint. On an empty log it signs
// position 0. With Options.Witness, the head is witnessed too: calling
// Checkpoint on a timer bounds by time, not only by CheckpointEvery, how
// many records a rollback could remove unproven. It fails with
// ErrRolledBack when the database lost a head this Log committed.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	var cp Checkpoint
	err := l.eng.Write(ctx, func(tx engine.Tx) error {
		head, err := l.lockHead(ctx, tx, false)
		if err != nil {
			return err
		}
		cp = Checkpoint{Kind: CheckpointManual, Seq: head.seq, Hash: head.hash, Time: l.now()}
		l.insertCheckpoint(ctx, tx, &cp)
		return nil
	})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("auditlog: checkpoint: %w", err)
	}
	if l.opts.Witness != nil {
		if err := l.witness(cp.Seq, cp.Hash); err != nil {
			return cp, fmt.Errorf("auditlog: the checkpoint at position %d is stored but not witnessed: %w", cp.Seq, err)
		}
	}
	return cp, nil
}

// Checkpoints returns every checkpoint in the order written.
func (l *Log) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	cps, err := readCheckpoints(ctx, l.eng.Reader())
	if err != nil {
		return nil, fmt.Errorf("auditlog: read checkpoints: %w", err)
	}
	return cps, nil
}

func readCheckpoints(ctx context.Context, q engine.Querier) ([]Checkpoint, error) {
	rs, err := q.Query(ctx, `SELECT id, kind, seq, hash, ts, purged_before, purged, mac FROM checkpoints ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []Checkpoint
	for rs.Next() {
		var cp Checkpoint
		var kind string
		var ts, before int64
		if err := rs.Scan(&cp.ID, &kind, &cp.Seq, &cp.Hash, &ts, &before, &cp.Purged, &cp.MAC); err != nil {
			return nil, err
		}
		cp.Kind = CheckpointKind(kind)
		cp.Time = fromMicro(ts)
		cp.PurgedBefore = fromMicro(before)
		out = append(out, cp)
	}
	return out, rs.Err()
}

// PurgeResult tells what Purge did.
type PurgeResult struct {
	// Purged is how many records were deleted.
	Purged int64
	// Anchor is the signed purge checkpoint that the remaining chain now
	// starts from; zero when nothing was deleted.
	Anchor Checkpoint
}

// Purge deletes the records older than olderThan, so the log keeps personal
// data no longer than needed, and signs a purge checkpoint that anchors the
// first remaining record, so that Verify still passes and a deletion of
// further records is still detected. The purge itself is on record in the
// checkpoint table. Only a prefix of the chain is deleted: a record older
// than olderThan that follows a newer one (clocks of several instances
// disagree) is kept until everything before it goes.
//
// Banner texts are kept: they are few, hold no personal data, and the
// writer relies on a text, once stored, staying stored.
//
// Purge is meant to be scheduled by the application, for example daily;
// PurgeExpired applies Options.Retention.
func (l *Log) Purge(ctx context.Context, olderThan time.Time) (PurgeResult, error) {
	var res PurgeResult
	err := l.eng.Write(ctx, func(tx engine.Tx) error {
		head, err := l.lockHead(ctx, tx, false)
		if err != nil {
			return err
		}
		var first int64
		err = tx.QueryRow(ctx, `SELECT COALESCE(MIN(seq), 0) FROM consent_records WHERE ts >= ?`,
			olderThan.UnixMicro()).Scan(&first)
		if err != nil {
			return fmt.Errorf("find first record to keep: %w", err)
		}
		anchorHash := head.hash
		if first == 0 {
			first = head.seq + 1
		} else if err := tx.QueryRow(ctx, `SELECT prev_hash FROM consent_records WHERE seq = ?`, first).
			Scan(&anchorHash); err != nil {
			return fmt.Errorf("read anchor: %w", err)
		}
		n, err := tx.Exec(ctx, `DELETE FROM consent_records WHERE seq < ?`, first)
		if err != nil {
			return fmt.Errorf("delete records: %w", err)
		}
		if n == 0 {
			return nil
		}
		res.Purged = n
		res.Anchor = Checkpoint{Kind: CheckpointPurge, Seq: first - 1, Hash: anchorHash, Time: l.now(),
			PurgedBefore: time.UnixMicro(olderThan.UnixMicro()).UTC(), Purged: n}
		l.insertCheckpoint(ctx, tx, &res.Anchor)
		return nil
	})
	if err != nil {
		return PurgeResult{}, fmt.Errorf("auditlog: purge: %w", err)
	}
	return res, nil
}

// PurgeExpired deletes the records older than Options.Retention (see
// Purge).
func (l *Log) PurgeExpired(ctx context.Context) (PurgeResult, error) {
	return l.Purge(ctx, l.opts.Now().Add(-l.opts.Retention))
}

func toMicro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicro(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}
