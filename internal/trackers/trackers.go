package trackers

import (
	"strings"
	"sync"
)

// The categories the built-in table uses. A host that is not in the table is
// necessary: the table never stores necessary hosts.
const (
	// Analytics covers audience measurement, tag managers, A/B testing and
	// session recording.
	Analytics = "analytics"
	// Marketing covers advertising, retargeting and conversion pixels,
	// affiliate tracking, social widgets, comment and chat widgets, and video
	// and audio embeds.
	Marketing = "marketing"
)

// maxHost is the longest host name DNS allows; longer ones are never in the
// table, and the bound lets lookups normalise into a stack buffer.
const maxHost = 253

// Table maps hosts to consent categories. A Table is immutable once built and
// safe for concurrent use; [Table.With] returns a modified copy.
type Table struct {
	// hosts maps lower-case ASCII hosts (IDNs in their "xn--" form) to their
	// category. An entry covers its subdomains.
	hosts map[string]string
	// googleTag lets the Google tag's own URL through (WithGoogleTag).
	googleTag bool

	filterOnce sync.Once
	filter     *HostFilter
	index      hostIndex // hosts for suffixLookup, built with filter
}

var defaultTable = sync.OnceValue(func() *Table { return &Table{hosts: builtinHosts()} })

// Default returns the built-in table: the AdGuard companiesdb tracker domains
// mapped onto consent categories, with the corrections of overrides.go. Every
// call returns the same *Table; the first one builds it.
func Default() *Table { return defaultTable() }

// With returns a copy of t with overrides applied: each key is a host (a
// leading "*." or "." is accepted and means the same thing, since subdomains
// always match) and each value its category. An empty category removes the
// host, which is how a developer declares a listed host first-party or
// necessary; it does not exempt the host from an entry for a parent domain.
// Keys are normalised like looked-up hosts (case, full-width forms, IDNs to
// punycode); categories are case-insensitive and stored in lower case. t
// itself is not modified.
func (t *Table) With(overrides map[string]string) *Table {
	n := &Table{hosts: make(map[string]string, len(t.hosts)+len(overrides)), googleTag: t.googleTag}
	for h, c := range t.hosts {
		n.hosts[h] = c
	}
	for h, c := range overrides {
		key := normaliseKey(h)
		if key == "" {
			continue
		}
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			delete(n.hosts, key)
			continue
		}
		n.hosts[key] = c
	}
	return n
}

// Lookup returns the category of host, matching the host itself or any parent
// domain in the table. The host may carry user info and a port, any letter
// case, a trailing dot, percent-escapes and Unicode; it is normalised as a
// browser's URL parser would (see the package documentation). Lookup does not
// allocate for ASCII hosts without percent-escapes.
func (t *Table) Lookup(host string) (category string, ok bool) {
	return lookupAuthority(t, host, nil)
}

// LookupHostBytes is [Table.Lookup] for a host held as bytes, such as one
// found in the text of an inline script or a style sheet.
func (t *Table) LookupHostBytes(host []byte) (category string, ok bool) {
	return lookupAuthority(t, host, nil)
}

// LookupURL returns the category of the host an src, href or srcset URL points
// to. Only absolute http(s) URLs and protocol-relative "//host/..." URLs name a
// host; relative URLs and other schemes (data:, blob:, javascript:) report
// false, since they never reach a third party by themselves. LookupURL does
// not allocate unless the host is percent-encoded or not ASCII.
func (t *Table) LookupURL(rawURL string) (category string, ok bool) {
	return lookupURL(t, rawURL, nil)
}

// LookupURLBytes is [Table.LookupURL] for callers holding the URL as bytes,
// such as an HTML tokenizer, which would otherwise pay for a conversion.
func (t *Table) LookupURLBytes(rawURL []byte) (category string, ok bool) {
	return lookupURL(t, rawURL, nil)
}

// suffixLookup tries h and then each parent domain of h, most specific first.
// h is a normalised host. The map index with a converted byte slice does not
// allocate.
func (t *Table) suffixLookup(h []byte) (string, bool) { return t.suffixLookupHash(h, hostHash(h)) }

// suffixLookupHash is suffixLookup for a host whose hostHash is hh.
func (t *Table) suffixLookupHash(h []byte, hh uint64) (string, bool) {
	// Most hosts looked up are not trackers: the filter turns them away
	// before any map lookup.
	l2 := lastTwo(trimDots(h))
	if !t.Filter().MayMatch(l2) {
		return "", false
	}
	x := &t.index
	for len(h) > 0 {
		if c, ok := x.getHash(h, hh); ok {
			return c, true
		}
		if len(h) <= len(l2) && !x.single {
			break // the last label alone is no host of the table
		}
		i := 0
		for i < len(h) && h[i] != '.' {
			i++
		}
		if i == len(h) {
			break
		}
		h = h[i+1:]
		hh = hostHash(h)
	}
	return "", false
}
