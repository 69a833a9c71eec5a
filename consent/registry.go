package consent

import (
	"cmp"
	"fmt"
	"maps"
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
	// cookie with these first, then on every parent domain and on "/".
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

// ownSpec declares a middleware cookie with the attributes it is written
// with: those of ownCookie, the one place that builds them.
func ownSpec(c *Config, name string, t builtinTexts) CookieSpec {
	ck := ownCookie(c, name, "", int(c.Lifetime/time.Second))
	return CookieSpec{Name: name, Category: Necessary, Domain: ck.Domain, Path: ck.Path, HttpOnly: ck.HttpOnly,
		Secure: ck.Secure, Lifetime: c.Lifetime, Purpose: map[string]string{"en": t.purpose},
		Justification: map[string]string{"en": t.justification}}
}

// maxWarnedNames bounds how many distinct undeclared cookie names get their
// own warning: the names come from the application, but a handler that
// echoes request data into cookie names must not grow memory without end.
const maxWarnedNames = 256

// normalizeCookies checks Config.Cookies and puts the middleware's own
// cookies first. It runs after the defaults are filled and the categories
// and cookie names checked.
func (c *Config) normalizeCookies() error {
	if c.UndeclaredCookies != BlockUndeclared && c.UndeclaredCookies != AllowUndeclared {
		return fmt.Errorf("%w: unknown UndeclaredCookies policy %d", ErrBadCookie, c.UndeclaredCookies)
	}
	cats := make(map[string]bool, len(c.Categories))
	for _, cat := range c.Categories {
		cats[cat.ID] = true
	}
	builtin := []CookieSpec{ownSpec(c, c.Cookie.Name, consentCookieTexts), ownSpec(c, c.Cookie.LanguageName, langCookieTexts)}
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
		return fmt.Errorf("%w: %s has no Category; set one (KnownCookie fills it only for names the Open Cookie Database knows)", ErrBadCookie, where)
	}
	if !cats[s.Category] {
		return fmt.Errorf("%w: %s: unknown category %q; add it to Config.Categories", ErrBadCookie, where, s.Category)
	}
	if s.Domain != "" && !validCookieDomain(s.Domain) {
		return fmt.Errorf("%w: %s: domain %q is not a host name", ErrBadCookie, where, s.Domain)
	}
	if s.Path != "" && (s.Path[0] != '/' || strings.ContainsFunc(s.Path, func(r rune) bool { return r < ' ' || r == ';' || r == 0x7f })) {
		return fmt.Errorf("%w: %s: path %q must start with / and hold no ';' or control characters", ErrBadCookie, where, s.Path)
	}
	if hostOnlyByName(s.Name) && (s.Domain != "" || (s.Path != "" && s.Path != "/")) {
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
// so that the per-response filter costs a map lookup per Set-Cookie. (A
// hand-rolled table hashing four bytes of the name saved 7 ns a lookup, not
// worth its 60 lines.)
type cookieRegistry struct {
	specs    []CookieSpec   // Config.Cookies, built-ins first
	cat      []int          // category index of each spec, parallel to specs
	exact    map[string]int // exact name -> spec
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
	reg.exact = make(map[string]int, len(cfg.Cookies))
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
			reg.exact[s.Name] = i
		}
	}
	// Longest prefix first: "_ga_x*" is more specific than "_ga*".
	slices.SortStableFunc(reg.prefixes, func(a, b prefixSpec) int { return cmp.Compare(len(b.prefix), len(a.prefix)) })
	reg.gpcJSON = []byte(`{"gpc": true, "lastUpdate": "` + cfg.GPC.LastUpdate.Format(time.DateOnly) + `"}` + "\n")
	return reg
}

// lookup returns the index of the spec declaring the cookie called name, or
// -1. Exact names win over patterns.
func (reg *cookieRegistry) lookup(name string) int {
	if i, ok := reg.exact[name]; ok {
		return i
	}
	for _, p := range reg.prefixes {
		if strings.HasPrefix(name, p.prefix) {
			return p.spec
		}
	}
	return -1
}
