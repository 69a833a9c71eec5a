package consent

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/consentkit/consentkit/internal/cookiedb"
)

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
//
// Since it runs right before every response's headers go out, it is also
// where a diagnosed response (Config.Diagnostics) gets its summary header.
func (m *Manager) filterSetCookies(h http.Header, st *State) {
	var rec *diagRecord // what is dropped, when the response is diagnosed
	if m.diag.recent != nil {
		if rec = m.diagnosing(h); rec != nil {
			defer rec.headersOut(h)
		}
	}
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
			if m.disc != nil {
				m.discover(DiscoveredSetCookie, name, "")
			}
		}
		if !keep && isDeletion(line, m.cfg.Now) {
			keep = true
		}
		switch {
		case !keep:
			dropped = true
			m.logDropped(name, spec)
			if rec != nil {
				rec.addCookie(name, m.cookieCategory(spec))
			}
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

// cookieCategory returns the category of a declared cookie's spec, or ""
// for an undeclared one (spec < 0).
func (m *Manager) cookieCategory(spec int) string {
	if spec < 0 {
		return ""
	}
	return m.cookies.specs[spec].Category
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
				args := []any{"cookie", name}
				if e, ok := cookiedb.Lookup(name); ok {
					// The Open Cookie Database knows the name: say what it
					// is, so declaring it is one line to copy.
					args = append(args, "known_as", e.Platform, "suggested_category", e.Category, "retention", e.Retention)
				}
				m.log.Warn("consent: dropped a Set-Cookie for a cookie Config.Cookies does not declare; declare it under a category "+
					"(or set UndeclaredCookies: AllowUndeclared)", args...)
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
	if t, ok := parseCookieDate(expires); ok {
		return t.Before(now())
	}
	return false
}

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
