package auditlog

import (
	"context"
	"errors"
	"fmt"
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
	if err := checkShown(&rec); err != nil {
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
