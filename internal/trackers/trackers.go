package trackers

import (
	"strings"
	"sync"
)

// The categories the built-in list uses.
const (
	// Analytics covers audience measurement, tag managers and session
	// recording.
	Analytics = "analytics"
	// Marketing covers advertising, retargeting pixels, social widgets and
	// video embeds.
	Marketing = "marketing"
)

// maxHost is the longest host name DNS allows; longer ones are never in the
// table, and the bound lets lookups normalise into a stack buffer.
const maxHost = 253

// Table maps hosts to consent categories. A Table is immutable once built and
// safe for concurrent use; [Table.With] returns a modified copy.
type Table struct {
	hosts map[string]string
}

var defaultTable = sync.OnceValue(func() *Table {
	t := &Table{hosts: make(map[string]string, len(builtin))}
	for _, e := range builtin {
		t.hosts[normaliseKey(e.host)] = e.category
	}
	return t
})

// Default returns the built-in table. Every call returns the same *Table.
func Default() *Table { return defaultTable() }

// With returns a copy of t with overrides applied: each key is a host (a
// leading "*." or "." is accepted and means the same thing, since subdomains
// always match) and each value its category. An empty category removes the
// host, which is how a developer declares a listed host first-party or
// necessary. Keys and categories are case-insensitive and stored in lower
// case; t itself is not modified.
func (t *Table) With(overrides map[string]string) *Table {
	n := &Table{hosts: make(map[string]string, len(t.hosts)+len(overrides))}
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
// domain in the table. The host may carry a port and any letter case; a
// trailing dot is ignored. Lookup does not allocate.
func (t *Table) Lookup(host string) (category string, ok bool) {
	return lookupAuthority(t, host)
}

// LookupURL returns the category of the host an src, href or srcset URL points
// to. Only absolute http(s) URLs and protocol-relative "//host/..." URLs name a
// host; relative URLs and other schemes (data:, blob:, javascript:) report
// false, since they never reach a third party by themselves. LookupURL does
// not allocate.
func (t *Table) LookupURL(rawURL string) (category string, ok bool) {
	return lookupURL(t, rawURL)
}

// LookupURLBytes is [Table.LookupURL] for callers holding the URL as bytes,
// such as an HTML tokenizer, which would otherwise pay for a conversion.
func (t *Table) LookupURLBytes(rawURL []byte) (category string, ok bool) {
	return lookupURL(t, rawURL)
}

func normaliseKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.TrimPrefix(h, "*")
	h = strings.Trim(h, ".")
	return h
}

// lookupURL extracts the authority of an absolute or protocol-relative URL.
// It follows the browser's URL parser where a difference would matter:
// leading and trailing C0 controls and spaces are trimmed, tabs and newlines
// anywhere are ignored, and for http(s) any mix of '/' and '\' may separate
// the scheme from the host.
func lookupURL[T string | []byte](t *Table, s T) (string, bool) {
	var buf [512]byte
	n := 0
	start, end := 0, len(s)
	for start < end && s[start] <= ' ' {
		start++
	}
	for end > start && s[end-1] <= ' ' {
		end--
	}
	for i := start; i < end && n < len(buf); i++ {
		switch c := s[i]; c {
		case '\t', '\n', '\r':
		default:
			buf[n] = c
			n++
		}
	}
	b := buf[:n]
	switch {
	case hasPrefixFold(b, "http:"):
		b = b[len("http:"):]
	case hasPrefixFold(b, "https:"):
		b = b[len("https:"):]
	case len(b) >= 2 && isSlash(b[0]) && isSlash(b[1]):
	default:
		return "", false
	}
	for len(b) > 0 && isSlash(b[0]) {
		b = b[1:]
	}
	end = len(b)
	for i, c := range b {
		if c == '/' || c == '\\' || c == '?' || c == '#' {
			end = i
			break
		}
	}
	return lookupAuthority(t, b[:end])
}

// lookupAuthority strips user info and port from an authority and looks the
// host up.
func lookupAuthority[T string | []byte](t *Table, a T) (string, bool) {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == '@' {
			a = a[i+1:]
			break
		}
	}
	if len(a) > 0 && a[0] == '[' {
		// IPv6 literals are never tracker hosts.
		return "", false
	}
	for i := 0; i < len(a); i++ {
		if a[i] == ':' {
			a = a[:i]
			break
		}
	}
	var buf [maxHost + 1]byte
	n := 0
	for i := 0; i < len(a); i++ {
		c := a[i]
		if c == '%' && i+2 < len(a) && isHex(a[i+1]) && isHex(a[i+2]) {
			c = unhex(a[i+1])<<4 | unhex(a[i+2])
			i += 2
		}
		if n == len(buf) {
			return "", false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	for n > 0 && buf[n-1] == '.' {
		n--
	}
	return t.suffixLookup(buf[:n])
}

// suffixLookup tries h and then each parent domain of h. The map index with
// a converted byte slice does not allocate.
func (t *Table) suffixLookup(h []byte) (string, bool) {
	for len(h) > 0 {
		if c, ok := t.hosts[string(h)]; ok {
			return c, true
		}
		i := 0
		for i < len(h) && h[i] != '.' {
			i++
		}
		if i == len(h) {
			break
		}
		h = h[i+1:]
	}
	return "", false
}

func isSlash(c byte) bool { return c == '/' || c == '\\' }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
