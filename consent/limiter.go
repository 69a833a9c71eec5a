package consent

import (
	"fmt"
	"hash/maphash"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Default values of WriteLimits.
const (
	defaultWritesPerAddress = 30
	defaultWritesPerID      = 5
)

// WriteLimits bounds how fast one network or one browser can add records to
// the consent log, through the decision endpoint or by replaying a cookie
// with Sec-GPC: 1 (each such replay was a withdrawal record). Without it one
// client wrote 2,000 records a second. A decision over the limit is answered
// 429 with Retry-After, nothing written and no cookie changed; a GPC
// withdrawal over the limit is honoured for the request and recorded on a
// later one.
//
// The limits are token buckets kept in memory, per Manager: a fixed-size
// table (8,192 addresses and as many IDs, 256 KiB in all) where an address
// that has not written for a while makes room for a new one. They bound what
// one client does to one process; they are not a substitute for a rate
// limit in front of the site (see the README's Security section).
type WriteLimits struct {
	// PerAddress is how many records a minute one pseudonymised address
	// (the /24 or /48 the log keeps, see Config.ClientIP) may write,
	// sustained. Default is 30: one /24 can be a whole office or a mobile
	// carrier's shared address pool, every visitor of which decides once.
	// Loopback and private addresses are not limited: they are a reverse
	// proxy's, and mean Config.ClientIP is not set (New's Manager warns
	// once). A negative value turns the address limit off.
	PerAddress int
	// AddressBurst is how many records an address may write at once
	// before PerAddress applies. Default is twice PerAddress.
	AddressBurst int
	// PerID is how many records a minute may be written under one consent
	// ID: a visitor changing their mind, or a GPC withdrawal. Default is 5.
	// A negative value turns the ID limit off.
	PerID int
	// IDBurst is how many records one ID may write at once. Default is
	// twice PerID.
	IDBurst int
}

// normalize fills the defaults of l and checks it; New calls it through
// Config.normalize.
func (l *WriteLimits) normalize() error {
	for _, f := range []struct {
		rate, burst *int
		def         int
		name        string
	}{{&l.PerAddress, &l.AddressBurst, defaultWritesPerAddress, "Address"}, {&l.PerID, &l.IDBurst, defaultWritesPerID, "ID"}} {
		if *f.rate == 0 {
			*f.rate = f.def
		}
		if *f.burst < 0 || (*f.rate < 0 && *f.burst != 0) {
			return fmt.Errorf("%w: WriteLimits.%sBurst is %d; use a positive burst, or 0 for the default (twice the rate)",
				ErrBadConfig, f.name, *f.burst)
		}
		if *f.rate > 0 && *f.burst == 0 {
			*f.burst = 2 * *f.rate
		}
	}
	return nil
}

// writeLimiter holds the buckets of a Manager's WriteLimits.
type writeLimiter struct {
	addr, id *rateTable // nil when off
}

func newWriteLimiter(l WriteLimits) *writeLimiter {
	return &writeLimiter{addr: newRateTable(l.PerAddress, l.AddressBurst), id: newRateTable(l.PerID, l.IDBurst)}
}

// allow takes one write from the buckets of addr and of id (hasID false: a
// first decision, which has none yet), and says how long to wait when one
// of them is empty. The ID is checked first, so that replaying one cookie
// does not use up its network's writes.
func (l *writeLimiter) allow(addr netip.Prefix, id *[16]byte, now time.Time) (time.Duration, bool) {
	t := now.UnixNano()
	if id != nil && l.id != nil {
		if wait, ok := l.id.take(maphash.Bytes(l.id.seed, id[:]), t); !ok {
			return wait, false
		}
	}
	if l.addr != nil && !exemptAddr(addr) {
		var b [17]byte
		a := addr.Addr().As16()
		copy(b[:], a[:])
		b[16] = byte(addr.Bits())
		return l.addr.take(maphash.Bytes(l.addr.seed, b[:]), t)
	}
	return 0, true
}

// exemptAddr reports whether the address limit skips p: loopback and
// private networks are where reverse proxies live, and limiting a proxy
// limits every visitor behind it. An address that did not parse is not
// exempt: all of them share one bucket.
func exemptAddr(p netip.Prefix) bool {
	a := p.Addr()
	return a.IsValid() && (a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast())
}

// A rateTable is a fixed-size table of token buckets, kept as GCRA
// "theoretical arrival times": one int64 per key, no timer, no allocation.
// Keys are hashed with the table's own seed, so nobody can choose keys that
// crowd one slot group. A key's slot group has rateWays slots; a new key
// takes the one whose bucket is fullest (the oldest arrival time), which
// is an empty slot or a key that has not written for the longest. Evicting a
// key whose bucket is not yet full again gives it a fresh burst: bounded
// memory costs that much precision under a flood of distinct keys.
type rateTable struct {
	seed   maphash.Seed
	every  int64 // nanoseconds per write at the sustained rate
	window int64 // every × burst
	shards [rateShards]rateShard
}

const (
	rateShards = 16
	rateGroups = 64 // slot groups per shard
	rateWays   = 8  // slots per group
)

type rateShard struct {
	mu    sync.Mutex
	slots [rateGroups * rateWays]rateSlot
	_     [64]byte // keep shards' locks off each other's cache lines
}

type rateSlot struct {
	key uint64 // 0: empty
	tat int64  // when the bucket is full again, Unix nanoseconds
}

// newRateTable makes a table for perMinute writes a minute with burst; nil
// when perMinute is negative (off).
func newRateTable(perMinute, burst int) *rateTable {
	if perMinute < 0 {
		return nil
	}
	every := int64(time.Minute) / int64(perMinute)
	return &rateTable{seed: maphash.MakeSeed(), every: every, window: every * int64(burst)}
}

// take takes one token from key's bucket at time now (Unix nanoseconds),
// or reports how long until there is one.
func (t *rateTable) take(key uint64, now int64) (time.Duration, bool) {
	if key == 0 {
		key = 1
	}
	s := &t.shards[key%rateShards]
	g := (key / rateShards) % rateGroups * rateWays
	s.mu.Lock()
	defer s.mu.Unlock()
	slots := s.slots[g : g+rateWays]
	slot := &slots[0]
	for i := range slots {
		if slots[i].key == key {
			slot = &slots[i]
			break
		}
		if slots[i].tat < slot.tat {
			slot = &slots[i]
		}
	}
	if slot.key != key {
		*slot = rateSlot{key: key}
	}
	tat := max(slot.tat, now) + t.every
	if tat-now > t.window {
		return time.Duration(tat - now - t.window), false
	}
	slot.tat = tat
	return 0, true
}

// A withdrawnSet remembers, by a hash of the value, the consent cookies a
// GPC signal has already withdrawn from. The cookie is rewritten after a
// withdrawal, but the old value still verifies until it expires, so
// without this a client replaying it with Sec-GPC: 1 wrote a record on
// every request. It holds 16,384 values in 128 KiB; a value evicted from it
// can be recorded once more, within the ID's WriteLimits.
type withdrawnSet struct {
	seed   maphash.Seed
	shards [16]withdrawnShard
}

type withdrawnShard struct {
	mu  sync.Mutex
	set [256][4]uint64 // per group, most recent first; 0: empty
}

func newWithdrawnSet() *withdrawnSet { return &withdrawnSet{seed: maphash.MakeSeed()} }

func (w *withdrawnSet) locate(v string) (*withdrawnShard, *[4]uint64, uint64) {
	h := maphash.String(w.seed, v)
	if h == 0 {
		h = 1 // 0 is an empty slot
	}
	s := &w.shards[h%16]
	return s, &s.set[(h/16)%256], h
}

// claim records v as withdrawn and reports whether it was not already.
func (w *withdrawnSet) claim(v string) bool {
	s, g, h := w.locate(v)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range g {
		if x == h {
			return false
		}
	}
	copy(g[1:], g[:3])
	g[0] = h
	return true
}

// release forgets v, when its withdrawal could not be recorded.
func (w *withdrawnSet) release(v string) {
	s, g, h := w.locate(v)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range g {
		if x == h {
			copy(g[i:], g[i+1:])
			g[3] = 0
			return
		}
	}
}

// retryAfter is a Retry-After value: whole seconds, at least one.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(max(int64((d+time.Second-1)/time.Second), 1), 10)
}
