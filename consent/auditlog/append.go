package auditlog

// The append path: what one batch's transaction does to extend the chain.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// chainHead is the signed end of the chain.
type chainHead struct {
	seq       int64
	hash, mac string
}

// lockHead reads the chain head under the chain lock and checks its
// signature, so that an altered head is never re-signed by an append, and
// that the database still holds the head this Log knows, so that nothing
// is appended on top of a rolled-back chain. For an append (forAppend),
// the record at the known position is read by the same statement, at no
// extra round trip, and must still be there: Checkpoint and Purge only
// sign or delete what is there, and Verify judges the records.
func (l *Log) lockHead(ctx context.Context, tx engine.Tx, forAppend bool) (chainHead, error) {
	var h chainHead
	known := l.known.Load()
	var err error
	var stored string // the hash of the record at known.seq, "" when none
	if forAppend {
		var knownSeq int64
		if known != nil {
			knownSeq = known.seq
		}
		err = tx.CachedRow(ctx, l.lockHeadQ, knownSeq).Scan(&h.seq, &h.hash, &h.mac, &stored)
	} else {
		err = tx.CachedRow(ctx, l.d.lockHead).Scan(&h.seq, &h.hash, &h.mac)
		if known != nil {
			stored = known.hash
		}
	}
	if err != nil {
		return h, fmt.Errorf("read chain head: %w", err)
	}
	if !l.sign.valid(headMessage(h.seq, h.hash), h.mac) {
		return h, ErrChainHeadInvalid
	}
	if known != nil {
		if err := l.checkRollback(ctx, tx, h, *known, stored); err != nil {
			return h, err
		}
	}
	return h, nil
}

// maxInsertRows keeps one INSERT under SQLite's and PostgreSQL's limits on
// bound parameters (32766 and 65535).
const maxInsertRows = 512

// appendBatch extends the chain with the batch's records inside tx and
// returns the banner texts it stored for the first time.
//
// With guess, the head this Log committed last, it does not wait for the
// head to be read: it queues a compare-and-swap of the head that fails the
// transaction unless the head is still guess (dialect casAppend), together
// with the inserts, so the whole append travels in one round trip and, on
// PostgreSQL, as one statement. The swap's UPDATE takes the head's row
// lock itself: when another instance holds it, the UPDATE waits, then
// finds the head moved and fails.
func (l *Log) appendBatch(ctx context.Context, tx engine.Tx, batch []*pending, guess *chainHead) ([]string, chainHead, error) {
	var head chainHead
	var err error
	if guess != nil {
		head = *guess
	} else if head, err = l.lockHead(ctx, tx, true); err != nil {
		return nil, head, err
	}
	prev, err := decodeHash(head.hash)
	if err != nil {
		return nil, head, fmt.Errorf("chain head: %w", err)
	}
	prevHex := head.hash
	seq := head.seq
	args := make([]any, 0, len(batch)*recordColumnCount)
	var textArgs []any
	var newTexts []string
	var shownArgs []any
	var shownHashes []string
	var cps []Checkpoint
	l.batchCP = nil
	for _, p := range batch {
		rec := &p.rec
		seq++
		l.buf = appendRecord(l.buf[:0], HashVersion, seq, rec, prev)
		sum := sha256.Sum256(l.buf)
		hashHex := hex.EncodeToString(sum[:])
		sh := l.textSHA(rec.BannerText)
		if sh != "" && !l.texts[sh] && !contains(newTexts, sh) {
			newTexts = append(newTexts, sh)
			textArgs = append(textArgs, sh, rec.BannerText)
		}
		args, l.buf = appendRecordArgs(args, l.buf, seq, rec, sh, prevHex, hashHex)
		if s := rec.Shown; s != nil && !contains(shownHashes, rec.ShownHash) {
			shownHashes = append(shownHashes, rec.ShownHash)
			shownArgs = append(shownArgs, rec.ShownHash, s.HTML, string(appendProvidersJSON(nil, s.Providers)), rec.Time.UnixMicro())
		}
		if seq%int64(l.opts.CheckpointEvery) == 0 {
			cps = append(cps, Checkpoint{Kind: CheckpointPeriodic, Seq: seq, Hash: hashHex, Time: l.now()})
		}
		prev, prevHex = sum, hashHex
	}
	// Everything below is deferred: on PostgreSQL it travels with the
	// COMMIT, and a failure fails the commit as a whole.
	newHead := chainHead{seq: seq, hash: prevHex, mac: l.sign.mac(headMessage(seq, prevHex))}
	// The head first: every append takes its lock before any other, so
	// that two instances storing the same banner text cannot deadlock.
	if guess != nil && len(batch) <= maxInsertRows {
		cas := []any{newHead.seq, newHead.hash, newHead.mac, guess.seq, guess.hash}
		tx.DeferExec(ctx, l.insertRecordsSQL(len(batch), true), append(cas, args...)...)
		args = nil
	} else if guess != nil {
		// First, so that a moved head fails before anything is inserted.
		tx.DeferExec(ctx, fmt.Sprintf(l.d.casAppend, "SELECT 1"),
			newHead.seq, newHead.hash, newHead.mac, guess.seq, guess.hash)
	} else {
		tx.DeferExec(ctx, `UPDATE chain_head SET seq = ?, hash = ?, mac = ? WHERE id = 1`,
			newHead.seq, newHead.hash, newHead.mac)
	}
	if len(textArgs) > 0 {
		tx.DeferExec(ctx, `INSERT INTO banner_texts (sha, text) VALUES `+placeholders(len(textArgs)/2, 2)+
			` ON CONFLICT (sha) DO NOTHING`, textArgs...)
	}
	if len(shownArgs) > 0 {
		// Kept once: the first record under a snapshot brings it, the
		// others (and other instances) find it there.
		tx.DeferExec(ctx, `INSERT INTO banner_snapshots (hash, html, providers, created) VALUES `+
			placeholders(len(shownArgs)/4, 4)+` ON CONFLICT (hash) DO NOTHING`, shownArgs...)
	}
	for len(args) > 0 {
		n := min(len(args)/recordColumnCount, maxInsertRows)
		if l.d.name == "sqlite" {
			// In-process, one prepared single-row INSERT per record is
			// cheaper: a multi-row INSERT makes SQLite keep a statement
			// journal, which measured 30% slower.
			n = 1
		}
		tx.DeferExec(ctx, l.insertRecordsSQL(n, false), args[:n*recordColumnCount]...)
		args = args[n*recordColumnCount:]
	}
	for i := range cps {
		l.insertCheckpoint(ctx, tx, &cps[i])
	}
	if len(cps) > 0 {
		// Only the last one is witnessed: the chain up to it holds the
		// others.
		l.batchCP = &cps[len(cps)-1]
	}
	return newTexts, newHead, nil
}

// textSHA returns the hex SHA-256 under which a banner text is stored, or
// "" for no text. Consecutive records nearly always carry the same text, so
// the last one is remembered.
func (l *Log) textSHA(text string) string {
	if text == "" {
		return ""
	}
	if text != l.lastText || l.lastTextSH == "" {
		sum := sha256.Sum256([]byte(text))
		l.lastText, l.lastTextSH = text, hex.EncodeToString(sum[:])
	}
	return l.lastTextSH
}

// insertRecordsSQL returns the INSERT of n records, within the dialect's
// casAppend when cas is set.
func (l *Log) insertRecordsSQL(n int, cas bool) string {
	key := n
	if cas {
		key = -n
	}
	q, ok := l.insertSQL[key]
	if !ok {
		q = `INSERT INTO consent_records (` + recordColumns + `) VALUES ` + placeholders(n, recordColumnCount)
		if cas {
			q = fmt.Sprintf(l.d.casAppend, q)
		}
		if l.d.name == "postgres" {
			// Rewritten once here rather than on every batch.
			q = engine.Rebind(q)
		}
		l.insertSQL[key] = q
	}
	return q
}

// placeholders returns "(?, ?), (?, ?)" for rows rows of cols columns.
func placeholders(rows, cols int) string {
	one := "(" + strings.Repeat("?, ", cols-1) + "?)"
	return strings.Repeat(one+", ", rows-1) + one
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (l *Log) now() time.Time {
	return time.UnixMicro(l.opts.Now().UnixMicro()).UTC()
}
