package consent

import (
	"net/http"
	"time"
)

// CookieSpec declares a cookie the site or one of its third parties sets.
type CookieSpec struct {
	// Name is the cookie's exact name, or a prefix pattern ending in '*'
	// such as "_ga_*".
	Name string
	// Category is the ID of the category the cookie belongs to.
	Category string
	// Domain and Path are the attributes the cookie is set with.
	Domain, Path string
	// Purpose says what the cookie is for, per language (BCP 47 tag →
	// text); "en" is the fallback.
	Purpose map[string]string
	// Provider is who sets the cookie, such as "Google Analytics".
	Provider string
	// Lifetime is how long the cookie lives; 0 means a session cookie.
	Lifetime time.Duration
	// Hosts are the third-party hosts that set the cookie.
	Hosts []string
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

func (c *Config) normalizeCookies() error { return nil }

type cookieRegistry struct{}

func newCookieRegistry(cfg *Config) *cookieRegistry { return &cookieRegistry{} }

// filterSetCookies removes from h the Set-Cookie headers of cookies whose
// category st does not grant. It runs on every response, before its
// headers are sent.
func (m *Manager) filterSetCookies(h http.Header, st *State) {}

// afterDecision is where a decision's side effects on other cookies go: on
// withdrawal or refusal, the declared cookies of the denied categories that
// the request carried are expired.
func (m *Manager) afterDecision(w http.ResponseWriter, r *http.Request, prev, next *State) {}

// serveDeclaration serves {prefix}/cookies (HTML) and {prefix}/cookies.json.
func (m *Manager) serveDeclaration(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

// serveGPCJSON serves /.well-known/gpc.json.
func (m *Manager) serveGPCJSON(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
