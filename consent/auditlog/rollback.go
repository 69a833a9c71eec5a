package auditlog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// Rollback detection by a running Log: see "Threat model" in the package
// docs. The head a Log knows is checked by lockHead, in the statement that
// locks the head for an append.

// lockHeadSQL is the dialect's lockHead with the hash of the record at a
// given position.
func lockHeadSQL(d *dialect) string {
	q := `SELECT seq, hash, mac, COALESCE((SELECT hash FROM consent_records WHERE seq = ?), '')
		FROM chain_head WHERE id = 1`
	if strings.HasSuffix(d.lockHead, "FOR UPDATE") {
		q += ` FOR UPDATE`
	}
	return q
}

// checkRollback fails with ErrRolledBack unless the chain whose head is h
// still holds known, the head this Log saw committed: h is not older, and
// the record at known's position still has known's hash (stored), or a
// signed purge deleted it. Other instances may have appended since.
func (l *Log) checkRollback(ctx context.Context, tx engine.Tx, h, known chainHead, stored string) error {
	var why string
	switch {
	case known.seq == 0:
		return nil
	case h.seq < known.seq:
		why = fmt.Sprintf("the database's chain head is at position %d, but this log committed position %d", h.seq, known.seq)
	case h.seq == known.seq && h.hash != known.hash:
		why = fmt.Sprintf("the database's chain head at position %d is not the one this log committed", h.seq)
	case stored == known.hash:
		return nil
	case stored != "":
		why = fmt.Sprintf("the record at position %d is not the one this log committed", known.seq)
	default:
		purged, err := l.purgedThrough(ctx, tx, known.seq)
		if err != nil {
			return err
		}
		if purged {
			return nil
		}
		why = fmt.Sprintf("the record at position %d that this log committed is gone", known.seq)
	}
	if !l.rolledBack.Swap(true) {
		l.opts.Logger.Error("auditlog: CONSENT LOG ROLLED BACK: refusing to append; run Verify and restore the database",
			"reason", why, "database_head", h.seq, "committed_head", known.seq)
	}
	return fmt.Errorf("%w: %s", ErrRolledBack, why)
}

// purgedThrough reports whether a validly signed purge deleted the records
// up to seq, which is how the record at a known head may legitimately go.
func (l *Log) purgedThrough(ctx context.Context, tx engine.Tx, seq int64) (bool, error) {
	rs, err := tx.Query(ctx, `SELECT id, kind, seq, hash, ts, purged_before, purged, mac FROM checkpoints
		WHERE kind = ? AND seq >= ?`, string(CheckpointPurge), seq)
	if err != nil {
		return false, fmt.Errorf("read purge checkpoints: %w", err)
	}
	defer rs.Close()
	found := false
	for rs.Next() {
		var cp Checkpoint
		var kind string
		var ts, before int64
		if err := rs.Scan(&cp.ID, &kind, &cp.Seq, &cp.Hash, &ts, &before, &cp.Purged, &cp.MAC); err != nil {
			return false, err
		}
		cp.Kind, cp.Time, cp.PurgedBefore = CheckpointKind(kind), fromMicro(ts), fromMicro(before)
		found = found || l.sign.valid(checkpointMessage(&cp), cp.MAC)
	}
	return found, rs.Err()
}

// loadKnownHead starts the rollback check from the database's head and,
// with a witness, from the newest validly signed head it holds, so that a
// database rolled back while no Log was running is refused too.
func (l *Log) loadKnownHead(ctx context.Context) error {
	var h chainHead
	err := l.eng.Reader().QueryRow(ctx, `SELECT seq, hash, mac FROM chain_head WHERE id = 1`).Scan(&h.seq, &h.hash, &h.mac)
	if err != nil {
		return fmt.Errorf("auditlog: read chain head: %w", err)
	}
	if l.sign.valid(headMessage(h.seq, h.hash), h.mac) {
		l.known.Store(&h)
	} // else appends fail with ErrChainHeadInvalid anyway
	if l.opts.Witness == nil {
		return nil
	}
	heads, err := l.opts.Witness.Heads(ctx)
	if err != nil && !errors.Is(err, ErrWitnessDamaged) {
		return fmt.Errorf("auditlog: read witness: %w", err)
	}
	for i := range heads {
		w := &heads[i]
		if k := l.known.Load(); (k == nil || w.Seq > k.seq) && l.sign.valid(witnessMessage(w), w.MAC) {
			l.known.Store(&chainHead{seq: w.Seq, hash: w.Hash})
		}
	}
	return nil
}

// witness appends the signed head at seq to Options.Witness. A failure is
// logged and counted, not returned to Record's callers: their records are
// committed, only not yet proven complete.
func (l *Log) witness(seq int64, hash string) error {
	ctx, cancel := context.WithTimeout(context.Background(), l.opts.WriteTimeout)
	defer cancel()
	err := l.opts.Witness.Append(ctx, l.signHead(seq, hash, l.now()))
	if err != nil {
		l.witnessFailed.Add(1)
		l.opts.Logger.Error("auditlog: the witness refused a signed head: records after the last witnessed one are not proven complete",
			"seq", seq, "err", err)
		return fmt.Errorf("auditlog: witness head %d: %w", seq, err)
	}
	return nil
}
