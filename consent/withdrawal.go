package consent

import (
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// The header budget of one clean-up: the expiring Set-Cookie lines a
// decision response may carry. Past it the remaining lines are left out
// (the browser keeps those cookies until they expire or the next decision
// expires them) and a warning is logged once per Manager.
//
// The figures come from the proxies sites sit behind, which answer 502 to
// the visitor when an upstream's response header is too large: nginx reads
// the whole header into proxy_buffer_size, one memory page (4 KiB) by
// default, and HAProxy accepts at most 101 header lines (tune.http.maxhdr).
// The rest of a decision response (status line, Location, the consent
// cookie, Cache-Control, Date) takes well under 1 KiB and ten lines, so
// 3 KiB and 40 lines of expiries keep it inside both. A withdrawal of
// Google Analytics on www.example.com (_ga, _ga_<id>, _gid, three domain
// forms each) takes 9 lines and about 700 bytes.
const (
	maxExpiryLines = 40
	maxExpiryBytes = 3 << 10
)

// afterDecision is where a decision's side effects on other cookies go: on
// withdrawal or refusal, the declared cookies of the denied categories that
// the request carried are expired.
//
// A Cookie header tells names, not the Domain or Path a cookie was set
// with, and a browser deletes a cookie only when both match. Scripts do not
// keep to the declaration either: Google Analytics sets _ga on the
// registrable domain whatever the page's host. So each name is expired for
// every domain it can live on (host-only, and each domain from the host up
// to the registrable one: see cookieDomains), on its declared path and on
// "/". The declared form goes first and the widest next, for every name
// before any name's rarer forms, so that a clean-up cut short by the header
// budget still reaches the likeliest copy of every cookie.
//
// A spec whose Domain the request host does not belong to is a third
// party's cookie that shares the name, and is left alone. The previous
// decision does not matter: a first refusal cleans up too, which removes
// what a misbehaving script set before the visitor decided.
func (m *Manager) afterDecision(w http.ResponseWriter, r *http.Request, next *State) {
	reg := m.cookies
	host := requestHost(r)
	var names []withdrawnCookie
	more := 0 // withdrawn cookies past the first maxExpiryLines names
	for _, c := range r.Cookies() {
		spec := reg.lookup(c.Name)
		if spec < 0 || m.grantsIndex(next, reg.cat[spec]) {
			continue
		}
		s := &reg.specs[spec]
		if !domainMatch(host, s.Domain) || slices.ContainsFunc(names, func(n withdrawnCookie) bool { return n.name == c.Name }) {
			continue
		}
		// Each name's first line goes out before any name's second, so
		// no name past the line budget can get one: they are only counted,
		// which also bounds the work a Cookie header of thousands of
		// names matching a declared pattern can cause.
		if len(names) == maxExpiryLines {
			more++
			continue
		}
		names = append(names, withdrawnCookie{name: c.Name, spec: s})
		m.log.Debug("consent: expiring a cookie of a category the visitor refused", "cookie", c.Name, "category", s.Category)
	}
	if len(names) == 0 {
		return
	}
	lines, left := expiryLines(host, names)
	h := w.Header()
	for _, l := range lines {
		h.Add("Set-Cookie", l)
	}
	if left > 0 || more > 0 {
		m.warnOncef("expiry-budget", "consent: a withdrawal had more cookie forms to expire than fit the header budget; the declared form of each cookie went out first and the rest were left out, so the browser keeps those copies until a later decision; declare each cookie's Domain and Path as its script sets them",
			"sent_lines", len(lines), "left_out", left, "cookies_left_out", more, "max_lines", maxExpiryLines, "max_bytes", maxExpiryBytes)
	}
}

// withdrawnCookie is a cookie the visitor sent that belongs to a category
// they refused, with the spec that declares it.
type withdrawnCookie struct {
	name string
	spec *CookieSpec
}

// cookieForm is where a cookie may live: a Domain ("" for host-only) and a
// Path. A browser keys its cookies by name, domain, host-only flag and path.
type cookieForm struct{ domain, path string }

// expiryLines returns the Set-Cookie lines that expire names on host,
// breadth-first (every name's first form, then every name's second, …)
// within the header budget, and how many lines it left out.
func expiryLines(host string, names []withdrawnCookie) (lines []string, left int) {
	domains := cookieDomains(host)
	forms := make([][]cookieForm, len(names))
	for i, n := range names {
		forms[i] = expiryForms(n.name, n.spec, domains)
	}
	size := 0
	for round := 0; ; round++ {
		more := false
		for i, n := range names {
			if round >= len(forms[i]) {
				continue
			}
			more = true
			if left > 0 {
				left++ // once one line does not fit, none goes out after it
				continue
			}
			l := expiryLine(n.name, n.spec, forms[i][round])
			if len(lines) == maxExpiryLines || size+len(l) > maxExpiryBytes {
				left++
				continue
			}
			lines = append(lines, l)
			size += len(l)
		}
		if !more {
			return lines, left
		}
	}
}

// expiryForms returns the forms to expire name in, likeliest first: the
// declared one, then the registrable domain (where analytics scripts set
// theirs), host-only, the domains between, and the same again on "/" when
// the declared path is another. domains is cookieDomains of the host.
func expiryForms(name string, s *CookieSpec, domains []string) []cookieForm {
	if hostOnlyByName(name) {
		// A browser accepts a __Host- cookie only host-only, on "/".
		return []cookieForm{{"", "/"}}
	}
	declared := strings.ToLower(strings.TrimPrefix(s.Domain, "."))
	if !slices.Contains(domains, declared) {
		declared = "" // an IP, a public suffix or the like: host-only
	}
	path := s.Path
	if path == "" {
		path = "/"
	}
	paths := []string{path}
	if path != "/" {
		paths = append(paths, "/")
	}
	order := make([]string, 0, len(domains)+1)
	if len(domains) > 0 {
		order = append(order, domains[0])
	}
	order = append(order, "")
	if len(domains) > 1 {
		order = append(order, domains[1:]...)
	}
	out := make([]cookieForm, 0, len(order)*len(paths))
	out = append(out, cookieForm{declared, path})
	for _, p := range paths {
		for _, d := range order {
			if f := (cookieForm{d, p}); !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// expiryLine is the Set-Cookie line that expires the cookie name in form f,
// with the HttpOnly and Secure it was declared with: Secure too for a
// __Secure- or __Host- name, which a browser refuses without it.
func expiryLine(name string, s *CookieSpec, f cookieForm) string {
	c := http.Cookie{
		Name:     name,
		Path:     f.path,
		Domain:   f.domain,
		MaxAge:   -1,
		Expires:  time.Unix(0, 0).UTC(),
		HttpOnly: s.HttpOnly,
		Secure:   s.Secure || secureByName(name),
	}
	return c.String()
}

// cookieDomains returns the domains a cookie that host can see may have
// been set with a Domain attribute for: the registrable domain (the public
// suffix plus one label, from golang.org/x/net/publicsuffix, private
// suffixes such as github.io included) first, then each domain below it
// down to host itself. "www.shop.example.co.uk" gives example.co.uk,
// shop.example.co.uk, www.shop.example.co.uk, and never co.uk, which a
// browser refuses as a cookie's domain.
//
// It returns nil, leaving only the host-only form, for a host no Domain
// attribute can name: an IP address, a single label such as localhost, a
// public suffix itself, a name with a trailing dot (browsers keep
// "example.com." apart from "example.com"), or anything that is not an
// ASCII host name, such as a Unicode name (browsers send IDNs as xn--
// labels, which work as any other, and net/http refuses a non-ASCII Host).
func cookieDomains(host string) []string {
	if !cookieDomainName(host) || net.ParseIP(host) != nil {
		return nil
	}
	reg, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil || !cookieDomainName(reg) {
		return nil // "a.0.0": a registrable domain of digits only is none
	}
	out := []string{reg}
	for d := host; d != reg; {
		out = append(out, d)
		_, d, _ = strings.Cut(d, ".")
	}
	slices.Reverse(out[1:])
	return out
}

// cookieDomainName reports whether s is a lower-case host name a Domain
// attribute may carry: labels of 1 to 63 letters, digits and inner hyphens,
// at least one letter, 253 bytes at most, no trailing dot. It is the rule
// net/http applies before writing a Domain, so no line loses its Domain
// (and logs a complaint) on the way out.
func cookieDomainName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	letter := false
	label := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z':
			letter = true
			label++
		case '0' <= c && c <= '9':
			label++
		case c == '-':
			if label == 0 || i+1 == len(s) || s[i+1] == '.' {
				return false
			}
			label++
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		default:
			return false
		}
		if label > 63 {
			return false
		}
	}
	return letter && label > 0
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
// when the visitor refuses or withdraws it: the decision endpoint's JSON
// answer names them in clear_storage. The slice is a copy.
func (m *Manager) localStorageKeys(category string) []string {
	return slices.Clone(m.cookies.storage[category])
}
