package consent

import (
	"strconv"
	"strings"
	"time"

	"github.com/consentkit/consentkit/internal/cookiedb"
)

// KnownCookie returns the declaration of a cookie the Open Cookie Database
// knows, so that a site declares a well-known cookie in one line:
//
//	Cookies: []consent.CookieSpec{consent.KnownCookie("_ga"), consent.KnownCookie("_ga_*")},
//
// Category (necessary, preferences, analytics or marketing), Provider,
// Purpose (in English) and Lifetime come from the database; Domain, Path,
// Hosts and the flags are left for the site to set, since they depend on
// how it sets the cookie. Change any field of the result before passing
// it on. A name the database does not know gets a spec with only its Name,
// which New refuses for its missing Category: the error names the cookie,
// so a typo does not go unnoticed. A necessary cookie still needs the
// site's own Justification: the database cannot say why this site needs it.
func KnownCookie(name string) CookieSpec {
	s := CookieSpec{Name: name}
	e, ok := cookiedb.Lookup(strings.TrimSuffix(name, "*"))
	if !ok {
		return s
	}
	s.Category, s.Provider = e.Category, e.Platform
	s.Purpose = map[string]string{"en": knownPurpose(e)}
	s.Lifetime = retention(e.Retention)
	return s
}

// knownPurpose words an entry's purpose: the database's descriptions are
// not embedded (they would weigh more than the rest of the table), so the
// purpose says what kind of cookie it is and who controls its data.
func knownPurpose(e cookiedb.Entry) string {
	kind := map[string]string{
		Necessary:     "Needed for " + e.Platform + " to work",
		"preferences": "Remembers choices for " + e.Platform,
		"analytics":   "Measures visits for " + e.Platform,
		"marketing":   "Advertising and tracking by " + e.Platform,
	}[e.Category]
	if kind == "" {
		kind = "Set by " + e.Platform
	}
	if e.Controller != "" && e.Controller != e.Platform {
		kind += " (" + e.Controller + ")"
	}
	return kind + "."
}

// retention reads the database's retention text ("2 years", "13 months",
// "30 minutes", "session", …) as a Lifetime, at most the 400 days
// browsers keep a cookie; 0 (a session cookie) for what it cannot read.
func retention(s string) time.Duration {
	n, unit, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), " ")
	if !ok {
		return 0
	}
	v, err := strconv.Atoi(n)
	if err != nil || v <= 0 {
		return 0
	}
	day := 24 * time.Hour
	units := []struct {
		prefix string
		d      time.Duration
	}{{"sec", time.Second}, {"min", time.Minute}, {"hour", time.Hour}, {"day", day}, {"week", 7 * day},
		{"month", 30 * day}, {"year", 365 * day}}
	for _, u := range units {
		if strings.HasPrefix(unit, u.prefix) {
			return min(time.Duration(v)*u.d, maxLifetime)
		}
	}
	return 0
}
