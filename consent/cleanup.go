package consent

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

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
// when the visitor refuses or withdraws it: the decision endpoint's JSON
// answer names them in clear_storage. The slice is a copy.
func (m *Manager) localStorageKeys(category string) []string {
	return slices.Clone(m.cookies.storage[category])
}
