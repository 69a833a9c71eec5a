package auditlog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// Log is a durable, tamper-evident consent log. It implements consent.Store.
// A Log is safe for concurrent use; Close it to stop its writer.
type Log struct {
	eng  engine.DB
	d    *dialect
	opts Options
	// lockHeadQ is lockHeadSQL for this Log's dialect.
	lockHeadQ string
	sign      signer

	// mu guards closed and the send side of reqs: Record holds it shared
	// while queueing, Close exclusively while closing the queue, so no
	// record is ever sent on a closed channel.
	mu      sync.RWMutex
	closed  bool
	reqs    chan *pending
	stopped chan struct{}

	batches, records, failed, witnessFailed atomic.Int64

	// known is the newest chain head this Log saw committed: its own last
	// append, the head at Open, or the newest witnessed head, whichever is
	// newest. Every append checks that the database still holds it (see
	// checkRollback). It only moves forward.
	known atomic.Pointer[chainHead]
	// rolledBack is set while a rollback is being reported, so that the
	// loud log line is written once, not once per batch.
	rolledBack atomic.Bool

	// The writer goroutine's own state, never touched by others.
	buf         []byte
	texts       map[string]bool // banner texts known to be stored, by SHA-256
	insertSQL   map[int]string  // INSERT statements by row count, negative within casAppend
	lastText    string
	lastTextSH  string
	guess       *chainHead    // the head this Log committed last
	commitTime  time.Duration // running average of one commit
	batchCP     *Checkpoint   // the last checkpoint appendBatch signed, nil if none
	unwitnessed bool          // records were committed after the last witnessed head
}

var _ consent.Store = (*Log)(nil)

// pending is one Record call waiting for its batch to commit.
type pending struct {
	ctx  context.Context
	rec  consent.Record
	done chan error
}

// open migrates the database and starts the writer; it owns eng from here.
func open(ctx context.Context, eng engine.DB, d *dialect, opts Options) (*Log, error) {
	l := &Log{
		eng:       eng,
		d:         d,
		opts:      opts,
		sign:      signer{key: opts.Key},
		reqs:      make(chan *pending, opts.MaxBatch),
		stopped:   make(chan struct{}),
		texts:     make(map[string]bool),
		insertSQL: make(map[int]string),
	}
	l.lockHeadQ = lockHeadSQL(l.d)
	if err := l.migrate(ctx); err != nil {
		_ = eng.Close()
		return nil, err
	}
	if err := l.loadKnownHead(ctx); err != nil {
		_ = eng.Close()
		return nil, err
	}
	go l.run()
	return l, nil
}

// Record durably appends rec to the log (see consent.Store). It returns
// after the transaction holding rec has committed, or with an error when
// it failed, in which case rec is not in the log.
//
// When ctx is cancelled while the record waits for its batch, Record
// returns ctx.Err() at once, but the record may still be committed if its
// batch had already started: the caller must treat it as "unknown", which
// is why the decision endpoint then sets no cookie. A record whose context
// is already done when its batch is formed is left out.
//
// A record with a zero Time gets the Log's clock. Invalid UTF-8 and NUL
// bytes in its strings are replaced with U+FFFD before hashing, because
// PostgreSQL text cannot hold them.
func (l *Log) Record(ctx context.Context, rec consent.Record) error {
	if !validConsentID(rec.ConsentID) {
		id := rec.ConsentID
		if len(id) > 40 {
			id = id[:40] + "…"
		}
		return fmt.Errorf("%w: consent ID %q is not 32 lower-case hex digits", ErrInvalidRecord, id)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pending{ctx: ctx, rec: normalize(rec, l.opts.Now()), done: make(chan error, 1)}
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return ErrClosed
	}
	select {
	case l.reqs <- p:
		l.mu.RUnlock()
	case <-ctx.Done():
		l.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close waits for queued records to be committed, stops the writer and
// closes the database connections. Record calls after Close fail with
// ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.reqs)
	l.mu.Unlock()
	<-l.stopped
	var werr error
	if l.unwitnessed {
		// The last records would otherwise wait for the next checkpoint,
		// which may come after an attacker had the database to himself.
		if h := l.known.Load(); h != nil {
			werr = l.witness(h.seq, h.hash)
		}
	}
	return errors.Join(werr, l.eng.Close())
}

// run is the writer: it takes whatever is queued, up to MaxBatch records,
// and commits it as one transaction, so that concurrent callers share one
// fsync. It never waits for a batch to fill beyond the size recent load
// reached: a lone caller is committed at once, and the queue fills by
// itself while a commit is under way.
func (l *Log) run() {
	defer close(l.stopped)
	batch := make([]*pending, 0, l.opts.MaxBatch)
	peak := 0 // the largest recent batch: about how many callers there are
	for p := range l.reqs {
		batch = append(batch[:0], p)
		// Callers woken by the previous commit are runnable but may not
		// have queued again yet. Yielding lets them join this batch
		// instead of waiting a whole commit for the next one: a commit's
		// fixed cost (fsync, chain head, wake-ups) is then shared by all
		// of them. The yields stop once the batch is as large as the
		// recent peak, so a lone caller never waits, or after maxYields
		// yields and an eighth of a typical commit's time, whichever is
		// later: a straggler that is being scheduled on the other core
		// arrives within that, and one that does not come costs little.
		// The peak decays by one a batch, so after load drops only a
		// few batches wait in vain.
		more := true
		start := time.Now()
		for try := 0; more && (try == 0 || len(batch) < peak) &&
			(try < maxYields || time.Since(start) < l.commitTime/8); try++ {
			runtime.Gosched()
			batch, more = l.drain(batch)
		}
		peak = max(len(batch), peak-1)
		began := time.Now()
		l.commit(batch)
		// A running average, each sample capped at four times it, so that
		// a WAL checkpoint now and then does not stretch the waits.
		took := time.Since(began)
		if l.commitTime == 0 {
			l.commitTime = took
		} else {
			l.commitTime += (min(took, 4*l.commitTime) - l.commitTime) / 8
		}
		clear(batch)
	}
}

// maxYields bounds how long the writer waits for a batch to reach its
// recent peak size: long enough for a handful of woken callers to run
// Record again on a busy machine, short against a commit.
const maxYields = 128

// drain adds what is queued to batch, up to MaxBatch, without waiting; it
// reports false once the queue is closed.
func (l *Log) drain(batch []*pending) ([]*pending, bool) {
	for len(batch) < l.opts.MaxBatch {
		select {
		case p, ok := <-l.reqs:
			if !ok {
				return batch, false
			}
			batch = append(batch, p)
		default:
			return batch, true
		}
	}
	return batch, true
}

func (l *Log) commit(batch []*pending) {
	live := make([]*pending, 0, len(batch))
	for _, p := range batch {
		if err := p.ctx.Err(); err != nil {
			p.done <- err
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.opts.WriteTimeout)
	var newTexts []string
	var head chainHead
	attempt := func(guess *chainHead) error {
		return l.eng.Write(ctx, func(tx engine.Tx) error {
			var err error
			newTexts, head, err = l.appendBatch(ctx, tx, live, guess)
			return err
		})
	}
	var err error
	if l.guess != nil && l.d.casAppend != "" {
		// One round trip when the head is where this Log left it; when
		// another instance moved it, the transaction fails as a whole
		// and the batch is appended again after reading the head.
		err = attempt(l.guess)
		if err != nil {
			l.guess = nil
			err = attempt(nil)
		}
	} else {
		err = attempt(nil)
	}
	cancel()
	l.guess = nil
	if err == nil {
		l.guess = &head
		l.known.Store(l.guess) // never changed in place, so shared
		l.rolledBack.Store(false)
		if l.opts.Witness != nil {
			l.unwitnessed = true
			// Before the callers hear back, so that a record whose batch
			// crossed a checkpoint is witnessed when Record returns.
			if cp := l.batchCP; cp != nil && l.witness(cp.Seq, cp.Hash) == nil {
				l.unwitnessed = cp.Seq < head.seq
			}
		}
	}
	l.batches.Add(1)
	if err != nil {
		l.failed.Add(int64(len(live)))
		err = fmt.Errorf("auditlog: commit %d records: %w", len(live), err)
	} else {
		l.records.Add(int64(len(live)))
		if len(l.texts) > 1024 {
			clear(l.texts) // banner texts change rarely; forget old ones
		}
		for _, sh := range newTexts {
			l.texts[sh] = true
		}
	}
	for _, p := range live {
		p.done <- err
	}
}

// Stats counts the writer's work since Open.
type Stats struct {
	// Batches is how many group commits ran; Records how many records
	// they committed, so Records/Batches is the average batch size.
	Batches, Records int64
	// Failed is how many records failed to commit.
	Failed int64
	// WitnessFailed is how many signed heads Options.Witness refused.
	// The records stay committed, but they are not proven complete until
	// a later head is witnessed.
	WitnessFailed int64
}

// Stats returns the writer's counters, for monitoring.
func (l *Log) Stats() Stats {
	return Stats{Batches: l.batches.Load(), Records: l.records.Load(), Failed: l.failed.Load(),
		WitnessFailed: l.witnessFailed.Load()}
}

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
	var cps []Checkpoint
	l.batchCP = nil
	for _, p := range batch {
		rec := &p.rec
		seq++
		l.buf = appendRecord(l.buf[:0], seq, rec, prev)
		sum := sha256.Sum256(l.buf)
		hashHex := hex.EncodeToString(sum[:])
		sh := l.textSHA(rec.BannerText)
		if sh != "" && !l.texts[sh] && !contains(newTexts, sh) {
			newTexts = append(newTexts, sh)
			textArgs = append(textArgs, sh, rec.BannerText)
		}
		args, l.buf = appendRecordArgs(args, l.buf, seq, rec, sh, prevHex, hashHex)
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
