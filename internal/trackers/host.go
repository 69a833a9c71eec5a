package trackers

import (
	"encoding/binary"
	"strings"

	"golang.org/x/net/idna"
)

// browserIDNA is UTS #46 processing as the WHATWG URL standard's "domain to
// ASCII" runs it, which is what Chromium, Firefox and Safari do to every host
// before they resolve it: CheckBidi and CheckJoiners on, CheckHyphens and
// UseSTD3ASCIIRules off, non-transitional processing (so "ß" stays "ß" and
// becomes "xn--zca"), and no DNS length check. host_test.go checks it against
// Chromium's URL parser. Built with Go before 1.27, x/net/idna uses Unicode
// 15.0 tables, which still map U+1E9E (capital sharp s) to "ss" where
// browsers now give "ß"; that changes no registrable domain of the table.
var browserIDNA = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.StrictDomainName(false),
	idna.CheckHyphens(false),
	idna.CheckJoiners(true),
	idna.VerifyDNSLength(false),
)

// lookupURL extracts the authority of an absolute or protocol-relative URL.
// It follows the browser's URL parser where a difference would matter:
// leading and trailing C0 controls and spaces are trimmed, tabs and newlines
// anywhere are ignored, and for http(s) any mix of '/' and '\' may separate
// the scheme from the host.
func lookupURL[T string | []byte](t *Table, s T, hc *HostCache) (string, bool) {
	c, ok, done := lookupURLFast(t, s, hc)
	if !done {
		c, ok = lookupURLSlow(t, s, hc)
	}
	if ok && googleTagExempt(t, s) {
		return "", false
	}
	return c, ok
}

// lookupURLSlow is lookupURL for every URL, read byte by byte.
func lookupURLSlow[T string | []byte](t *Table, s T, hc *HostCache) (string, bool) {
	start, end := 0, len(s)
	for start < end && s[start] <= ' ' {
		start++
	}
	for end > start && s[end-1] <= ' ' {
		end--
	}
	r := urlReader[T]{s: s, i: start, end: end}
	if !r.schemeOrSlashes() {
		return "", false
	}
	for r.peek() == '/' || r.peek() == '\\' {
		r.next()
	}
	// The authority rarely passes a few dozen bytes; a longer one (a long
	// user name, a percent-encoded host) moves to the heap.
	var buf [256]byte
	a := buf[:0]
	for {
		c, ok := r.next()
		if !ok || c == '/' || c == '\\' || c == '?' || c == '#' {
			break
		}
		a = append(a, c)
	}
	return lookupAuthority(t, a, hc)
}

// urlReader reads s[i:end] the way the URL parser does, skipping tabs and
// newlines.
type urlReader[T string | []byte] struct {
	s      T
	i, end int
}

func (r *urlReader[T]) next() (byte, bool) {
	for r.i < r.end {
		c := r.s[r.i]
		r.i++
		if c != '\t' && c != '\n' && c != '\r' {
			return c, true
		}
	}
	return 0, false
}

// peek returns the next byte next would return, or 0 at the end.
func (r *urlReader[T]) peek() byte {
	for j := r.i; j < r.end; j++ {
		if c := r.s[j]; c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// schemeOrSlashes consumes "http:" or "https:" (any case) or, for a
// protocol-relative URL, nothing, and reports whether the URL names a host.
func (r *urlReader[T]) schemeOrSlashes() bool {
	save := r.i
	var scheme [6]byte
	n := 0
	for n < len(scheme) {
		c, ok := r.next()
		if !ok {
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		scheme[n] = c
		n++
		if c == ':' {
			break
		}
	}
	if s := string(scheme[:n]); s == "http:" || s == "https:" {
		return true
	}
	r.i = save
	c1, _ := r.next()
	c2, _ := r.next()
	r.i = save
	return (c1 == '/' || c1 == '\\') && (c2 == '/' || c2 == '\\')
}

// lookupAuthority strips user info and port from an authority and looks the
// host up.
func lookupAuthority[T string | []byte](t *Table, a T, hc *HostCache) (string, bool) {
	if n := len(a); n >= 8 && n <= quickHost && a[0] != '[' {
		// Eight bytes a step: the host of an inline script or a style
		// sheet is lower-cased in five operations a word instead of five
		// tests a byte, once no word holds a byte that needs the general
		// path below ('@', ':', '%' or a byte above 0x7f).
		var buf [quickHost]byte
		quick := true
		for k := 0; k < n; k += 8 {
			k = min(k, n-8) // the last word overlaps the one before
			w := load64(a[k:])
			if hasByte(w, '@')|hasByte(w, ':')|hasByte(w, '%')|w&0x8080808080808080 != 0 {
				quick = false
				break
			}
			putLower64(buf[k:], w)
		}
		if quick {
			return hc.suffixLookup(t, trimDots(buf[:n]))
		}
	}
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
	return lookupHost(t, a, hc)
}

// quickHost is the longest host lookupAuthority lower-cases a word at a
// time: longer ones are not kept by the HostCache either.
const quickHost = hostCacheLen

// hasByte is non-zero when some byte of w is c: (x - 0x01…) & ^x & 0x80…
// has a bit in the lowest zero byte of x = w ^ c…, and is zero when x has no
// zero byte (bits above the lowest may be wrong, which a yes or no ignores).
func hasByte(w uint64, c byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := w ^ ones*uint64(c)
	return (x - ones) & ^x & highs
}

// putLower64 stores w into b[:8] with its ASCII capitals in lower case; w
// has no byte above 0x7f. A byte at or above 'A' carries into its high bit
// when 0x80-'A' is added, one above 'Z' when 0x80-'Z'-1 is: the capitals
// are the first without the second, whose high bit, shifted to 0x20, is
// what lower case adds.
func putLower64(b []byte, w uint64) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	geA := w + ones*(0x80-'A')
	gtZ := w + ones*(0x80-'Z'-1)
	w |= (geA &^ gtZ & highs) >> 2
	binary.LittleEndian.PutUint64(b, w)
}

// lookupHost normalises a host as the WHATWG URL parser does (percent-decode,
// then UTS #46 "domain to ASCII") and looks it up. ASCII hosts without
// percent-escapes, nearly all of them, take a path that only lower-cases
// them, in a stack buffer: that is all domain to ASCII changes in such a host.
func lookupHost[T string | []byte](t *Table, a T, hc *HostCache) (string, bool) {
	var buf [maxHost + 1]byte
	n := 0
	for i := 0; i < len(a); i++ {
		c := a[i]
		if c >= 0x80 || c == '%' {
			return lookupHostSlow(t, a)
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
	return hc.suffixLookup(t, trimDots(buf[:n]))
}

// lookupHostSlow handles hosts with percent-escapes or non-ASCII bytes. A
// percent-encoded ASCII host is decoded on the stack; only the UTS #46
// mapping of a non-ASCII host allocates.
func lookupHostSlow[T string | []byte](t *Table, a T) (string, bool) {
	var buf [maxHost + 1]byte
	h := canonicalHost(percentDecode(buf[:0], a))
	if len(h) > maxHost {
		return "", false
	}
	return t.suffixLookup(h)
}

// percentDecode appends a to b with %XX escapes decoded; a '%' not followed
// by two hex digits is kept, as the URL parser keeps it.
func percentDecode[T string | []byte](b []byte, a T) []byte {
	for i := 0; i < len(a); i++ {
		c := a[i]
		if c == '%' && i+2 < len(a) && isHex(a[i+1]) && isHex(a[i+2]) {
			c = unhex(a[i+1])<<4 | unhex(a[i+2])
			i += 2
		}
		b = append(b, c)
	}
	return b
}

// canonicalHost maps a percent-decoded host to the lower-case ASCII form the
// table holds, without trailing dots. Where the browser would reject the host
// (a disallowed code point, a bad "xn--" label), the mapping is still applied
// as far as it goes: such a host is never fetched, so matching it can only
// block an element that would not have loaded anyway.
func canonicalHost(h []byte) []byte {
	ascii := true
	for _, c := range h {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		s, _ := browserIDNA.ToASCII(string(h))
		h = []byte(s)
	}
	for i, c := range h {
		if 'A' <= c && c <= 'Z' {
			h[i] = c + 'a' - 'A'
		}
	}
	return trimDots(h)
}

// trimDots drops trailing dots: "example.com." names the same host as
// "example.com".
func trimDots(h []byte) []byte {
	for len(h) > 0 && h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	return h
}

// normaliseKey turns a host given to [Table.With] (or written in
// overrides.go) into the table's form.
func normaliseKey(h string) string {
	h = strings.TrimSpace(h)
	h = strings.TrimPrefix(h, "*")
	h = strings.TrimLeft(h, ".")
	return strings.TrimLeft(string(canonicalHost(percentDecode(nil, h))), ".")
}

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

// lookupURLFast handles the URLs nearly all attributes hold: no leading
// space, "http://", "https://" or "//" in lower case, and an authority of
// lower-case-insensitive ASCII letters, digits, '-' and '.' ended by '/',
// '?', '#' or the end. It reports done == false for anything else, which
// the general path then reads the way a browser does.
func lookupURLFast[T string | []byte](t *Table, s T, hc *HostCache) (string, bool, bool) {
	if hc != nil && hc.pn > 0 && hc.t == t && len(s) >= hc.pn && string(s[:hc.pn]) == string(hc.prefix[:hc.pn]) &&
		(len(s) == hc.pn || hostByte[s[hc.pn]] == hostEnd) {
		return hc.pcat, hc.pok, true
	}
	i := 0
	switch {
	case len(s) >= 2 && s[0] == '/' && s[1] == '/':
		i = 2
	case len(s) >= 8 && s[0] == 'h' && s[1] == 't' && s[2] == 't' && s[3] == 'p' && s[4] == 's' && s[5] == ':' && s[6] == '/' && s[7] == '/':
		i = 8
	case len(s) >= 7 && s[0] == 'h' && s[1] == 't' && s[2] == 't' && s[3] == 'p' && s[4] == ':' && s[5] == '/' && s[6] == '/':
		i = 7
	default:
		// A relative URL: no host, unless it only looks relative to us.
		// "/x" is a path: only a second '/' or '\\' would make the URL
		// protocol-relative, or a tab or newline, which the parser skips.
		if len(s) > 0 && s[0] > ' ' && s[0] != '/' && s[0] != '\\' && !asciiLetter(s[0]) ||
			len(s) > 1 && s[0] == '/' && s[1] > ' ' && s[1] != '/' && s[1] != '\\' {
			return "", false, true
		}
		return "", false, false
	}
	if i == len(s) || s[i] == '/' || s[i] == '\\' {
		return "", false, false // extra slashes are skipped by the general path
	}
	var buf [256]byte
	n := 0
	for lim := min(len(s), i+maxHost); i < lim; i++ {
		c := hostByte[s[i]]
		if c <= hostEnd {
			if c == hostEnd {
				return suffixLookupDone(t, trimDots(buf[:n]), hc, s[:i])
			}
			return "", false, false
		}
		buf[uint8(n)] = c
		n++
	}
	if i < len(s) && hostByte[s[i]] != hostEnd {
		return "", false, false // longer than a host can be
	}
	return suffixLookupDone(t, trimDots(buf[:n]), hc, s[:i])
}

// hostByte maps each byte of an authority as lookupURLFast reads it: a
// letter, digit, '-' or '.' to itself in lower case (all above hostEnd), the
// bytes that end the authority ('/', '?', '#') to hostEnd, and any other to
// 0 (the general path's business). One load and one well-predicted
// comparison a byte: the chain of range tests it replaces mispredicted on
// the dots and digits of every host.
var hostByte = func() (t [256]byte) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = byte(c), byte(c)
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	t['-'], t['.'] = '-', '.'
	t['/'], t['?'], t['#'] = hostEnd, hostEnd, hostEnd
	return t
}()

// hostEnd is hostByte's mark for a byte that ends the authority.
const hostEnd = 1

func asciiLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// suffixLookupDone is lookupURLFast's answer for host h, read from the URL's
// prefix (scheme and authority), which hc remembers with the answer.
func suffixLookupDone[T string | []byte](t *Table, h []byte, hc *HostCache, prefix T) (string, bool, bool) {
	c, ok := hc.suffixLookup(t, h)
	if hc != nil && len(prefix) <= len(hc.prefix) {
		hc.pn = copy(hc.prefix[:], prefix)
		hc.pcat, hc.pok = c, ok
	}
	return c, ok, true
}
