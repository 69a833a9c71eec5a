package consent

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// Diagnostics configures a development aid: per response, what the
// middleware did and why (elements neutralised with their category and
// reason, Set-Cookie headers dropped, configuration warnings), shown in the
// browser rather than in server logs. It is for development only: it costs
// memory and a little time on every response, and although it records no
// visitor data (no cookie values, IP addresses, query strings or consent
// IDs), the page paths and tracker hosts it lists describe the site to
// whoever may read them.
//
// When Enabled, every response carries an X-Consentkit-Diagnosis header
// with the response's diagnosis ID and a Server-Timing entry "consentkit"
// summarising what was known when its headers went out (DevTools show it
// under Timing); {prefix}/debug lists the recent responses, and
// {prefix}/debug?id=<id> one of them, with the elements neutralised in its
// body, which is rewritten after the headers are sent. (A trailer could
// carry them, but DevTools do not show trailers, and a streamed page would
// have to be chunked for it.)
type Diagnostics struct {
	// Enabled turns the aid on. Default is false; keep it off in
	// production.
	Enabled bool
	// Authorize decides who may read {prefix}/debug; others get 403.
	// Default allows only requests from a loopback address that carry no
	// Forwarded, X-Forwarded-For or X-Real-Ip header: a reverse proxy on
	// the same machine makes every visitor a loopback client, and those
	// headers are how such a proxy gives itself away. Behind a proxy,
	// supply your own check (a developer login, a VPN address range).
	Authorize func(r *http.Request) bool
	// Keep is how many responses the debug page remembers, oldest
	// forgotten first. Default is 100, at most 10000.
	Keep int
}

const (
	diagHeader       = "X-Consentkit-Diagnosis"
	defaultDiagKeep  = 100
	maxDiagKeep      = 10000
	maxDiagElements  = 200 // per response; more are counted, not listed
	maxDiagCookies   = 50
	maxDiagWarnings  = 20
	maxDiagNameLen   = 64  // category and cookie names as shown
	maxDiagHostLen   = 100 // hosts as shown
	maxDiagPathLen   = 200 // page paths as shown
	maxUnknownWarned = 64  // distinct unknown categories / snippets warned about
)

// normalizeDiagnostics checks Config.Diagnostics and fills its defaults.
func (c *Config) normalizeDiagnostics() error {
	d := &c.Diagnostics
	if d.Keep == 0 {
		d.Keep = defaultDiagKeep
	}
	if d.Keep < 0 || d.Keep > maxDiagKeep {
		return fmt.Errorf("%w: Diagnostics.Keep is %d; use between 1 and %d responses (0 for %d)",
			ErrBadConfig, d.Keep, maxDiagKeep, defaultDiagKeep)
	}
	if d.Authorize == nil {
		d.Authorize = loopbackOnly
	}
	return nil
}

// loopbackOnly is the default Diagnostics.Authorize.
func loopbackOnly(r *http.Request) bool {
	h := r.Header
	if len(h["Forwarded"]) > 0 || len(h["X-Forwarded-For"]) > 0 || len(h["X-Real-Ip"]) > 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// diagnostics is the Manager's memory of what it warned about and, when
// Config.Diagnostics is on, of recent responses.
type diagnostics struct {
	unknown onceNames // category names no Config.Categories declares
	inline  onceNames // inline tracker snippets without data-consent
	recent  *diagRing // nil when Config.Diagnostics is off
}

// initDiagnostics starts the debug page's memory when Config.Diagnostics is
// on.
func (m *Manager) initDiagnostics() {
	if !m.cfg.Diagnostics.Enabled {
		return
	}
	m.diag.recent = &diagRing{recs: make([]*diagRecord, 0, m.cfg.Diagnostics.Keep)}
	m.log.Warn("consent: Diagnostics is on: responses carry " + diagHeader + " and " + m.cfg.Prefix +
		"/debug lists what the middleware did; turn it off in production")
}

// diagRing keeps the recent responses for the debug page, and the ones
// being served, which the header names.
type diagRing struct {
	mu       sync.Mutex
	recs     []*diagRecord // circular once full
	next     int
	inflight sync.Map // id -> *diagRecord while its response is served
	// nInflight bounds inflight: a handler that panics never reaches
	// endDiagnosis, and a deferred call would cost every response, with
	// Diagnostics off too, about 35 instructions.
	nInflight atomic.Int32
}

// maxInflight is far more responses than a development server serves at
// once; past it the records of panicked responses are forgotten.
const maxInflight = 4096

// diagRecord is what the middleware did to one response. It is written by
// the goroutine serving the response and read by the debug page only after
// it is published, so it needs no lock.
type diagRecord struct {
	ID       string
	At       time.Time
	Method   string
	Path     string // never the query: it may hold visitor data
	HTML     bool   // the body was rewritten
	Elements []diagElement
	Cookies  []diagCookie
	Warnings []string
	// MoreElements and MoreCookies count what the bounds left out.
	MoreElements, MoreCookies int
	prefix                    string
}

type diagElement struct{ Element, Category, Reason, Match string }

type diagCookie struct{ Name, Category, Reason string }

// beginDiagnosis starts the diagnosis of one response, naming it in the
// response's header. Call it only with Diagnostics on.
func (m *Manager) beginDiagnosis(w http.ResponseWriter, r *http.Request) *diagRecord {
	var b [8]byte
	_, _ = rand.Read(b[:])
	rec := &diagRecord{ID: hex.EncodeToString(b[:]), At: m.cfg.Now(), Method: r.Method,
		Path: truncate(r.URL.Path, maxDiagPathLen), prefix: m.cfg.Prefix}
	w.Header().Set(diagHeader, rec.ID)
	d := m.diag.recent
	if d.nInflight.Add(1) > maxInflight {
		d.inflight.Clear() // the diagnoses being served lose their details, nothing else
		d.nInflight.Store(1)
	}
	d.inflight.Store(rec.ID, rec)
	return rec
}

// endDiagnosis publishes the diagnosis of a served response (not called
// when the handler panics), when it has
// something to say: responses the middleware left alone (images, scripts,
// JSON without cookies) would only push pages out of the debug page.
func (m *Manager) endDiagnosis(rec *diagRecord) {
	d := m.diag.recent
	if _, ok := d.inflight.LoadAndDelete(rec.ID); ok {
		d.nInflight.Add(-1)
	}
	if !rec.HTML && len(rec.Cookies) == 0 && len(rec.Warnings) == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.recs) < cap(d.recs) {
		d.recs = append(d.recs, rec)
		return
	}
	d.recs[d.next] = rec
	d.next = (d.next + 1) % len(d.recs)
}

// diagnosing returns the diagnosis of the response whose headers are h, or
// nil. The ID in the header is the link: the hooks that see the headers
// before they are sent (Set-Cookie filtering, the start of the rewrite)
// are not given the request.
func (m *Manager) diagnosing(h http.Header) *diagRecord {
	if m.diag.recent == nil {
		return nil
	}
	v := h[diagHeader]
	if len(v) == 0 {
		return nil
	}
	if rec, ok := m.diag.recent.inflight.Load(v[0]); ok {
		return rec.(*diagRecord)
	}
	return nil
}

// snapshot returns the published records, newest first.
func (d *diagRing) snapshot() []*diagRecord {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]*diagRecord, 0, len(d.recs))
	for i := range d.recs {
		out = append(out, d.recs[(d.next+len(d.recs)-1-i)%len(d.recs)])
	}
	return out
}

func (rec *diagRecord) addElement(e rewrite.Event) {
	if len(rec.Elements) >= maxDiagElements {
		rec.MoreElements++
		return
	}
	match := ""
	switch e.Reason {
	case rewrite.ReasonInlineSnippet:
		match = truncate(string(e.Match), maxDiagNameLen) + "(…)"
	case rewrite.ReasonAttribute:
	default:
		match = string(truncateBytes(matchHost(e.Match), maxDiagHostLen))
	}
	el := e.Element
	if el == "" {
		el = "(style attribute)"
	}
	rec.Elements = append(rec.Elements, diagElement{Element: el, Category: truncate(e.Category, maxDiagNameLen),
		Reason: e.Reason.String(), Match: match})
}

// addCookie records a dropped Set-Cookie: its name and why, never its value.
func (rec *diagRecord) addCookie(name, category string) {
	if len(rec.Cookies) >= maxDiagCookies {
		rec.MoreCookies++
		return
	}
	c := diagCookie{Name: truncate(name, maxDiagNameLen), Category: category, Reason: "category not granted"}
	if category == "" {
		c.Reason = "undeclared: not in Config.Cookies"
		rec.warn("cookie %q is not declared in Config.Cookies, so it is dropped for every visitor; declare it under its category", c.Name)
	}
	rec.Cookies = append(rec.Cookies, c)
}

// warn adds a warning once per response.
func (rec *diagRecord) warn(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	for _, w := range rec.Warnings {
		if w == s {
			return
		}
	}
	if len(rec.Warnings) < maxDiagWarnings {
		rec.Warnings = append(rec.Warnings, s)
	}
}

// headersOut notes what is known when a response's headers go out and
// summarises it in the Server-Timing header, replacing its own earlier
// summary.
func (rec *diagRecord) headersOut(h http.Header) {
	if ce := h.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") && isHTML(h.Get("Content-Type")) {
		rec.warn("the HTML response arrived already compressed (Content-Encoding: %s): put compression outside the "+
			"consent middleware (README, Streaming and compression)", truncate(ce, maxDiagNameLen))
	}
	var parts []string
	if rec.HTML {
		parts = append(parts, "HTML rewritten")
	}
	if n := len(rec.Cookies) + rec.MoreCookies; n > 0 {
		parts = append(parts, plural(n, "cookie")+" dropped")
	}
	if n := len(rec.Warnings); n > 0 {
		parts = append(parts, plural(n, "warning"))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing changed")
	}
	desc := strings.Join(parts, ", ") + "; details: " + rec.prefix + "/debug?id=" + rec.ID
	// For printable ASCII (IDs, counts, a path prefix) strconv.Quote escapes
	// exactly what a quoted-string must: the quote and the backslash.
	entry := "consentkit;desc=" + strconv.Quote(desc)
	lines := make([]string, 0, len(h["Server-Timing"])+1)
	for _, l := range h["Server-Timing"] {
		if !strings.HasPrefix(l, "consentkit;") {
			lines = append(lines, l)
		}
	}
	h["Server-Timing"] = append(lines, entry)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// matchHost returns the host of what the rewriter matched: a URL (whose
// path and query are dropped, since they may carry visitor data) or a bare
// host.
func matchHost(u []byte) []byte {
	for len(u) > 0 && u[0] <= ' ' {
		u = u[1:]
	}
	if i := indexScheme(u); i >= 0 {
		u = u[i+1:]
	}
	for len(u) > 0 && (u[0] == '/' || u[0] == '\\') {
		u = u[1:]
	}
	for i, c := range u {
		if c == '/' || c == '\\' || c == '?' || c == '#' {
			u = u[:i]
			break
		}
	}
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] == '@' { // user information: never shown
			u = u[i+1:]
			break
		}
	}
	return u
}

// indexScheme returns the index of the colon ending a URL's scheme, or -1.
func indexScheme(u []byte) int {
	for i, c := range u {
		switch {
		case c == ':':
			return i
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return -1
		}
	}
	return -1
}

func truncateBytes(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return b[:n]
}
