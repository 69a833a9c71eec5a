package trackers

import (
	"net/url"
	"strings"
)

// Google's "advanced" Consent Mode loads the Google tag before consent, with
// every Consent Mode type denied, so that it sends cookieless pings
// (https://developers.google.com/tag-platform/security/concepts/consent-mode#advanced_consent_mode).
// The exception is one URL, not the host: www.googletagmanager.com also
// serves Tag Manager containers (gtm.js, and gtag/js asked for a GTM- ID),
// which load whatever tags they hold and must stay blocked.

// googleTagHost and googleTagPath are the Google tag's URL, matched exactly.
const (
	googleTagHost = "www.googletagmanager.com"
	googleTagPath = "/gtag/js"
)

// WithGoogleTag returns a copy of t whose URL lookups ([Table.LookupURL],
// [Table.LookupURLBytes]) report the Google tag, https://www.googletagmanager.com/gtag/js,
// as not a tracker, for sites that chose advanced Consent Mode. Only that
// exact path counts: other paths of the host (gtm.js, /gtag/js2,
// /gtag/js/x), a GTM- container ID in the query, another host, and a URL
// written in a way this check does not read exactly as a browser would
// (backslashes, tabs, percent-escapes, user info, a port) stay blocked.
// Host lookups ([Table.Lookup]), which see no path, are unchanged: an
// inline script that builds the URL itself stays blocked too.
func (t *Table) WithGoogleTag() *Table {
	return &Table{hosts: t.hosts, googleTag: true}
}

// isGoogleTagURL reports whether rawURL is the Google tag's script URL as
// [Table.WithGoogleTag] lets it through: http(s) or protocol-relative,
// host www.googletagmanager.com (any letter case), path exactly /gtag/js,
// and no id parameter naming a Tag Manager container (GTM-…). Anything
// unusual makes it false, which keeps the URL blocked.
func isGoogleTagURL(rawURL string) bool {
	s := strings.Trim(rawURL, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	if strings.ContainsAny(s, "\t\n\r\\") {
		return false
	}
	switch {
	case strings.HasPrefix(s, "//"):
		s = s[2:]
	case len(s) > 8 && strings.EqualFold(s[:8], "https://"):
		s = s[8:]
	case len(s) > 7 && strings.EqualFold(s[:7], "http://"):
		s = s[7:]
	default:
		return false
	}
	if len(s) < len(googleTagHost) || !strings.EqualFold(s[:len(googleTagHost)], googleTagHost) {
		return false
	}
	s = s[len(googleTagHost):]
	if !strings.HasPrefix(s, googleTagPath) {
		return false
	}
	s = s[len(googleTagPath):]
	s, _, _ = strings.Cut(s, "#")
	if s == "" {
		return true
	}
	if s[0] != '?' {
		return false // /gtag/js2, /gtag/js/…, /gtag/js;x
	}
	q, err := url.ParseQuery(s[1:])
	if err != nil {
		return false
	}
	for _, id := range q["id"] {
		if len(id) >= 4 && strings.EqualFold(id[:4], "GTM-") {
			return false
		}
	}
	return true
}

// googleTagExempt reports whether a tracker hit for s is the Google tag URL
// that t lets through. Hits are one URL in seven on real pages; only those
// holding the path are converted and parsed, so the others cost a scan and
// no allocation.
func googleTagExempt[T string | []byte](t *Table, s T) bool {
	return t.googleTag && hasGoogleTagPath(s) && isGoogleTagURL(string(s))
}

// hasGoogleTagPath reports whether s contains googleTagPath.
func hasGoogleTagPath[T string | []byte](s T) bool {
	for i := 0; i+len(googleTagPath) <= len(s); i++ {
		if s[i] == '/' && string(s[i:i+len(googleTagPath)]) == googleTagPath {
			return true
		}
	}
	return false
}
