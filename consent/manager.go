package consent

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
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
	cfg    Config
	set    *categorySet
	rev    [8]byte
	codec  *codec
	cache  *verifiedCache
	names  cookieNames
	limits *writeLimiter
	// withdrawn: the cookie values a GPC withdrawal was recorded for.
	withdrawn    *withdrawnSet
	cop          *http.CrossOriginProtection
	log          *slog.Logger
	store        Store
	undecidedGPC *State // the undecided state of a request with Sec-GPC: 1
	cookies      *cookieRegistry
	trackers     *trackers.Table
	hosts        banner.File // the runtime guard's host set, from trackers
	// With ConsentMode.Advanced, the table and host set that let the
	// Google tag through, for pages that carry the Consent Mode defaults;
	// nil and zero otherwise.
	gtagTrackers *trackers.Table
	gtagHosts    banner.File
	l10n         *l10n
	modes        consentModes
	// regions: Config.Regions compiled; nil without rules (region.go).
	regions     *regionTable
	regionModes [2][]banner.RegionMode // [gpc]: see Manager.buildRegionModes

	warnOnce sync.Map // message -> struct{}: warnings logged once
	diag     diagnostics
	// embedMACs pools keyed hashes that sign placeholder URLs (embed.go).
	embedMACs sync.Pool
	// providers are the declared third parties per category (shown.go).
	providers []CategoryProviders
	shown     shownCache
	// disc counts undeclared cookies and blocked hosts (discovery.go);
	// nil when Config.Discovery.Off.
	disc *discoverer
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
	var err error
	if m.names, err = namesOf(&cfg); err != nil {
		return nil, err
	}
	if err := m.names.rename(m.cfg.Cookies); err != nil {
		return nil, err
	}
	if m.codec, err = newCodec(m.names.consent, cfg.Keys); err != nil {
		return nil, err
	}
	m.cache = newVerifiedCache(cfg.CacheSize)
	m.limits = newWriteLimiter(cfg.WriteLimits)
	m.withdrawn = newWithdrawnSet()
	m.cop = http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := m.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("%w: trusted origin %q: %v", ErrBadConfig, o, err)
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
	m.undecidedGPC = &State{set: m.set, gpc: true}
	m.cookies = newCookieRegistry(&m.cfg)
	m.providers = providersOf(&m.cfg)
	m.rev = revision(cfg.PolicyVersion, cfg.Categories, m.providers)
	m.initDiscovery()
	m.trackers = trackers.Default()
	if len(cfg.Trackers) > 0 {
		m.trackers = m.trackers.With(cfg.Trackers)
	}
	m.hosts = hostsFile(m.trackers, !cfg.Discovery.Off)
	if m.modes, err = newConsentModes(cfg.ConsentMode.Mapping, m.set); err != nil {
		return nil, err
	}
	if err := checkAdvanced(&cfg.ConsentMode, &m.modes); err != nil {
		return nil, err
	}
	if cfg.ConsentMode.Advanced {
		m.gtagTrackers = m.trackers.WithGoogleTag()
		m.gtagHosts = banner.GoogleTagHostsFile(m.hosts)
	}
	if m.l10n, err = newL10n(&m.cfg); err != nil {
		return nil, err
	}
	if m.regions = m.newRegionTable(); m.regions != nil {
		m.regionModes = m.buildRegionModes(m.regions)
	}
	m.initDiagnostics()
	return m, nil
}

// Revision returns the current consent revision (16 hex digits), derived
// from the policy version, the categories and their declared third
// parties.
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
		if m.cfg.GPC.WellKnown && r.URL.Path == "/.well-known/gpc.json" {
			m.serveGPCJSON(w, r)
			return
		}
		if m.disc != nil {
			m.discoverRequest(r)
		}
		st := m.requestState(w, r)
		ww, core, r := m.wrap(w, r, st)
		var rec *diagRecord
		if m.diag.recent != nil {
			rec = m.beginDiagnosis(w, r)
		}
		r = core.negotiate(r) // Accept-Encoding: the middleware compresses, not the handler
		next.ServeHTTP(ww, r)
		core.finish()
		if rec != nil {
			m.endDiagnosis(rec)
		}
	})
}

// requestState returns the State for r. It may set a cookie on w when a GPC
// signal withdraws a sale-or-sharing category the cookie granted.
func (m *Manager) requestState(w http.ResponseWriter, r *http.Request) *State {
	gpc := gpcSignal(r.Header)
	e, v := m.lookup(r.Header)
	if m.regions != nil {
		return m.regionalState(w, r, gpc, e, v)
	}
	if e != nil && e.plain.optOut {
		e = nil // an opt-out is no consent, and there is no opt-out model
	}
	if e == nil {
		if gpc {
			return m.undecidedGPC
		}
		return &undecided
	}
	if !gpc {
		return e.plain
	}
	if e.plain.granted&m.set.saleMask != 0 {
		m.gpcWithdraw(w, r, e.plain, v)
	}
	return e.gpc
}

// lookup finds the request's valid, current consent cookie, and its value:
// under the cookie's name, else under its old name (see cookieNames).
func (m *Manager) lookup(h http.Header) (*cached, string) {
	var found *cached
	old := false
	ok := func(v string) bool {
		e, err := m.decodeCachedAs(v, old)
		if err != nil {
			return false
		}
		found = e
		return true
	}
	v, hit := cookieValue(h, m.names.consent, ok)
	if !hit && m.names.consentOld != "" {
		old = true
		v, _ = cookieValue(h, m.names.consentOld, ok)
	}
	return found, v
}

// decodeCached verifies a value of the consent cookie, through the cache
// when it can, and checks that it is current (revision) and fresh
// (lifetime).
func (m *Manager) decodeCached(v string) (*cached, error) { return m.decodeCachedAs(v, false) }

// decodeCachedAs is decodeCached for a value of the cookie's old name when
// old is true. The cache knows which name a value verified under, so a
// value is never accepted under the other name without its MAC checked.
func (m *Manager) decodeCachedAs(v string, old bool) (*cached, error) {
	e := m.cache.get(v)
	if e != nil && e.old != old {
		return nil, ErrCookieInvalid
	}
	if e == nil {
		st, err := m.decodeValueAs(v, old)
		if err != nil {
			return nil, err
		}
		e = &cached{plain: st, gpc: st.withGPC(), old: old}
		m.cache.put(v, e)
	}
	if e.plain.rev != m.rev {
		return nil, ErrCookieStale
	}
	age := ageSince(m.cfg.Now(), e.plain.decidedAt.Unix())
	if age > m.cfg.Lifetime {
		return nil, ErrCookieExpired
	}
	if -age > clockSkew {
		return nil, ErrCookieInvalid
	}
	return e, nil
}

// ageSince is now.Sub(time.Unix(decided, 0)) in integers: two time.Sub
// calls cost a repeat visitor more than the rest of the cookie check. Ages
// beyond ±2^33 s (272 years) are clamped, where Sub saturates at ±292
// years; both are far past any Lifetime and clockSkew.
func ageSince(now time.Time, decided int64) time.Duration {
	d := now.Unix() - decided
	switch {
	case d > 1<<33:
		return math.MaxInt64
	case d < -(1 << 33):
		return math.MinInt64
	}
	return time.Duration(d)*time.Second + time.Duration(now.Nanosecond())
}

// decodeValue verifies and parses a cookie value without the cache and
// without revision or expiry checks.
func (m *Manager) decodeValue(v string) (*State, error) { return m.decodeValueAs(v, false) }

func (m *Manager) decodeValueAs(v string, old bool) (*State, error) {
	b, err := m.codec.decode(m.names.consentName(old), v)
	if err != nil {
		return nil, err
	}
	return unmarshalPayload(b, m.set)
}

// DecodeCookie verifies a consent cookie value and returns the State it
// holds, or an error saying why it is not valid now: ErrCookieInvalid,
// ErrCookieTooLong, ErrCookieStale or ErrCookieExpired.
//
// The value is checked as one of the cookie's current name, then of its
// old name (see Config.Cookie.Name).
func (m *Manager) DecodeCookie(value string) (*State, error) {
	e, err := m.decodeCached(value)
	if errors.Is(err, ErrCookieInvalid) && m.names.consentOld != "" {
		if eo, errOld := m.decodeCachedAs(value, true); !errors.Is(errOld, ErrCookieInvalid) {
			e, err = eo, errOld
		}
	}
	if err != nil {
		return nil, err
	}
	return e.plain, nil
}

// previous returns the state of the request's cookie, if it verifies, even
// when it is stale or expired: the decision endpoint keeps the consent ID so
// that one browser's history stays under one ID.
func (m *Manager) previous(h http.Header) (st *State, current bool) {
	old := false
	ok := func(v string) bool {
		if e, err := m.decodeCachedAs(v, old); err == nil {
			st, current = e.plain, true
			return true
		}
		if s, err := m.decodeValueAs(v, old); err == nil {
			st = s
			return true
		}
		return false
	}
	if _, hit := cookieValue(h, m.names.consent, ok); !hit && m.names.consentOld != "" {
		old = true
		cookieValue(h, m.names.consentOld, ok)
	}
	return st, current
}

// allowWrite takes one log write from the WriteLimits of r's address and
// of consent ID id (nil for a first decision).
func (m *Manager) allowWrite(r *http.Request, id *[16]byte) (time.Duration, bool) {
	addr := pseudonymPrefix(m.clientIP(r))
	if m.limits.addr != nil && exemptAddr(addr) {
		m.warnOncef("limit-private-address", "consent: WriteLimits.PerAddress does not limit loopback or private addresses; "+
			"behind a reverse proxy, set Config.ClientIP to return the visitor's address", "address", addr.String())
	}
	return m.limits.allow(addr, id, m.cfg.Now())
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

// setCookie writes s as the consent cookie, and expires the cookie's old
// name when r carried it, so that the browser keeps one of the two.
func (m *Manager) setCookie(w http.ResponseWriter, r *http.Request, s *State) error {
	v, err := m.codec.encode(marshalPayload(s))
	if err != nil {
		return err
	}
	m.names.set(w, r, &m.cfg, m.names.consent, m.names.consentOld, v)
	return nil
}

func (m *Manager) warnOncef(key string, msg string, args ...any) {
	if _, loaded := m.warnOnce.LoadOrStore(key, struct{}{}); !loaded {
		m.log.Warn(msg, args...)
	}
}
