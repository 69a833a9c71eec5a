package rewrite

import (
	"encoding/binary"
	"unicode/utf8"
)

// The CSS scanner (nextCSSTracker) reads a URL the way nearly every style
// sheet writes one: "//host" or "scheme://host" after a delimiter, the host
// in letters, digits, dots and hyphens. A browser also fetches forms that
// only CSS escapes or the URL parser's clean-ups turn into such a URL, all
// checked in Chromium (internal/e2e/urlforms_test.go):
//
//	url(//www.google-analytic\73.com/x)    an escape in the host
//	url("//www.google-\<newline>analytics.com/x")  a line continuation in a string
//	url('//www.google-<tab>analytics.com/x')  a tab, which the URL parser drops
//	url(//www.google-analytics%2Ecom/x)    percent-encoding, decoded in hosts
//	url(//www.ｇoogle-analytics.com/x)     UTS #46 mapping (full-width letters)
//	url(h\74tps://www.google-analytics.com/x)  an escape in the scheme
//	url(\/\/host/x) url("/\\host/x") url(https:/\host/x)  '\' counts as '/'
//	url(\2f\2fhost/x) url(https:\\\\host/x) url(https:host/x)  no plain slash before the host
//
// The scanner sends those to cssURLAt, which resolves the token's escapes and
// hands the URL to the tracker table's URL parser. The odd forms are
// recognised by bytes next to the slashes the scanner already stops at
// (cssOddHost after a host, ':' or '\' beside a lone slash, and a dot
// shortly before a lone slash for a host followed by its path), so the
// style sheets of real pages, which hold none of them, pay a few compares a
// slash. A URL with no slash at all, written with escapes only (no path)
// is not recognised: a host root is the one thing it could fetch.

// cssOddHost marks the bytes that, right after the letters, digits, dots
// and hyphens of a host, mean the host may go on in a form the scanner does
// not read itself: an escape, percent-encoding, a tab the URL parser drops,
// or non-ASCII that UTS #46 may map to ASCII.
var cssOddHost = func() (t [256]bool) {
	t['\\'], t['%'], t['\t'] = true, true, true
	for c := 0x80; c < 256; c++ {
		t[c] = true
	}
	return t
}()

// cssURLMax bounds the bytes of a URL token cssURLAt resolves: more than
// any scheme and authority a browser would fetch from.
const cssURLMax = 320

// cssURLAt judges the URL token of CSS text starting at b[t] (a delimiter
// or the start of the text before it) with its escapes resolved, as a
// browser reads it. It returns the category when the URL names a tracker
// the visitor has not granted, and the index where the token ends.
func (r *Rewriter) cssURLAt(b []byte, t, end int) (string, int, bool) {
	if r.cssURL == nil {
		r.cssURL = make([]byte, 0, cssURLMax)
	}
	u, next := appendCSSUnescaped(r.cssURL[:0], b, t, end)
	r.cssURL = u
	if c, ok := r.hosts.LookupURLBytes(r.tab, u); ok && !r.allowed(c) {
		r.hit(ReasonStyle, u)
		return c, next, true
	}
	return "", next, false
}

// appendCSSUnescaped appends the CSS token b[i:end] to out with its escapes
// resolved (CSS Syntax 3, "consume an escaped code point"; a backslash
// before a newline is a string's line continuation) and its tabs dropped,
// up to the first delimiter or cap(out) bytes. It returns where it stopped.
func appendCSSUnescaped(out, b []byte, i, end int) ([]byte, int) {
	for i < end && len(out) < cap(out)-utf8.UTFMax {
		c := b[i]
		switch {
		case c == '\\':
			if i+1 >= end {
				return out, end
			}
			n := b[i+1]
			switch {
			case n == '\n' || n == '\f':
				i += 2
			case n == '\r':
				i += 2
				if i < end && b[i] == '\n' {
					i++
				}
			case isHexDigit(n):
				cp, k := 0, i+1
				for k < end && k < i+7 && isHexDigit(b[k]) {
					cp = cp<<4 | int(unhexDigit(b[k]))
					k++
				}
				if k < end && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\f') {
					k++
				} else if k < end && b[k] == '\r' {
					k++
					if k < end && b[k] == '\n' {
						k++
					}
				}
				if cp == 0 || cp > utf8.MaxRune || 0xD800 <= cp && cp <= 0xDFFF {
					cp = utf8.RuneError
				}
				out = utf8.AppendRune(out, rune(cp))
				i = k
			default:
				out = append(out, n)
				i += 2
			}
		case c == '\t':
			// Only a string can hold a tab, and the URL parser drops it.
			i++
		case cssDelim[c]:
			return out, i
		default:
			out = append(out, c)
			i++
		}
	}
	return out, i
}

// cssTokenStart returns where the CSS token holding b[k-1] starts: the
// index after the delimiter before it, at most 64 bytes back and not before
// lo, or -1 when it starts further back. The soft delimiters
// (cssSoftDelim) do not end a token here.
func cssTokenStart(b []byte, lo, k int) int {
	stop := max(lo, k-64)
	for k > stop {
		if cssDelim[b[k-1]] && !cssSoftDelim(nil, b[lo:], k-1-lo) {
			return k
		}
		k--
	}
	if k == lo {
		return k
	}
	return -1
}

// cssSoftDelim reports whether the delimiter at index k of the text a+b
// (a held part, then the current Write) may stand inside a URL token: a
// tab, which only a string holds and the URL parser drops; a newline after
// a backslash, a string's line continuation; and the whitespace that ends a
// hex escape ("\2f ").
func cssSoftDelim(a, b []byte, k int) bool {
	at := func(i int) byte {
		if i < len(a) {
			return a[i]
		}
		return b[i-len(a)]
	}
	switch at(k) {
	case '\t':
		return true
	case '\n':
		if k >= 2 && at(k-1) == '\r' && at(k-2) == '\\' {
			return true
		}
		fallthrough
	case '\r', '\f':
		if k >= 1 && at(k-1) == '\\' {
			return true
		}
	case ' ':
	default:
		return false
	}
	n := 0
	for n < 6 && k-1-n >= 0 && isHexDigit(at(k-1-n)) {
		n++
	}
	return n > 0 && k-1-n >= 0 && at(k-1-n) == '\\'
}

// cssOpenToken returns where the CSS token still open at the end of the
// style text p[from:to] starts (to when none is), soft delimiters included.
func cssOpenToken(p []byte, from, to int) int {
	t := delimBefore(p, from, to)
	for t > from && cssSoftDelim(nil, p[from:], t-1-from) {
		t = delimBefore(p, from, t-1)
	}
	return t
}

// cssTokenEnd returns where the CSS token that p continues ends: its first
// delimiter that is not soft, held being the token's bytes before p.
func cssTokenEnd(held, p []byte) int {
	d := delimFrom(p, 0)
	for d < len(p) && cssSoftDelim(held, p, len(held)+d) {
		d = delimFrom(p, d+1)
	}
	return d
}

// oddSlash checks the lone '/' at b[s] (not followed by another) for the
// forms where it still belongs to the start of a URL naming a host:
// "https:/host", "/\host", "\/\/host", "https:\/host", or the first slash
// of the path after "https:host" or an escaped "\2f\2fhost". It returns the
// start of the token to judge with cssURLAt, or -1.
func oddSlash(b []byte, lo, s, end int) int {
	if s+1 < end && b[s+1] == '\\' || s > lo && (b[s-1] == ':' || b[s-1] == '\\') {
		return cssTokenStart(b, lo, s)
	}
	// A path after a host: a dot among the eight bytes before the slash
	// (the host's last dot, before a label of up to seven bytes), which
	// the base64 of fonts and images never holds and most paths do not.
	if s-8 >= lo {
		if hasByte64(binary.LittleEndian.Uint64(b[s-8:]), '.') == 0 {
			return -1
		}
	} else {
		dot := false
		for k := lo; k < s; k++ {
			dot = dot || b[k] == '.'
		}
		if !dot {
			return -1
		}
	}
	k := s
	for k > lo && s-k <= maxHostLen && hostChar[b[k-1]] {
		k--
	}
	if k == lo || b[k-1] != ':' && b[k-1] != '\\' && !(cssDelim[b[k-1]] && cssSoftDelim(nil, b[lo:], k-1-lo)) {
		return -1
	}
	return cssTokenStart(b, lo, k)
}

// hasByte64 is non-zero when some byte of w is c (see trackers.hasByte).
func hasByte64(w uint64, c byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := w ^ ones*uint64(c)
	return (x - ones) & ^x & highs
}
