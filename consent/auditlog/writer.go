package auditlog

// The writer: one goroutine per Log that group-commits whatever Record
// calls queued, one transaction a batch (see appendBatch for what a batch
// writes).

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

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
