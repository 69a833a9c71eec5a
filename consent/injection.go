package consent

import (
	"net/http"
	"strings"

	"github.com/consentkit/consentkit/internal/banner"
)

// LeaveAlone asks the middleware to inject nothing into the response w is
// writing: no head snippet, no banner, no "Cookie settings" link. Pages that
// are not the site's, or that the banner would only disturb, call it before
// writing their header: the auditlog package's review and history pages do,
// because their strict Content-Security-Policy would block the banner's
// assets. A developer mounting them behind the middleware need not know
// about Config.NoRewrite.
//
// It is not Skip: the markup is still rewritten, so a tracker the page
// names stays neutralised until the visitor grants its category, and
// Set-Cookie is still filtered. Marking a page can therefore never let a
// tracker through; to take a response out of the middleware altogether,
// use Config.NoRewrite.
//
// The middleware is found through w and the Unwrap methods of the writers
// wrapped around it, the convention of http.ResponseController. LeaveAlone
// reports whether it found one; it returns false when no consent middleware
// wraps w, or when a wrapper in between hides it (no Unwrap method): such a
// page then falls back on the CSP check of the middleware, which injects
// nothing a page's policy would block.
func LeaveAlone(w http.ResponseWriter) bool {
	found := false
	// Bounded, should a wrapper ever unwrap to itself.
	for range 32 {
		if rw, ok := w.(interface{ leaveAlone() }); ok {
			rw.leaveAlone()
			found = true // nested Managers: each leaves the page alone
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	return found
}

func (rw *respWriter) leaveAlone() { rw.alone = true }

// cspAllows tells what of the middleware's markup the page's
// Content-Security-Policy headers let work. Every policy is enforced, so
// each must allow a thing for it to be allowed. A policy set by a <meta>
// element in the page is not seen: the decision is taken with the headers.
type cspAllows struct {
	// scripts: the loader and the guard's host set, external scripts under
	// the prefix carrying nonce.
	scripts bool
	// inline: the Consent Mode snippet, an inline script carrying nonce.
	inline bool
	// styles: the stylesheet, a <link> under the prefix carrying nonce.
	styles bool
	// forms: the banner's forms, posted to the prefix.
	forms bool
}

// banner reports whether the banner can work on the page: it needs its
// script, its stylesheet and its forms.
func (a cspAllows) banner() bool { return a.scripts && a.styles && a.forms }

var allowAll = cspAllows{scripts: true, inline: true, styles: true, forms: true}

// pageCSP evaluates the policies of h for the assets of m served to r, with
// the nonce the middleware puts on its elements ("" for none). It reads
// the policies without allocating: they carry a fresh nonce per response,
// so a cache would never hit.
func (m *Manager) pageCSP(r *http.Request, h http.Header, nonce string) cspAllows {
	values := h["Content-Security-Policy"]
	if len(values) == 0 {
		return allowAll
	}
	js, css := banner.AssetNames()
	pre := m.cfg.Prefix
	asset := cspURL{host: r.Host, path: [3]string{pre, "/assets/", js}}
	style := cspURL{host: r.Host, path: [3]string{pre, "/assets/", css}}
	form := cspURL{host: r.Host, path: [3]string{pre, "/decision"}}
	a := allowAll
	for _, v := range values {
		for len(v) > 0 {
			var policy string
			policy, v, _ = strings.Cut(v, ",")
			d := readPolicy(policy)
			if l, ok := d.first(dirScriptElem, dirScript, dirDefault); ok {
				a.scripts = a.scripts && l.allowsURL(asset, nonce, true)
				a.inline = a.inline && l.allowsInline(nonce)
			}
			if l, ok := d.first(dirStyleElem, dirStyle, dirDefault); ok {
				a.styles = a.styles && l.allowsURL(style, nonce, false)
			}
			if l, ok := d.first(dirForm); ok { // no fallback to default-src
				a.forms = a.forms && l.allowsURL(form, "", false)
			}
			if l, ok := d.first(dirSandbox); ok {
				// A sandboxed page runs no script and posts no form unless
				// allowed, and without allow-same-origin its origin is
				// opaque, so the decision endpoint refuses it as
				// cross-origin.
				same := l.has("allow-same-origin")
				a.scripts = a.scripts && same && l.has("allow-scripts")
				a.forms = a.forms && same && l.has("allow-forms")
			}
		}
	}
	return a
}

// The directives that decide what the middleware injects.
const (
	dirScriptElem = iota
	dirScript
	dirStyleElem
	dirStyle
	dirDefault
	dirForm
	dirSandbox
	numDirs
)

var dirNames = [numDirs]string{"script-src-elem", "script-src", "style-src-elem", "style-src", "default-src", "form-action", "sandbox"}

// cspDirectives holds one policy's source lists of those directives, in
// one pass over it. The first directive of a name counts; browsers ignore
// later duplicates.
type cspDirectives struct {
	list [numDirs]cspList
	has  [numDirs]bool
}

func readPolicy(policy string) (d cspDirectives) {
	for len(policy) > 0 {
		var dir string
		dir, policy, _ = strings.Cut(policy, ";")
		name, rest := nextToken(dir)
		for i, n := range dirNames {
			if len(name) == len(n) && !d.has[i] && strings.EqualFold(name, n) {
				d.list[i], d.has[i] = cspList(rest), true
				break
			}
		}
	}
	return d
}

// first returns the source list of the first directive of ids the policy
// has.
func (d *cspDirectives) first(ids ...int) (cspList, bool) {
	for _, i := range ids {
		if d.has[i] {
			return d.list[i], true
		}
	}
	return "", false
}

// cspList is a directive's source list, separated by ASCII whitespace.
type cspList string

// has reports whether the list holds the keyword tok, in any case.
func (l cspList) has(tok string) bool {
	for s, rest := nextToken(string(l)); s != ""; s, rest = nextToken(rest) {
		if strings.EqualFold(s, tok) {
			return true
		}
	}
	return false
}

// nextToken returns the first whitespace-separated token of s and the rest.
func nextToken(s string) (tok, rest string) {
	i := 0
	for i < len(s) && isCSPSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isCSPSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func isCSPSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// cspURL is the part of one of our URLs that source expressions match: the
// request's host, and the path as the concatenation of its pieces, so that
// no string is built per response.
type cspURL struct {
	host string
	path [3]string
}

// pathHasPrefix reports whether the URL's path begins with p.
func (u cspURL) pathHasPrefix(p string) bool {
	for _, piece := range u.path {
		if len(p) <= len(piece) {
			return strings.HasPrefix(piece, p)
		}
		if !strings.HasPrefix(p, piece) {
			return false
		}
		p = p[len(piece):]
	}
	return false // p is longer than the path
}

func (u cspURL) pathLen() int { return len(u.path[0]) + len(u.path[1]) + len(u.path[2]) }

// allowsURL reports whether the list lets an element carrying nonce load u.
// With 'strict-dynamic' (scripts only) host and keyword sources are
// ignored, as browsers do, and only the nonce counts.
func (l cspList) allowsURL(u cspURL, nonce string, script bool) bool {
	strict := false
	if script {
		for s, rest := nextToken(string(l)); s != ""; s, rest = nextToken(rest) {
			strict = strict || strings.EqualFold(s, "'strict-dynamic'")
		}
	}
	for s, rest := nextToken(string(l)); s != ""; s, rest = nextToken(rest) {
		switch {
		case nonce != "" && isNonce(s, nonce):
			return true
		case strict:
		case s == "*", strings.EqualFold(s, "'self'"):
			return true
		case strings.EqualFold(s, "http:"), strings.EqualFold(s, "https:"):
			// The scheme the visitor sees is unknown behind a proxy:
			// taken as matching, which at worst keeps today's behaviour.
			return true
		case !strings.HasPrefix(s, "'") && hostSourceMatches(s, u):
			return true
		}
	}
	return false
}

// allowsInline reports whether the list lets an inline script carrying
// nonce run. 'unsafe-inline' is ignored next to a nonce or hash source or
// 'strict-dynamic'.
func (l cspList) allowsInline(nonce string) bool {
	unsafe, ignored := false, false
	for s, rest := nextToken(string(l)); s != ""; s, rest = nextToken(rest) {
		switch {
		case nonce != "" && isNonce(s, nonce):
			return true
		case strings.EqualFold(s, "'unsafe-inline'"):
			unsafe = true
		case strings.EqualFold(s, "'strict-dynamic'"), hasPrefixFold(s, "'nonce-"), hasPrefixFold(s, "'sha"):
			ignored = true
		}
	}
	return unsafe && !ignored
}

func isNonce(s, nonce string) bool {
	return len(s) == len("'nonce-'")+len(nonce) && hasPrefixFold(s, "'nonce-") &&
		s[len(s)-1] == '\'' && s[len("'nonce-"):len(s)-1] == nonce
}

// hostSourceMatches reports whether a host-source such as
// "https://*.example.com:443/static/" matches u: the host exactly or, with
// "*.", any subdomain; a path ending in '/' as a prefix, another exactly.
// The port is not compared: the visitor's port is unknown behind a proxy.
func hostSourceMatches(s string, u cspURL) bool {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	hostPort, path := s, ""
	if i := strings.IndexByte(s, '/'); i >= 0 {
		hostPort, path = s[:i], s[i:]
	}
	host := hostPort
	if i := strings.LastIndexByte(hostPort, ':'); i >= 0 && !strings.HasSuffix(hostPort, "]") {
		host = hostPort[:i]
	}
	want := u.host
	if i := strings.LastIndexByte(want, ':'); i >= 0 && !strings.HasSuffix(want, "]") {
		want = want[:i]
	}
	switch {
	case host == "*":
	case strings.HasPrefix(host, "*."):
		if len(want) <= len(host)-1 || !strings.EqualFold(want[len(want)-len(host)+1:], host[1:]) {
			return false
		}
	case !strings.EqualFold(host, want):
		return false
	}
	if path == "" || path == "/" {
		return true
	}
	if strings.HasSuffix(path, "/") {
		return u.pathHasPrefix(path)
	}
	return len(path) == u.pathLen() && u.pathHasPrefix(path)
}

// cspNonce finds the nonce of a Content-Security-Policy header's script-src
// (or default-src) directive.
func cspNonce(h http.Header) string {
	for _, policy := range h.Values("Content-Security-Policy") {
		var fallback string
		for _, dir := range strings.Split(policy, ";") {
			fields := strings.Fields(dir)
			if len(fields) == 0 {
				continue
			}
			name := strings.ToLower(fields[0])
			if name != "script-src" && name != "script-src-elem" && name != "default-src" {
				continue
			}
			for _, f := range fields[1:] {
				if len(f) > 8 && strings.HasPrefix(f, "'nonce-") && f[len(f)-1] == '\'' {
					n := f[7 : len(f)-1]
					if !validNonce(n) {
						continue
					}
					if name == "default-src" {
						fallback = n
					} else {
						return n
					}
				}
			}
		}
		if fallback != "" {
			return fallback
		}
	}
	return ""
}

func validNonce(n string) bool {
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_') {
			return false
		}
	}
	return n != ""
}
