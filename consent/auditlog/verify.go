package auditlog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// BreakKind names what Verify found wrong.
type BreakKind string

// The kinds of break Verify reports.
const (
	// BreakModified: a record's contents no longer match its hash.
	BreakModified BreakKind = "modified"
	// BreakDeleted: records are missing at this position, either as a gap
	// in the sequence or deleted with the later records renumbered.
	BreakDeleted BreakKind = "deleted"
	// BreakInserted: the record at this position was never part of the
	// chain.
	BreakInserted BreakKind = "inserted"
	// BreakReordered: the record at this position was moved there from
	// another position.
	BreakReordered BreakKind = "reordered"
	// BreakRewritten: the chain is consistent but disagrees with a signed
	// checkpoint or head: records after the last matching signature were
	// rewritten with recomputed hashes.
	BreakRewritten BreakKind = "rewritten"
	// BreakTruncated: records from this position on are missing although a
	// signed head or checkpoint proves they existed.
	BreakTruncated BreakKind = "truncated"
	// BreakSignature: a checkpoint, the chain head or a witnessed head fails
	// its HMAC (it was forged or altered, or the key is wrong).
	BreakSignature BreakKind = "bad-signature"
	// BreakRolledBack: the witness holds a signed head beyond the end of
	// the chain: acknowledged records were deleted and an older chain head
	// put back, signatures and all.
	BreakRolledBack BreakKind = "rolled-back"
)

// Break is the first place where the log fails verification.
type Break struct {
	// Seq is the position of the first affected record.
	Seq int64 `json:"seq"`
	// ConsentID is the consent ID of the record found at Seq, if any.
	ConsentID string    `json:"consent_id,omitempty"`
	Kind      BreakKind `json:"kind"`
	// Detail explains the break in a sentence.
	Detail string `json:"detail"`
}

// String describes the break in one line, for logs.
func (b *Break) String() string {
	return fmt.Sprintf("%s at position %d: %s", b.Kind, b.Seq, b.Detail)
}

// Report is the result of Verify.
type Report struct {
	// OK is true when the whole chain verified.
	OK bool `json:"ok"`
	// Records is how many records were checked, FirstSeq and LastSeq the
	// positions of the first and last.
	Records  int64 `json:"records"`
	FirstSeq int64 `json:"first_seq"`
	LastSeq  int64 `json:"last_seq"`
	// HeadSeq is the position the signed chain head names.
	HeadSeq int64 `json:"head_seq"`
	// Anchor is the position the chain starts after: 0, or the last
	// record deleted by a purge.
	Anchor int64 `json:"anchor"`
	// Checkpoints is how many signed checkpoints were checked.
	Checkpoints int `json:"checkpoints"`
	// WitnessHeads is how many witnessed heads were checked, 0 without a
	// witness.
	WitnessHeads int `json:"witness_heads"`
	// ProvenSeq is the position up to which the log is provably complete:
	// the newest witnessed head the chain matches when Verify had a
	// witness; without one, the newest signed checkpoint it matches, which
	// proves less, since whoever can delete records can delete the
	// checkpoints after them too. ProvenBy says which ("witness",
	// "checkpoint", "purge" for a purge anchor, "" for nothing).
	ProvenSeq int64  `json:"proven_seq"`
	ProvenBy  string `json:"proven_by,omitempty"`
	// Unproven is how many records follow ProvenSeq: they, and the head,
	// could be cut and rolled back without Verify noticing.
	Unproven int64 `json:"unproven"`
	// Warnings name what weakens the proof without being a break: no
	// checkpoint at all, an unreadable witness entry.
	Warnings []string `json:"warnings,omitempty"`
	// Break is the first break, nil when OK.
	Break *Break `json:"break,omitempty"`
	// CheckedAt is when the verification ran.
	CheckedAt time.Time `json:"checked_at"`
}

// Verify checks the whole log in one consistent snapshot and reports the
// first break in position order, against Options.Witness when set (see
// VerifyWith). The error is for failures to read the database or the
// witness; a log that fails verification is a Report with OK false.
//
// It checks that every checkpoint and the chain head carry a valid
// signature; that records follow each other without gaps from genesis or
// the last purge anchor; that each record's contents hash to its stored
// hash and link to the previous record's hash; that every checkpoint's hash
// matches the record at its position; and that the last record is the one
// the signed head names, which detects the deletion of even the last
// record. Verify reads every record once and keeps only a few in memory.
//
// A database rolled back to an older state of its own, records,
// checkpoints and signed head together, is consistent: only a witness can
// tell. Without one, Report.Unproven says how many records such a rollback
// could have removed, and a log that no checkpoint covers at all gets a
// warning.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	return l.VerifyWith(ctx, l.opts.Witness)
}

// VerifyWith is Verify against the heads of w instead of Options.Witness,
// for example a copy of another instance's witness file; a nil w verifies
// without a witness. Every validly signed head in w must still be in the
// chain (the record at its position has its hash), and the chain must not
// end before the newest of them.
func (l *Log) VerifyWith(ctx context.Context, w Witness) (Report, error) {
	var wit *witnessed
	if w != nil {
		// Read before the snapshot, which then holds every head read:
		// a head is witnessed only after its commit.
		heads, err := w.Heads(ctx)
		if err != nil && !errors.Is(err, ErrWitnessDamaged) {
			return Report{}, fmt.Errorf("auditlog: verify: read witness: %w", err)
		}
		wit = &witnessed{heads: heads, damage: err}
	}
	var rep Report
	err := l.eng.Snapshot(ctx, func(q engine.Querier) error {
		var err error
		rep, err = l.verify(ctx, q, wit)
		return err
	})
	if err != nil {
		return Report{}, fmt.Errorf("auditlog: verify: %w", err)
	}
	return rep, nil
}

// witnessed is what VerifyWith read from a witness.
type witnessed struct {
	heads  []SignedHead
	damage error // wraps ErrWitnessDamaged, or nil
}

func (l *Log) verify(ctx context.Context, q engine.Querier, wit *witnessed) (Report, error) {
	rep := Report{CheckedAt: l.now()}
	var breaks []*Break
	found := func(b *Break) { breaks = append(breaks, b) }

	var head chainHead
	headErr := q.QueryRow(ctx, `SELECT seq, hash, mac FROM chain_head WHERE id = 1`).Scan(&head.seq, &head.hash, &head.mac)
	haveHead := headErr == nil
	rep.HeadSeq = head.seq

	cps, err := readCheckpoints(ctx, q)
	if err != nil {
		return rep, err
	}
	rep.Checkpoints = len(cps)
	bySeq := make(map[int64][]*Checkpoint)
	var anchor *Checkpoint
	for i := range cps {
		cp := &cps[i]
		if !l.sign.valid(checkpointMessage(cp), cp.MAC) {
			found(&Break{Seq: cp.Seq, Kind: BreakSignature,
				Detail: fmt.Sprintf("checkpoint %d (%s) has an invalid signature", cp.ID, cp.Kind)})
			continue
		}
		bySeq[cp.Seq] = append(bySeq[cp.Seq], cp)
		if cp.Kind == CheckpointPurge && (anchor == nil || cp.Seq > anchor.Seq) {
			anchor = cp
		}
	}
	w := walker{l: l, q: q, ctx: ctx, seq: 0, hash: GenesisHash}
	if anchor != nil {
		w.seq, w.hash = anchor.Seq, anchor.Hash
		rep.Anchor = anchor.Seq
		rep.ProvenSeq, rep.ProvenBy = anchor.Seq, "purge"
	}
	// lastGood is the last position whose hash a valid signature confirmed,
	// the point a rewrite must have come after.
	lastGood := w.seq
	// witBySeq holds the validly signed witnessed heads past the anchor;
	// witNewest is the newest of them.
	witBySeq := make(map[int64][]*SignedHead)
	var witNewest *SignedHead
	var cpSeq, witSeq int64 // the newest positions a checkpoint, a witnessed head confirmed
	if wit != nil {
		if wit.damage != nil {
			rep.Warnings = append(rep.Warnings, "witness: "+wit.damage.Error())
		}
		for i := range wit.heads {
			h := &wit.heads[i]
			if !l.sign.valid(witnessMessage(h), h.MAC) {
				found(&Break{Seq: h.Seq, Kind: BreakSignature,
					Detail: fmt.Sprintf("witness entry %d (position %d) has an invalid signature", i+1, h.Seq)})
				continue
			}
			rep.WitnessHeads++
			if h.Seq <= w.seq {
				continue // purged, or the empty chain
			}
			witBySeq[h.Seq] = append(witBySeq[h.Seq], h)
			if witNewest == nil || h.Seq > witNewest.Seq {
				witNewest = h
			}
		}
		if len(wit.heads) == 0 {
			rep.Warnings = append(rep.Warnings, "the witness holds no head yet")
		}
	}

	rs, err := q.Query(ctx, entrySelect+" ORDER BY r.seq")
	if err != nil {
		return rep, err
	}
	defer rs.Close()
	var rowBreak *Break
	for rs.Next() {
		e, err := scanEntry(rs)
		if err != nil {
			return rep, err
		}
		if rep.Records == 0 {
			rep.FirstSeq = e.Seq
		}
		rep.Records++
		rep.LastSeq = e.Seq
		if rowBreak = w.step(&e); rowBreak != nil {
			break
		}
		for _, cp := range bySeq[e.Seq] {
			if cp.Hash != e.Hash {
				rowBreak = &Break{Seq: lastGood + 1, Kind: BreakRewritten,
					Detail: fmt.Sprintf("checkpoint %d signed hash %.12s… for position %d, the record there hashes to %.12s…",
						cp.ID, cp.Hash, cp.Seq, e.Hash)}
				break
			}
			lastGood, cpSeq = e.Seq, e.Seq
		}
		if rowBreak != nil {
			break
		}
		for _, h := range witBySeq[e.Seq] {
			if h.Hash != e.Hash {
				rowBreak = &Break{Seq: lastGood + 1, Kind: BreakRewritten,
					Detail: fmt.Sprintf("the witness signed hash %.12s… for position %d at %s, the record there hashes to %.12s…: the log was rolled back and rewritten",
						h.Hash, h.Seq, h.Time.Format(time.RFC3339), e.Hash)}
				break
			}
			lastGood, witSeq = e.Seq, e.Seq
		}
		if rowBreak != nil {
			break
		}
	}
	if err := rs.Err(); err != nil {
		return rep, err
	}
	rs.Close()
	if rowBreak != nil && rowBreak.Kind == "" {
		w.classifyMoved(&w.moved, rowBreak)
	}
	if rowBreak != nil {
		found(rowBreak)
	} else {
		if witNewest != nil && witNewest.Seq > w.seq {
			found(&Break{Seq: w.seq + 1, Kind: BreakRolledBack,
				Detail: fmt.Sprintf("the witness holds the signed head of position %d (%s), but the chain ends at %d: %d acknowledged records were removed",
					witNewest.Seq, witNewest.Time.Format(time.RFC3339), w.seq, witNewest.Seq-w.seq)})
		}
		l.checkTail(&rep, &w, haveHead, head, cps, lastGood, found)
	}
	l.reportProof(&rep, wit != nil, cpSeq, witSeq)
	for _, b := range breaks {
		if rep.Break == nil || b.Seq < rep.Break.Seq {
			rep.Break = b
		}
	}
	rep.OK = rep.Break == nil
	return rep, nil
}

// reportProof fills in how far the log is provably complete.
func (l *Log) reportProof(rep *Report, withWitness bool, cpSeq, witSeq int64) {
	switch {
	case withWitness && witSeq > rep.ProvenSeq:
		rep.ProvenSeq, rep.ProvenBy = witSeq, "witness"
	case !withWitness && cpSeq > rep.ProvenSeq:
		rep.ProvenSeq, rep.ProvenBy = cpSeq, "checkpoint"
	}
	rep.Unproven = max(0, rep.LastSeq-rep.ProvenSeq)
	if rep.Records > 0 && cpSeq == 0 && witSeq == 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf(
			"no signed checkpoint covers any of the %d records: the log could have been cut to any length without Verify noticing; call Checkpoint and configure Options.Witness",
			rep.Records))
	}
}

// checkTail compares the end of the chain with the signed head and the
// checkpoints, which is what reveals a truncated or rewritten tail.
func (l *Log) checkTail(rep *Report, w *walker, haveHead bool, head chainHead, cps []Checkpoint, lastGood int64, found func(*Break)) {
	for i := range cps {
		cp := &cps[i]
		if cp.Seq > w.seq && l.sign.valid(checkpointMessage(cp), cp.MAC) {
			found(&Break{Seq: w.seq + 1, Kind: BreakTruncated,
				Detail: fmt.Sprintf("checkpoint %d signed position %d but the chain ends at %d", cp.ID, cp.Seq, w.seq)})
			break
		}
	}
	switch {
	case !haveHead:
		found(&Break{Seq: w.seq + 1, Kind: BreakTruncated, Detail: "the signed chain head is missing"})
	case !l.sign.valid(headMessage(head.seq, head.hash), head.mac):
		found(&Break{Seq: min(head.seq, w.seq) + 1, Kind: BreakSignature,
			Detail: fmt.Sprintf("the chain head (position %d) has an invalid signature", head.seq)})
	case head.seq > w.seq:
		found(&Break{Seq: w.seq + 1, Kind: BreakTruncated,
			Detail: fmt.Sprintf("the signed head is at position %d but the last record is %d: %d records are gone",
				head.seq, w.seq, head.seq-w.seq)})
	case head.seq < w.seq:
		found(&Break{Seq: head.seq + 1, Kind: BreakInserted,
			Detail: fmt.Sprintf("records follow the signed head at position %d", head.seq)})
	case head.hash != w.hash:
		found(&Break{Seq: lastGood + 1, Kind: BreakRewritten,
			Detail: fmt.Sprintf("the signed head's hash differs from the last record's: records after %d were rewritten", lastGood)})
	}
}

// walker checks records one at a time against the chain so far.
type walker struct {
	l   *Log
	q   engine.Querier
	ctx context.Context
	// seq and hash are the last position checked (or the anchor); hash2
	// is the hash of the one before it, empty when unknown.
	seq         int64
	hash, hash2 string
	checked     int64
	buf         []byte
	moved       Entry // the record step could not classify yet
}

func (w *walker) step(e *Entry) *Break {
	want := w.seq + 1
	if e.Seq < want {
		return &Break{Seq: e.Seq, ConsentID: e.ConsentID, Kind: BreakInserted,
			Detail: fmt.Sprintf("record %d lies before the start of the chain at %d", e.Seq, want)}
	}
	if e.Seq > want {
		return &Break{Seq: want, Kind: BreakDeleted,
			Detail: fmt.Sprintf("records %d to %d are missing", want, e.Seq-1)}
	}
	contentOK := coveredByVersion(e.HashVersion, &e.Record) && w.hashAt(e, e.Seq, e.PrevHash) == e.Hash
	linkOK := e.PrevHash == w.hash
	brk := &Break{Seq: e.Seq, ConsentID: e.ConsentID}
	switch {
	case contentOK && linkOK:
		w.seq, w.hash2, w.hash = e.Seq, w.hash, e.Hash
		w.checked++
		return nil
	case !linkOK && w.hash2 != "" && e.PrevHash == w.hash2:
		brk.Seq, brk.ConsentID, brk.Kind = w.seq, "", BreakInserted
		brk.Detail = fmt.Sprintf("record %d links to record %d: the record between them was inserted", e.Seq, w.seq-1)
	case !contentOK && linkOK:
		brk.Kind = BreakModified
		brk.Detail = "the record's contents do not match its hash"
	case contentOK:
		// The record is intact but its predecessor is not the one it
		// was chained to: the predecessor was replaced by a record with
		// a recomputed hash.
		if w.checked == 0 {
			brk.Kind = BreakDeleted
			brk.Detail = "the first record does not follow the start of the chain: records before it were deleted or replaced"
		} else {
			brk.Seq, brk.ConsentID, brk.Kind = w.seq, "", BreakModified
			brk.Detail = fmt.Sprintf("record %d was replaced: record %d was chained to a different record", w.seq, e.Seq)
		}
	default:
		// Classifying needs another query, which must wait until the
		// record stream is closed (PostgreSQL runs one query at a time
		// per connection): leave Kind empty and keep the record.
		w.moved = *e
	}
	return brk
}

// classifyMoved explains a record whose contents and link are both wrong:
// it was moved from elsewhere, or records before it were deleted and the
// rest renumbered, or several of its fields were changed.
func (w *walker) classifyMoved(e *Entry, brk *Break) {
	var at int64
	err := w.q.QueryRow(w.ctx, `SELECT seq FROM consent_records WHERE hash = ? AND seq <> ?`, e.PrevHash, e.Seq).Scan(&at)
	if err == nil {
		brk.Kind = BreakReordered
		brk.Detail = fmt.Sprintf("the record here was chained after the record now at position %d", at)
		return
	}
	// Records renumbered after a deletion or insertion hash correctly under
	// their original position; look for it nearby.
	for d := int64(1); d <= 64; d++ {
		for _, orig := range []int64{e.Seq + d, e.Seq - d} {
			if orig > 0 && w.hashAt(e, orig, e.PrevHash) == e.Hash {
				if orig > e.Seq {
					brk.Kind = BreakDeleted
					brk.Detail = fmt.Sprintf("the record here was at position %d: %d records were deleted and the rest renumbered", orig, d)
				} else {
					brk.Kind = BreakInserted
					brk.Detail = fmt.Sprintf("the record here was at position %d: records were inserted before it", orig)
				}
				return
			}
		}
	}
	if w.hashAt(e, e.Seq, w.hash) == e.Hash {
		brk.Kind = BreakModified
		brk.Detail = "the record's link to its predecessor was changed"
		return
	}
	brk.Kind = BreakModified
	brk.Detail = "the record's contents and its link to the previous record were changed"
}

// hashAt returns the hash e would have at position seq after prevHash, or
// "" when prevHash is malformed.
func (w *walker) hashAt(e *Entry, seq int64, prevHash string) string {
	prev, err := decodeHash(prevHash)
	if err != nil {
		return ""
	}
	w.buf = appendRecord(w.buf[:0], e.HashVersion, seq, &e.Record, prev)
	sum := sha256.Sum256(w.buf)
	return hex.EncodeToString(sum[:])
}
