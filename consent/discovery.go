package consent

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Default values of Discovery.
const (
	defaultDiscoverySize   = 512
	defaultSampleCookies   = 16
	defaultFlushEvery      = time.Minute
	defaultReportsPerMin   = 6
	maxDiscoveredNameBytes = 128
)

// Discovery finds the cookies and third-party hosts a site really uses and
// does not declare, from live traffic: cookies its responses set
// (Set-Cookie), cookies its visitors' browsers send back that no response
// set (so a script wrote them), and tracker hosts the loader's runtime
// guard blocked (the loader reports them, host and category only). They are
// counted in a fixed-size table (Space-Saving: the most frequent names are
// kept, a rare one can be pushed out by another) and, when Config.Store
// also implements DiscoveryStore, as auditlog.Log does, added to the store
// every FlushEvery, where the auditor pages list them with a suggested
// declaration (see KnownCookie).
type Discovery struct {
	// Off turns discovery off: nothing is counted and the loader's report
	// endpoint answers 404. Default is on.
	Off bool
	// Size is how many distinct names and hosts are counted between two
	// flushes: memory stays under Size × 400 bytes however many distinct
	// names arrive. Default is 512.
	Size int
	// SampleCookies reads the Cookie header of one request in
	// SampleCookies, chosen at random, so that the cost on the request
	// path is a random number on the others: a cookie every visitor sends
	// is found within a few requests anyway. 1 reads every request.
	// Default is 16.
	SampleCookies int
	// FlushEvery is how often the counts go to the DiscoveryStore; a
	// flush is only scheduled once something was counted. Default is one
	// minute.
	FlushEvery time.Duration
	// ReportsPerMinute is how many reports a minute the report endpoint
	// takes from one pseudonymised address (the /24 or /48), with a burst
	// of twice as many; more are answered 429. Default is 6.
	ReportsPerMinute int
}

// normalize fills the defaults of d and checks it.
func (d *Discovery) normalize() error {
	if d.Size < 0 || d.SampleCookies < 0 || d.FlushEvery < 0 || d.ReportsPerMinute < 0 {
		return fmt.Errorf("%w: Discovery has a negative field; use 0 for the defaults", ErrBadConfig)
	}
	if d.Size == 0 {
		d.Size = defaultDiscoverySize
	}
	if d.SampleCookies == 0 {
		d.SampleCookies = defaultSampleCookies
	}
	if d.FlushEvery == 0 {
		d.FlushEvery = defaultFlushEvery
	}
	if d.ReportsPerMinute == 0 {
		d.ReportsPerMinute = defaultReportsPerMin
	}
	return nil
}

// DiscoveryKind says where a discovered name was seen.
type DiscoveryKind string

// The kinds of Discovered.
const (
	// DiscoveredSetCookie is an undeclared cookie a response of the site
	// set: the server side set it.
	DiscoveredSetCookie DiscoveryKind = "set-cookie"
	// DiscoveredCookie is an undeclared cookie a request carried: a
	// script in the browser set it (or a response the middleware did not
	// see, such as one from another path of the domain).
	DiscoveredCookie DiscoveryKind = "cookie"
	// DiscoveredHost is a tracker host the loader's runtime guard blocked,
	// with the category it was blocked for.
	DiscoveredHost DiscoveryKind = "host"
)

// Discovered is one name or host discovery found, with how often.
type Discovered struct {
	Kind DiscoveryKind `json:"kind"`
	// Name is the cookie name or the host.
	Name string `json:"name"`
	// Category is, for a host, the category the guard blocked it for.
	Category string `json:"category,omitempty"`
	// Count is how many times it was seen (cookies: in sampled requests).
	// Space-Saving may count an entry that pushed another one out with
	// the other's count: an overestimate by at most that much.
	Count int64 `json:"count"`
	// FirstSeen and LastSeen bound when it was seen.
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// DiscoveryStore keeps what Discovery finds across restarts. A Store that
// implements it gets the counts every Discovery.FlushEvery.
//
// AddDiscoveries adds the counts of ds to those stored for the same kind
// and name, keeping the earliest FirstSeen and the latest LastSeen. It is
// called from one goroutine at a time, must honour ctx, and must keep its
// own storage bounded (auditlog keeps the most frequent entries).
type DiscoveryStore interface {
	AddDiscoveries(ctx context.Context, ds []Discovered) error
}

// discoveryKey identifies an entry of a sketch.
type discoveryKey struct {
	kind DiscoveryKind
	name string
}

// sketch counts the most frequent keys in a fixed number of entries with
// the Space-Saving algorithm (Metwally et al., 2005): a key not counted
// yet takes the place of the entry with the lowest count, and starts from
// that count plus one. The entries form a min-heap on count, so finding
// that entry is O(1) and a count going up is O(log size).
type sketch struct {
	mu    sync.Mutex
	size  int
	index map[discoveryKey]int // position in heap
	heap  []Discovered
}

func newSketch(size int) *sketch {
	return &sketch{size: size, index: make(map[discoveryKey]int, size)}
}

// add counts key (kind, name) once at now. It allocates only when the key
// is not counted yet.
func (s *sketch) add(kind DiscoveryKind, name, category string, now time.Time) {
	s.addN(Discovered{Kind: kind, Name: name, Category: category, Count: 1, FirstSeen: now, LastSeen: now})
}

// addN counts d (d.Count times).
func (s *sketch) addN(d Discovered) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[discoveryKey{d.Kind, d.Name}]; ok {
		e := &s.heap[i]
		e.Count += d.Count
		if d.LastSeen.After(e.LastSeen) {
			e.LastSeen = d.LastSeen
		}
		if d.FirstSeen.Before(e.FirstSeen) {
			e.FirstSeen = d.FirstSeen
		}
		if d.Category != "" && e.Category != d.Category {
			e.Category = strings.Clone(d.Category)
		}
		s.down(i)
		return
	}
	// A new key: its strings are copied, so that the request's header is
	// not kept alive.
	d.Name, d.Category = strings.Clone(d.Name), strings.Clone(d.Category)
	if len(s.heap) < s.size {
		s.heap = append(s.heap, d)
		s.index[discoveryKey{d.Kind, d.Name}] = len(s.heap) - 1
		s.up(len(s.heap) - 1)
		return
	}
	min := &s.heap[0]
	delete(s.index, discoveryKey{min.Kind, min.Name})
	d.Count += min.Count
	*min = d
	s.index[discoveryKey{d.Kind, d.Name}] = 0
	s.down(0)
}

func (s *sketch) less(i, j int) bool { return s.heap[i].Count < s.heap[j].Count }

func (s *sketch) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.index[discoveryKey{s.heap[i].Kind, s.heap[i].Name}] = i
	s.index[discoveryKey{s.heap[j].Kind, s.heap[j].Name}] = j
}

func (s *sketch) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(i, p) {
			return
		}
		s.swap(i, p)
		i = p
	}
}

func (s *sketch) down(i int) {
	for n := len(s.heap); ; {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && s.less(r, l) {
			c = r
		}
		if !s.less(c, i) {
			return
		}
		s.swap(i, c)
		i = c
	}
}

// take returns the entries and empties the sketch.
func (s *sketch) take() []Discovered {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.heap
	s.heap = make([]Discovered, 0, len(out))
	clear(s.index)
	return out
}

// snapshot returns a copy of the entries.
func (s *sketch) snapshot() []Discovered {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Discovered(nil), s.heap...)
}

// discoverer is a Manager's Discovery at work.
type discoverer struct {
	cfg       Discovery
	counts    *sketch
	store     DiscoveryStore // nil: counts stay in memory
	reports   *rateTable
	scheduled atomic.Bool // a flush is scheduled
	flushMu   sync.Mutex  // one flush at a time
}

// initDiscovery sets m.disc up; nil when Discovery is off.
func (m *Manager) initDiscovery() {
	if m.cfg.Discovery.Off {
		return
	}
	d := &discoverer{cfg: m.cfg.Discovery, counts: newSketch(m.cfg.Discovery.Size),
		reports: newRateTable(m.cfg.Discovery.ReportsPerMinute, 2*m.cfg.Discovery.ReportsPerMinute)}
	d.store, _ = m.cfg.Store.(DiscoveryStore)
	m.disc = d
}

// discover counts one discovery and schedules a flush.
func (m *Manager) discover(kind DiscoveryKind, name, category string) {
	if name == "" || len(name) > maxDiscoveredNameBytes {
		return
	}
	d := m.disc
	d.counts.add(kind, name, category, m.cfg.Now())
	if d.store != nil && !d.scheduled.Load() && d.scheduled.CompareAndSwap(false, true) {
		time.AfterFunc(d.cfg.FlushEvery, func() {
			if err := m.FlushDiscoveries(context.Background()); err != nil {
				m.log.Warn("consent: could not store discovered cookies and hosts; they are kept for the next flush", "err", err)
			}
		})
	}
}

// FlushDiscoveries adds what Discovery counted since the last flush to the
// DiscoveryStore (see Discovery.FlushEvery), at once: call it on shutdown
// so that the last minute is not lost. When the store fails, the counts
// are kept for the next flush and the error is returned. Without a
// DiscoveryStore it does nothing.
func (m *Manager) FlushDiscoveries(ctx context.Context) error {
	d := m.disc
	if d == nil || d.store == nil {
		return nil
	}
	d.flushMu.Lock()
	defer d.flushMu.Unlock()
	// Cleared before taking, so that a discovery made while this flush
	// runs schedules the next one.
	d.scheduled.Store(false)
	ds := d.counts.take()
	if len(ds) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.StoreTimeout)
	defer cancel()
	if err := d.store.AddDiscoveries(ctx, ds); err != nil {
		for _, x := range ds {
			d.counts.addN(x)
		}
		return fmt.Errorf("consent: flush discoveries: %w", err)
	}
	return nil
}

// discoverRequest samples r's Cookie header for undeclared cookies. On the
// requests it does not sample, it costs one random number.
func (m *Manager) discoverRequest(r *http.Request) {
	if n := m.disc.cfg.SampleCookies; n > 1 && rand.Uint32()%uint32(n) != 0 {
		return
	}
	for _, line := range r.Header["Cookie"] {
		for len(line) > 0 {
			var pair string
			pair, line, _ = strings.Cut(line, ";")
			name, _, ok := strings.Cut(pair, "=")
			if !ok {
				continue
			}
			if name = trimSpace(name); name != "" && m.cookies.lookup(name) < 0 {
				m.discover(DiscoveredCookie, name, "")
			}
		}
	}
}
