package consent

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/consentkit/consentkit/internal/trackers"
)

// Manager is a configured consent middleware. Build it with New; it is safe
// for concurrent use.
type Manager struct {
	cfg      Config
	set      *categorySet
	rev      [8]byte
	codec    *codec
	cache    *verifiedCache
	cop      *http.CrossOriginProtection
	log      *slog.Logger
	store    Store
	undGPC   *State // the undecided state of a request with Sec-GPC: 1
	cookies  *cookieRegistry
	trackers *trackers.Table
	hosts    banner.File // the runtime guard's host set, from trackers
	ui       *ui

	warnOnce sync.Map // message -> struct{}: warnings logged once
	// embedMACs pools keyed hashes that sign placeholder URLs (embed.go).
	embedMACs sync.Pool
}

// New checks cfg, fills its defaults and returns a Manager. Every
// configuration error is reported here, never on a request.
func New(cfg Config) (*Manager, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, log: cfg.Logger}
	m.embedMACs.New = newEmbedMAC(cfg.Keys[0].HashKey)
	m.set = &categorySet{}
	for i, c := range cfg.Categories {
		m.set.ids = append(m.set.ids, c.ID)
		if c.SaleOrSharing {
			m.set.saleMask |= 1 << uint(i)
		}
	}
	m.set.allMask = 1<<uint(len(m.set.ids)) - 1
	m.rev = revision(cfg.PolicyVersion, cfg.Categories)
	var err error
	if m.codec, err = newCodec(cfg.CookieName, cfg.Keys); err != nil {
		return nil, err
	}
	m.cache = newVerifiedCache(cfg.CacheSize)
	m.cop = http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := m.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("%w: trusted origin %q: %v", ErrBadConfigure, o, err)
		}
	}
	m.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpError(w, r, http.StatusForbidden, "cross-origin consent decisions are refused: post from the site itself")
	}))
	m.store = cfg.Store
	if m.store == nil {
		m.store = logStore{log: m.log}
		m.log.Warn("consent: no Store configured; decisions are only logged, which is not a durable consent log (see consent/auditlog)")
	}
	m.undGPC = &State{set: m.set, gpc: true}
	m.cookies = newCookieRegistry(&m.cfg)
	m.trackers = trackers.Default()
	if len(cfg.Trackers) > 0 {
		m.trackers = m.trackers.With(cfg.Trackers)
	}
	m.hosts = hostsFile(m.trackers)
	if err := m.initUI(); err != nil {
		return nil, err
	}
	return m, nil
}

// Revision returns the current consent revision (16 hex digits), derived
// from the policy version and the categories.
func (m *Manager) Revision() string { return revisionString(m.rev) }

// Categories returns the configured categories, necessary first.
func (m *Manager) Categories() []Category { return append([]Category(nil), m.cfg.Categories...) }

// Prefix returns the path prefix of the middleware's endpoints.
func (m *Manager) Prefix() string { return m.cfg.Prefix }

// Handler returns middleware that puts the visitor's consent State in each
// request's context (see FromRequest) and serves the decision endpoint under
// Config.Prefix. A missing, forged, expired or outdated cookie makes the
// visitor undecided; it is never an error.
func (m *Manager) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) > len(m.cfg.Prefix) && r.URL.Path[len(m.cfg.Prefix)] == '/' &&
			strings.HasPrefix(r.URL.Path, m.cfg.Prefix) && m.serveEndpoint(w, r) {
			return
		}
		if m.cfg.GPCWellKnown && r.URL.Path == "/.well-known/gpc.json" {
			m.serveGPCJSON(w, r)
			return
		}
		st := m.requestState(w, r)
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
		ww, core := m.wrap(w, r, st)
		next.ServeHTTP(ww, r)
		core.finish()
	})
}

// requestState returns the State for r. It may set a cookie on w when a GPC
// signal withdraws a sale-or-sharing category the cookie granted.
func (m *Manager) requestState(w http.ResponseWriter, r *http.Request) *State {
	gpc := gpcSignal(r.Header)
	e := m.lookup(r.Header)
	if e == nil {
		if gpc {
			return m.undGPC
		}
		return &undecided
	}
	if !gpc {
		return e.plain
	}
	if e.plain.granted&m.set.saleMask != 0 {
		m.gpcWithdraw(w, r, e.plain)
	}
	return e.gpc
}

// lookup finds the request's valid, current consent cookie.
func (m *Manager) lookup(h http.Header) *cached {
	var found *cached
	cookieValue(h, m.cfg.CookieName, func(v string) bool {
		e, err := m.decodeCached(v)
		if err != nil {
			return false
		}
		found = e
		return true
	})
	return found
}

// decodeCached verifies a cookie value, through the cache when it can, and
// checks that it is current (revision) and fresh (lifetime).
func (m *Manager) decodeCached(v string) (*cached, error) {
	e := m.cache.get(v)
	if e == nil {
		st, err := m.decodeValue(v)
		if err != nil {
			return nil, err
		}
		e = &cached{plain: st, gpc: st.withGPC()}
		m.cache.put(v, e)
	}
	if e.plain.rev != m.rev {
		return nil, ErrCookieStale
	}
	now := m.cfg.Now()
	if now.Sub(e.plain.decidedAt) > m.cfg.Lifetime {
		return nil, ErrCookieExpired
	}
	if e.plain.decidedAt.Sub(now) > clockSkew {
		return nil, ErrCookieInvalid
	}
	return e, nil
}

// decodeValue verifies and parses a cookie value without the cache and
// without revision or expiry checks.
func (m *Manager) decodeValue(v string) (*State, error) {
	b, err := m.codec.decode(v)
	if err != nil {
		return nil, err
	}
	return unmarshalPayload(b, m.set)
}

// DecodeCookie verifies a consent cookie value and returns the State it
// holds, or an error saying why it is not valid now: ErrCookieInvalid,
// ErrCookieTooLong, ErrCookieStale or ErrCookieExpired.
func (m *Manager) DecodeCookie(value string) (*State, error) {
	e, err := m.decodeCached(value)
	if err != nil {
		return nil, err
	}
	return e.plain, nil
}

// previous returns the state of the request's cookie, if it verifies, even
// when it is stale or expired: the decision endpoint keeps the consent ID so
// that one browser's history stays under one ID.
func (m *Manager) previous(h http.Header) (st *State, current bool) {
	cookieValue(h, m.cfg.CookieName, func(v string) bool {
		if e, err := m.decodeCached(v); err == nil {
			st, current = e.plain, true
			return true
		}
		if s, err := m.decodeValue(v); err == nil {
			st = s
			return true
		}
		return false
	})
	return st, current
}

// gpcWithdraw records that a GPC signal withdrew the sale-or-sharing
// categories the visitor had granted, and rewrites the cookie so it happens
// once. A store failure is logged and the request goes on: the signal is
// honoured for this request whatever happens.
func (m *Manager) gpcWithdraw(w http.ResponseWriter, r *http.Request, old *State) {
	next := &State{id: old.id, rev: m.rev, decidedAt: m.cfg.Now().UTC().Truncate(time.Second),
		granted: old.granted &^ m.set.saleMask, method: MethodGPC, gpc: true, decided: true, set: m.set}
	rec := m.record(r, next, old, "")
	ctx, cancel := context.WithTimeout(r.Context(), m.cfg.StoreTimeout)
	defer cancel()
	if err := m.store.Record(ctx, rec); err != nil {
		m.log.Error("consent: could not record a GPC withdrawal; will retry on the next request", "err", err)
		return
	}
	if err := m.setCookie(w, next); err != nil {
		m.log.Error("consent: could not encode the consent cookie", "err", err)
		return
	}
	m.afterDecision(w, r, old, next) // expire the withdrawn categories' cookies
}

func gpcSignal(h http.Header) bool {
	v := h["Sec-Gpc"]
	return len(v) == 1 && v[0] == "1"
}

// newID makes a consent ID made at now: 48 bits of Unix milliseconds,
// big-endian, then 80 random bits, the layout of a UUIDv7 without its
// version bits. IDs made later sort later, so the consent log's index on
// consent IDs grows at its end, one page a commit, instead of gaining an
// entry on a random page for every new visitor; that measured 25% more
// durable records a second (auditlog's BenchmarkRecord). 80 random bits
// keep the ID unguessable, and the time it reveals, when the visitor first
// decided, is in their record anyway.
func newID(now time.Time) ([16]byte, error) {
	var id [16]byte
	ms := uint64(max(now.UnixMilli(), 0))
	for i := 5; i >= 0; i-- {
		id[i] = byte(ms)
		ms >>= 8
	}
	_, err := rand.Read(id[6:])
	return id, err
}

func (m *Manager) setCookie(w http.ResponseWriter, s *State) error {
	v, err := m.codec.encode(marshalPayload(s))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     m.cfg.CookieName,
		Value:    v,
		Path:     "/",
		Domain:   m.cfg.CookieDomain,
		MaxAge:   int(m.cfg.Lifetime / time.Second),
		Secure:   !m.cfg.InsecureCookie,
		HttpOnly: true,
		SameSite: m.cfg.SameSite,
	})
	return nil
}

func (m *Manager) warnOncef(key string, msg string, args ...any) {
	if _, loaded := m.warnOnce.LoadOrStore(key, struct{}{}); !loaded {
		m.log.Warn(msg, args...)
	}
}
