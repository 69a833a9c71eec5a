package consent

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Cookie sets the names and attributes of the middleware's own cookies.
// Both are necessary cookies, declared automatically.
type Cookie struct {
	// Name is the consent cookie's name. Default is "consent". A host-only
	// Secure cookie (no Domain, Insecure unset) is written as "__Host-" +
	// Name, which no subdomain can set or overwrite; the name without the
	// prefix is still read, so cookies set before the prefix keep working
	// until the next decision renames them.
	Name string
	// LanguageName is the cookie that remembers a visitor's choice in the
	// banner's language switcher. Default is "consent_lang"; it gets the
	// __Host- prefix as Name does.
	LanguageName string
	// Domain shares the cookies across subdomains when set, such as
	// "example.com". Default is "" (host-only cookies).
	Domain string
	// Insecure drops the Secure attribute, for plain-HTTP development on
	// hosts other than localhost. Default is false: the cookies are Secure.
	Insecure bool
	// SameSite is the cookies' SameSite attribute. Default is
	// http.SameSiteLaxMode; http.SameSiteNoneMode requires Secure cookies.
	SameSite http.SameSite
}

// hostPrefix is the cookie name prefix (RFC 6265bis 4.1.3.2) that browsers
// accept only on a Secure, host-only cookie with Path=/: no subdomain and
// no plain-HTTP page can set or overwrite a cookie with such a name.
const hostPrefix = "__Host-"

// hostOnlyByName and secureByName are the cookie name prefix rules
// (RFC 6265bis 4.1.3), matched in any case as browsers match them: a
// __Host- cookie is Secure, host-only and on "/"; a __Secure- cookie is
// Secure. Every place that declares, checks, sets or expires a cookie asks
// them.
func hostOnlyByName(name string) bool { return hasPrefixFold(name, hostPrefix) }

func secureByName(name string) bool {
	return hasPrefixFold(name, hostPrefix) || hasPrefixFold(name, "__Secure-")
}

// hasPrefixFold reports whether name starts with prefix in any case: as
// browsers match the cookie name prefixes (RFC 6265bis 4.1.3), and as CSP
// source expressions and URL schemes are compared.
func hasPrefixFold[T string | []byte](s T, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(string(s[:len(prefix)]), prefix)
}

// validCookieDomain reports whether d can be a Domain attribute: a host
// name, with or without the leading dot browsers ignore. It is the one
// check for Config.Cookie.Domain and CookieSpec.Domain.
func validCookieDomain(d string) bool {
	d = strings.TrimPrefix(d, ".")
	return d != "" && !strings.ContainsAny(d, " ;,/:\\\"=") && !strings.Contains(d, "..")
}

// cookieNames are the names the middleware's own cookies are written and
// read under. One rule names them all (nameRule); every place that sets,
// reads, declares or expires them takes the names from here.
type cookieNames struct {
	consent, consentOld string
	lang, langOld       string
}

// namesOf applies nameRule to the consent and language cookies of a
// normalised Config. A configured name with a prefix must have the
// attributes the prefix demands, or browsers would drop every cookie.
func namesOf(c *Config) (cookieNames, error) {
	var n cookieNames
	for _, name := range []string{c.Cookie.Name, c.Cookie.LanguageName} {
		switch {
		case hostOnlyByName(name) && c.Cookie.Domain != "":
			return n, fmt.Errorf("%w: cookie name %q: browsers refuse a __Host- cookie with a Domain; unset Cookie.Domain or "+
				"drop the prefix", ErrBadCookie, name)
		case secureByName(name) && c.Cookie.Insecure:
			return n, fmt.Errorf("%w: cookie name %q: browsers refuse a prefixed cookie without Secure; unset Cookie.Insecure "+
				"or drop the prefix", ErrBadCookie, name)
		}
	}
	n.consent, n.consentOld = nameRule(c.Cookie.Name, c)
	n.lang, n.langOld = nameRule(c.Cookie.LanguageName, c)
	return n, nil
}

// nameRule returns the name a middleware cookie configured as configured is
// written under, and the other name it is still read under ("" for none).
//
// A host-only Secure cookie (no Cookie.Domain, Cookie.Insecure unset) gets
// the __Host- prefix, so that a subdomain cannot toss a cookie of the same
// name over it (a cookie set for the parent domain is sent along with the
// site's own, and a server cannot tell which is which). The name without
// the prefix is still read: cookies set before the prefix existed keep
// working, and the next decision replaces them. The other way round, a
// site that adds a Cookie.Domain keeps reading its __Host- cookies. A
// configured name that already has a __Host- or __Secure- prefix is used as
// it is.
func nameRule(configured string, c *Config) (name, old string) {
	if secureByName(configured) {
		return configured, ""
	}
	if c.Cookie.Domain == "" && !c.Cookie.Insecure {
		return hostPrefix + configured, configured
	}
	return configured, hostPrefix + configured
}

// consentName is the consent cookie's current name, or its old one.
func (n *cookieNames) consentName(old bool) string {
	if old {
		return n.consentOld
	}
	return n.consent
}

// rename gives the declarations of the middleware's own cookies, which
// normalizeCookies made under the configured names, the names they are
// written under, so that the declaration page shows them and the Set-Cookie
// filter knows them. A developer's declaration must not take either name.
func (n *cookieNames) rename(specs []CookieSpec) error {
	names := []string{n.consent, n.consentOld, n.lang, n.langOld}
	for i := range 4 {
		for j := i + 1; j < 4; j++ {
			if names[i] != "" && names[i] == names[j] {
				return fmt.Errorf("%w: the consent and language cookies would both be called %q; choose distinct names",
					ErrBadCookie, names[i])
			}
		}
	}
	// normalizeCookies put the consent cookie's declaration first and the
	// language cookie's second.
	specs[0].Name, specs[1].Name = n.consent, n.lang
	for i := 2; i < len(specs); i++ {
		if s := specs[i].Name; s != "" && slices.Contains(names, s) {
			return fmt.Errorf("%w: Cookies declares %q, a name of the middleware's own cookies; declare those under the names "+
				"configured in Cookie.Name and Cookie.LanguageName", ErrBadCookie, s)
		}
	}
	return nil
}

// set writes a middleware cookie called name with value v and, when the
// request carried the cookie's other name, expires that one, so that the
// browser keeps one cookie and the next requests read the current name.
func (n *cookieNames) set(w http.ResponseWriter, r *http.Request, c *Config, name, old, v string) {
	http.SetCookie(w, ownCookie(c, name, v, int(c.Lifetime/time.Second)))
	if old == "" {
		return
	}
	if _, ok := cookieValue(r.Header, old, nil); ok {
		http.SetCookie(w, ownCookie(c, old, "", -1))
	}
}

// ownCookie is a middleware cookie with the attributes its name requires:
// a __Host- cookie is Secure and host-only, whatever the configuration.
func ownCookie(c *Config, name, v string, maxAge int) *http.Cookie {
	ck := &http.Cookie{Name: name, Value: v, Path: "/", Domain: c.Cookie.Domain, MaxAge: maxAge,
		Secure: !c.Cookie.Insecure, HttpOnly: true, SameSite: c.Cookie.SameSite}
	if hostOnlyByName(name) {
		ck.Domain, ck.Secure = "", true
	}
	if maxAge < 0 {
		ck.Expires = time.Unix(0, 0).UTC()
	}
	return ck
}

// setLangCookie remembers a visitor's language choice.
func (m *Manager) setLangCookie(w http.ResponseWriter, r *http.Request, lang string) {
	m.names.set(w, r, &m.cfg, m.names.lang, m.names.langOld, lang)
}

// langCookie returns the language a visitor chose, from the language
// cookie's current name, else its old one.
func (m *Manager) langCookie(h http.Header) (string, bool) {
	if v, ok := cookieValue(h, m.names.lang, nil); ok || m.names.langOld == "" {
		return v, ok
	}
	return cookieValue(h, m.names.langOld, nil)
}
