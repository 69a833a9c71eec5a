package consent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"
)

// CookieSpec declares a cookie the site or one of its third parties sets.
type CookieSpec struct {
	// Name is the cookie's exact name, or a prefix pattern ending in '*'
	// such as "_ga_*". It may be empty only when LocalStorage is not: a
	// spec that declares browser storage and no cookie.
	Name string
	// Category is the ID of the category the cookie belongs to.
	Category string
	// Domain and Path are the attributes the cookie is set with. Domain ""
	// is a host-only cookie; Path "" means "/". Withdrawal expires the
	// cookie with exactly these, so they must match what the setter uses.
	Domain, Path string
	// HttpOnly and Secure are the attributes the cookie is set with; the
	// expiring Set-Cookie of a withdrawal repeats them. Secure is implied
	// for names starting with __Secure- or __Host-.
	HttpOnly, Secure bool
	// Purpose says what the cookie is for, per language (BCP 47 tag →
	// text); "en" is the fallback.
	Purpose map[string]string
	// Provider is who sets the cookie, such as "Google Analytics". Empty
	// means the site itself.
	Provider string
	// Lifetime is how long the cookie lives; 0 means a session cookie.
	Lifetime time.Duration
	// Hosts are the third-party hosts that set the cookie.
	Hosts []string
	// LocalStorage lists the localStorage keys (exact, or prefix patterns
	// ending in '*') that the same script keeps. They are declared with
	// the cookie and removed by the banner's loader when the visitor
	// refuses or withdraws the category, since the server cannot reach
	// browser storage.
	LocalStorage []string
	// Justification explains, for a necessary cookie, why the site cannot
	// work without it. Required for necessary cookies.
	Justification map[string]string
}

// UndeclaredPolicy says what happens to a Set-Cookie for a cookie that
// Config.Cookies does not declare.
type UndeclaredPolicy int

const (
	// BlockUndeclared drops undeclared cookies and warns once per name.
	BlockUndeclared UndeclaredPolicy = iota
	// AllowUndeclared lets undeclared cookies through, as necessary ones.
	AllowUndeclared
)

// String returns "block" or "allow", as the declaration's JSON shows it.
func (p UndeclaredPolicy) String() string {
	switch p {
	case BlockUndeclared:
		return "block"
	case AllowUndeclared:
		return "allow"
	}
	return "UndeclaredPolicy(" + strconv.Itoa(int(p)) + ")"
}

// ErrMissingJustification is wrapped (together with ErrBadCookie) by New
// when a necessary cookie has no justification: consent is waived only for
// cookies the site cannot work without, and the declaration must say why.
var ErrMissingJustification = errors.New("consent: necessary cookie without a justification")

// The texts of the cookies the middleware declares itself. English only:
// declare a cookie of the same name under the necessary category to add
// other languages or change the provider (see normalizeCookies).
var (
	consentCookieTexts = builtinTexts{
		purpose: "Remembers which cookie categories you accepted or refused, so that the site respects your choice and does not ask again on every page.",
		justification: "The site must record and honour your consent decision (GDPR Art. 7(1)); without this cookie it could not know " +
			"what you refused. It holds a random consent ID and your choice, nothing else.",
	}
	langCookieTexts = builtinTexts{
		purpose:       "Remembers the language you picked for the cookie notice.",
		justification: "Shows the cookie notice in the language you asked for; it holds only a language code.",
	}
)

type builtinTexts struct{ purpose, justification string }

// maxWarnedNames bounds how many distinct undeclared cookie names get their
// own warning: the names come from the application, but a handler that
// echoes request data into cookie names must not grow memory without end.
const maxWarnedNames = 256

// normalizeCookies checks Config.Cookies, puts the middleware's own cookies
// first and fills GPCLastUpdate. It runs after the categories are
// normalised, so it can check category IDs against them.
func (c *Config) normalizeCookies() error {
	if c.UndeclaredCookies != BlockUndeclared && c.UndeclaredCookies != AllowUndeclared {
		return fmt.Errorf("%w: unknown UndeclaredCookies policy %d", ErrBadCookie, c.UndeclaredCookies)
	}
	if c.GPCLastUpdate.IsZero() {
		c.GPCLastUpdate = c.Now()
	}
	cats := make(map[string]bool, len(c.Categories))
	for _, cat := range c.Categories {
		cats[cat.ID] = true
	}
	// LangCookieName gets its default after this runs.
	langCookie := cmp.Or(c.LangCookieName, DefaultLangCookie)
	builtin := []CookieSpec{
		{Name: c.CookieName, Category: Necessary, Domain: c.CookieDomain, Path: "/", HttpOnly: true, Secure: !c.InsecureCookie,
			Lifetime: c.Lifetime, Purpose: map[string]string{"en": consentCookieTexts.purpose},
			Justification: map[string]string{"en": consentCookieTexts.justification}},
		// As the language endpoint sets it.
		{Name: langCookie, Category: Necessary, Domain: c.CookieDomain, Path: "/", HttpOnly: true, Secure: !c.InsecureCookie,
			Lifetime: c.Lifetime, Purpose: map[string]string{"en": langCookieTexts.purpose},
			Justification: map[string]string{"en": langCookieTexts.justification}},
	}
	if c.CookieName == langCookie {
		builtin = builtin[:1] // an error in normalize, after this
	}
	out := make([]CookieSpec, 0, len(builtin)+len(c.Cookies))
	out = append(out, builtin...)
	seenName := make(map[string]int, len(c.Cookies))
	seenStorage := make(map[string]int)
	for i, s := range c.Cookies {
		where := fmt.Sprintf("Cookies[%d] (%q)", i, s.Name)
		if err := checkSpec(s, cats, where); err != nil {
			return err
		}
		if b := slices.IndexFunc(builtin, func(b CookieSpec) bool { return b.Name == s.Name }); b >= 0 {
			// The middleware sets this cookie, so only the texts can come
			// from the developer; the attributes are facts it knows.
			if s.Category != Necessary {
				return fmt.Errorf("%w: %s is set by the middleware and belongs to %q", ErrBadCookie, where, Necessary)
			}
			out[b] = mergeTexts(out[b], s)
			continue
		}
		if s.Category == Necessary && !hasText(s.Justification) {
			return fmt.Errorf("%w: %w: %s: say in Justification why the site cannot work without it, or move it to an optional category",
				ErrBadCookie, ErrMissingJustification, where)
		}
		if s.Name != "" {
			if j, dup := seenName[s.Name]; dup {
				return fmt.Errorf("%w: %s declared twice (also Cookies[%d])", ErrBadCookie, where, j)
			}
			seenName[s.Name] = i
		}
		for _, k := range s.LocalStorage {
			if j, dup := seenStorage[k]; dup {
				return fmt.Errorf("%w: %s: localStorage key %q declared twice (also Cookies[%d])", ErrBadCookie, where, k, j)
			}
			seenStorage[k] = i
		}
		s.Hosts = slices.Clone(s.Hosts)
		s.LocalStorage = slices.Clone(s.LocalStorage)
		s.Purpose = maps.Clone(s.Purpose)
		s.Justification = maps.Clone(s.Justification)
		out = append(out, s)
	}
	c.Cookies = out
	return nil
}

// checkSpec validates one developer-declared spec.
func checkSpec(s CookieSpec, cats map[string]bool, where string) error {
	if s.Name == "" && len(s.LocalStorage) == 0 {
		return fmt.Errorf("%w: %s has an empty Name; name the cookie, or declare LocalStorage keys", ErrBadCookie, where)
	}
	if s.Name != "" {
		if err := checkPattern(s.Name, validCookieName); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrBadCookie, where, err)
		}
	}
	if s.Category == "" {
		return fmt.Errorf("%w: %s has no Category", ErrBadCookie, where)
	}
	if !cats[s.Category] {
		return fmt.Errorf("%w: %s: unknown category %q; add it to Config.Categories", ErrBadCookie, where, s.Category)
	}
	if s.Domain != "" {
		d := strings.TrimPrefix(s.Domain, ".")
		if d == "" || strings.ContainsAny(d, " ;,/:\\\"=") || strings.Contains(d, "..") {
			return fmt.Errorf("%w: %s: domain %q is not a host name", ErrBadCookie, where, s.Domain)
		}
	}
	if s.Path != "" && (s.Path[0] != '/' || strings.ContainsFunc(s.Path, func(r rune) bool { return r < ' ' || r == ';' || r == 0x7f })) {
		return fmt.Errorf("%w: %s: path %q must start with / and hold no ';' or control characters", ErrBadCookie, where, s.Path)
	}
	if strings.HasPrefix(s.Name, "__Host-") && (s.Domain != "" || (s.Path != "" && s.Path != "/")) {
		return fmt.Errorf("%w: %s: a __Host- cookie has no Domain and Path /", ErrBadCookie, where)
	}
	if s.Lifetime < 0 {
		return fmt.Errorf("%w: %s: negative Lifetime; use 0 for a session cookie", ErrBadCookie, where)
	}
	for _, k := range s.LocalStorage {
		if err := checkPattern(k, func(k string) bool { return !strings.ContainsFunc(k, func(r rune) bool { return r < ' ' }) }); err != nil {
			return fmt.Errorf("%w: %s: localStorage key: %w", ErrBadCookie, where, err)
		}
	}
	for _, h := range s.Hosts {
		if h == "" || strings.ContainsAny(h, " /:;,\\\"") {
			return fmt.Errorf("%w: %s: host %q is not a host name", ErrBadCookie, where, h)
		}
	}
	for _, texts := range []map[string]string{s.Purpose, s.Justification} {
		for tag := range texts {
			if _, err := language.Parse(tag); err != nil {
				return fmt.Errorf("%w: %s: text key %q is not a BCP 47 language tag", ErrBadCookie, where, tag)
			}
		}
	}
	return nil
}

// checkPattern accepts an exact name or a prefix ending in a single '*'.
func checkPattern(p string, valid func(string) bool) error {
	base := strings.TrimSuffix(p, "*")
	switch {
	case base == "":
		return fmt.Errorf("%q matches everything; use UndeclaredCookies: AllowUndeclared instead", p)
	case strings.Contains(base, "*"):
		return fmt.Errorf("bad pattern %q: '*' is only allowed once, at the end", p)
	case !valid(base):
		return fmt.Errorf("%q is not a valid cookie name", p)
	}
	return nil
}

func hasText(m map[string]string) bool {
	for _, v := range m {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

// mergeTexts lays the developer's texts for a built-in cookie over its own.
func mergeTexts(b, dev CookieSpec) CookieSpec {
	b.Purpose, b.Justification = maps.Clone(b.Purpose), maps.Clone(b.Justification)
	maps.Copy(b.Purpose, dev.Purpose)
	maps.Copy(b.Justification, dev.Justification)
	if dev.Provider != "" {
		b.Provider = dev.Provider
	}
	return b
}

// cookieRegistry is the lookup built once from the normalised
// Config.Cookies: exact names in a map and prefix patterns longest first,
// so that the per-response filter costs a map lookup per Set-Cookie.
type cookieRegistry struct {
	specs    []CookieSpec // Config.Cookies, built-ins first
	cat      []int        // category index of each spec, parallel to specs
	exact    nameTable
	prefixes []prefixSpec
	policy   UndeclaredPolicy
	storage  map[string][]string // category ID -> localStorage keys
	gpcJSON  []byte

	warned  sync.Map // undeclared cookie name -> struct{}
	nWarned atomic.Int32
}

type prefixSpec struct {
	prefix string
	spec   int
}

func newCookieRegistry(cfg *Config) *cookieRegistry {
	reg := &cookieRegistry{policy: cfg.UndeclaredCookies, storage: make(map[string][]string)}
	exact := make(map[string]int, len(cfg.Cookies))
	index := make(map[string]int, len(cfg.Categories))
	for i, c := range cfg.Categories {
		index[c.ID] = i
	}
	reg.specs = cfg.Cookies
	reg.cat = make([]int, len(cfg.Cookies))
	for i, s := range cfg.Cookies {
		reg.cat[i] = index[s.Category]
		reg.storage[s.Category] = append(reg.storage[s.Category], s.LocalStorage...)
		switch {
		case s.Name == "":
		case strings.HasSuffix(s.Name, "*"):
			reg.prefixes = append(reg.prefixes, prefixSpec{strings.TrimSuffix(s.Name, "*"), i})
		default:
			exact[s.Name] = i
		}
	}
	reg.exact = newNameTable(exact)
	// Longest prefix first: "_ga_x*" is more specific than "_ga*".
	slices.SortStableFunc(reg.prefixes, func(a, b prefixSpec) int { return cmp.Compare(len(b.prefix), len(a.prefix)) })
	reg.gpcJSON = []byte(`{"gpc": true, "lastUpdate": "` + cfg.GPCLastUpdate.Format(time.DateOnly) + `"}` + "\n")
	return reg
}

// lookup returns the index of the spec declaring the cookie called name, or
// -1. Exact names win over patterns.
func (reg *cookieRegistry) lookup(name string) int {
	if i := reg.exact.get(name); i >= 0 {
		return i
	}
	for _, p := range reg.prefixes {
		if strings.HasPrefix(name, p.prefix) {
			return p.spec
		}
	}
	return -1
}

// nameTable is an open-addressing table of the exact cookie names. It does
// what a map[string]int does, at half the cost on this hot path: its hash
// reads four bytes and the length instead of every byte. Collisions only
// cost probes, and the names are the developer's, not a visitor's.
type nameTable struct {
	slots []nameSlot // a power of two, at least half empty
	mask  uint32
}

type nameSlot struct {
	name string
	spec int32 // -1: empty
}

func nameHash(s string) uint32 {
	n := len(s)
	if n == 0 {
		return 0
	}
	h := uint32(n) * 0x9E3779B1
	h ^= uint32(s[0]) | uint32(s[n-1])<<8 | uint32(s[n/2])<<16 | uint32(s[(n-1)/3])<<24
	h *= 0x85EBCA6B
	return h ^ h>>15
}

func newNameTable(names map[string]int) nameTable {
	size := 4
	for size < 2*len(names)+1 {
		size *= 2
	}
	t := nameTable{slots: make([]nameSlot, size), mask: uint32(size - 1)}
	for i := range t.slots {
		t.slots[i].spec = -1
	}
	for name, spec := range names {
		i := nameHash(name) & t.mask
		for t.slots[i].spec >= 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = nameSlot{name, int32(spec)}
	}
	return t
}

// get returns the spec of name, or -1. An empty slot always ends the probe,
// since the table is at most half full.
func (t *nameTable) get(name string) int {
	for i := nameHash(name) & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if sl.spec < 0 {
			return -1
		}
		if sl.name == name {
			return int(sl.spec)
		}
	}
}

// grantsIndex reports whether st grants the category at index cat of the
// Manager's configuration.
func (m *Manager) grantsIndex(st *State, cat int) bool {
	if cat == 0 {
		return true // necessary
	}
	if st == nil || st.set == nil {
		return false
	}
	if st.set == m.set {
		return st.granted&(1<<uint(cat)) != 0
	}
	// A State from elsewhere (NewState, WithState in tests) is matched
	// by ID, not by bit position.
	return st.Allowed(m.cfg.Categories[cat].ID)
}

// filterSetCookies removes from h the Set-Cookie headers of cookies whose
// category st does not grant. It runs on every response, before its
// headers are sent.
//
// A Set-Cookie that deletes a cookie (Max-Age <= 0 or Expires in the past)
// always passes: removing a cookie never needs consent. It allocates only
// when the kept lines are not next to each other.
func (m *Manager) filterSetCookies(h http.Header, st *State) {
	lines := h["Set-Cookie"]
	if len(lines) == 0 {
		return
	}
	reg := m.cookies
	// The handler's slice may be shared (h["Set-Cookie"] = someGlobal), so
	// it is never written to. While the kept lines are one run of it,
	// lines[lo:lo+n], they are a reslice and cost nothing; only kept lines
	// on both sides of a dropped one need a new slice.
	lo, n := 0, 0
	var kept []string
	dropped := false
	for i, line := range lines {
		name := setCookieName(line)
		spec := reg.lookup(name)
		keep := false
		switch {
		case spec >= 0:
			keep = m.grantsIndex(st, reg.cat[spec])
		default:
			keep = reg.policy == AllowUndeclared
		}
		if !keep && isDeletion(line, m.cfg.Now) {
			keep = true
		}
		switch {
		case !keep:
			dropped = true
			m.logDropped(name, spec)
		case kept != nil:
			kept = append(kept, line)
		case n == 0:
			lo, n = i, 1
		case lo+n == i:
			n++
		default:
			kept = make([]string, n, len(lines)-1)
			copy(kept, lines[lo:lo+n])
			kept = append(kept, line)
		}
	}
	switch {
	case !dropped:
		return
	case kept != nil:
	case n == 0:
		delete(h, "Set-Cookie")
		return
	default:
		// The capacity ends with the run, so that a later Header.Add
		// appends to new memory rather than over the shared lines.
		kept = lines[lo : lo+n : lo+n]
	}
	h["Set-Cookie"] = kept
}

// logDropped says why a Set-Cookie was removed: a warning the first time an
// undeclared name is seen, since that is a configuration gap the developer
// must close, and a debug line every time.
func (m *Manager) logDropped(name string, spec int) {
	reg := m.cookies
	if spec < 0 {
		if _, seen := reg.warned.Load(name); !seen && reg.nWarned.Load() < maxWarnedNames {
			if _, loaded := reg.warned.LoadOrStore(name, struct{}{}); !loaded {
				reg.nWarned.Add(1)
				m.log.Warn("consent: dropped a Set-Cookie for a cookie Config.Cookies does not declare; declare it under a category "+
					"(or set UndeclaredCookies: AllowUndeclared)", "cookie", name)
			}
		} else if !seen {
			m.warnOncef("undeclared-overflow", "consent: many undeclared cookie names dropped; further ones are logged at debug level only",
				"limit", maxWarnedNames)
		}
	}
	if !m.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	if spec < 0 {
		m.log.Debug("consent: dropped Set-Cookie of an undeclared cookie", "cookie", name)
		return
	}
	m.log.Debug("consent: dropped Set-Cookie of a category the visitor has not granted", "cookie", name,
		"category", reg.specs[spec].Category)
}

// trimSpace trims what browsers trim around names and attributes (space
// and tab), plus CR and LF, which net/http turns into spaces on the wire.
// strings.Trim with a cutset would build that set on every call, which
// shows in the per-response profile.
func trimSpace(s string) string {
	for len(s) > 0 && isCookieSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isCookieSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isCookieSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// setCookieName returns the name of the cookie a Set-Cookie value sets, the
// way browsers read it (RFC 6265bis 5.6): the text before the first '=' of
// the name-value pair, trimmed; "" when the pair has no '=' (a nameless
// cookie, which browsers accept).
func setCookieName(line string) string {
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '=':
			return trimSpace(line[:i])
		case ';':
			return ""
		}
	}
	return ""
}

// isDeletion reports whether a Set-Cookie value removes its cookie rather
// than stores one: Max-Age zero or negative, or, without Max-Age (which
// takes precedence), an Expires date in the past.
func isDeletion(line string, now func() time.Time) bool {
	i := strings.IndexByte(line, ';')
	if i < 0 {
		return false
	}
	var expires string
	maxAge, hasMaxAge := int64(0), false
	// This runs for every dropped line, so attributes that cannot be
	// Max-Age or Expires are skipped by their first letter alone.
	for n := len(line); i < n; {
		i++ // past ';'
		for i < n && isCookieSpace(line[i]) {
			i++
		}
		end := n
		if j := strings.IndexByte(line[i:], ';'); j >= 0 {
			end = i + j
		}
		a := line[i:end]
		i = end
		if len(a) < len("max-age=") || (a[0]|0x20 != 'm' && a[0]|0x20 != 'e') {
			continue
		}
		eq := strings.IndexByte(a, '=')
		if eq < 0 {
			continue
		}
		// The last valid occurrence of an attribute counts.
		switch k, v := trimSpace(a[:eq]), trimSpace(a[eq+1:]); {
		case asciiFold(k, "max-age"):
			// RFC 6265bis 5.6.2: a valid Max-Age is digits with an
			// optional leading '-'; anything else is ignored.
			if secs, ok := parseMaxAge(v); ok {
				maxAge, hasMaxAge = secs, true
			}
		case asciiFold(k, "expires"):
			expires = v
		}
	}
	if hasMaxAge {
		return maxAge <= 0
	}
	if expires == "" {
		return false
	}
	if t, err := http.ParseTime(expires); err == nil {
		return t.Before(now())
	}
	for _, layout := range oldExpiresLayouts {
		if t, err := time.Parse(layout, expires); err == nil {
			return t.Before(now())
		}
	}
	return false
}

// oldExpiresLayouts are Expires forms that browsers accept, old code still
// writes to delete cookies, and http.ParseTime does not read.
var oldExpiresLayouts = []string{"Mon, 02-Jan-2006 15:04:05 MST", "Mon, 02-Jan-06 15:04:05 MST"}

// parseMaxAge reads a Max-Age value as RFC 6265bis does, reporting only
// its sign (-1, 0 or 1): how long a positive value is does not matter to
// isDeletion, and a huge one must not overflow.
func parseMaxAge(v string) (int64, bool) {
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	if v == "" {
		return 0, false
	}
	zero := true
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c < '0' || c > '9':
			return 0, false
		case c != '0':
			zero = false
		}
	}
	switch {
	case neg:
		return -1, true // any negative value, however long; "-0" too
	case zero:
		return 0, true
	}
	return 1, true
}

// asciiFold reports whether s equals lower, a lower-case ASCII constant,
// ignoring case: cheaper than strings.EqualFold, which also folds Unicode.
func asciiFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// afterDecision is where a decision's side effects on other cookies go: on
// withdrawal or refusal, the declared cookies of the denied categories that
// the request carried are expired.
//
// Only cookies the request carried are expired, each with the Domain, Path,
// HttpOnly and Secure it was declared with, because a browser only deletes
// a cookie when all of those match. A spec whose Domain the request host
// does not belong to is a third party's cookie, out of the site's reach.
// prev does not matter: a first refusal cleans up too, which removes what
// a misbehaving script set before the visitor decided.
func (m *Manager) afterDecision(w http.ResponseWriter, r *http.Request, prev, next *State) {
	reg := m.cookies
	host := requestHost(r)
	var done []string
	for _, c := range r.Cookies() {
		spec := reg.lookup(c.Name)
		if spec < 0 || m.grantsIndex(next, reg.cat[spec]) || slices.Contains(done, c.Name) {
			continue
		}
		s := &reg.specs[spec]
		if !domainMatch(host, s.Domain) {
			continue
		}
		done = append(done, c.Name)
		path := s.Path
		if path == "" {
			path = "/"
		}
		http.SetCookie(w, &http.Cookie{
			Name:     c.Name,
			Path:     path,
			Domain:   s.Domain,
			MaxAge:   -1,
			Expires:  time.Unix(0, 0).UTC(),
			HttpOnly: s.HttpOnly,
			Secure:   s.Secure || strings.HasPrefix(c.Name, "__Secure-") || strings.HasPrefix(c.Name, "__Host-"),
		})
		m.log.Debug("consent: expired a cookie of a category the visitor refused", "cookie", c.Name, "category", s.Category)
	}
}

// requestHost is the request's host name, lower case, without the port.
func requestHost(r *http.Request) string {
	h := r.Host
	if h == "" && r.URL != nil {
		h = r.URL.Host
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	return strings.ToLower(strings.Trim(h, "[]"))
}

// domainMatch reports whether a cookie set with Domain domain is visible to
// host (RFC 6265 5.1.3); an empty domain is a host-only cookie of the site.
func domainMatch(host, domain string) bool {
	if domain == "" {
		return true
	}
	d := strings.ToLower(strings.TrimPrefix(domain, "."))
	return host == d || strings.HasSuffix(host, "."+d)
}

// localStorageKeys returns the localStorage keys (exact names, or prefixes
// ending in '*') declared for category, for the banner's loader to remove
// when the visitor refuses or withdraws it. The lead wires it into the
// banner configuration; the slice is a copy.
func (m *Manager) localStorageKeys(category string) []string {
	return slices.Clone(m.cookies.storage[category])
}

// serveGPCJSON serves /.well-known/gpc.json.
func (m *Manager) serveGPCJSON(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "gpc.json is read with GET")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(m.cookies.gpcJSON)))
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(m.cookies.gpcJSON)
}
