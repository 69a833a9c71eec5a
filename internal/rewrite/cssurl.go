package rewrite

import "unicode/utf8"

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
//	url(\2f\2fhost/x) url(https:\\\\host/x) url(https:host/x)  escaped slashes or backslashes, or none
//
// The scanner sends those to cssURLAt, which resolves the token's escapes and
// hands the URL to the tracker table's URL parser. The odd forms are
// recognised by bytes next to the slashes the scanner already stops at
// (cssOddHost after a host, a '\' after a lone slash, and, walking back from
// a lone slash over the host before it, an escape or a scheme's ':' before
// the host: hostBeforeSlash), so the style sheets of real pages, which hold
// none of them, pay a few compares a slash. Not recognised, though Chromium
// fetches them: the same forms without a slash after the host
// ("url(https:host)", "url(\2f\2fhost)"), where the scanner has no slash to
// stop at; finding those takes a look at every ':' and '\' of a style sheet.

// hostBeforeSlash reports whether the lone slash b[s] (s > lo) may end the
// host of a URL whose start the scanner passed without a slash to stop at:
// a host before it, ending in a label some table host ends in, that
// follows an escape's '\' ("\2f\2fhost/x", "\5c\5chost/x",
// "https:\\\\host/x"), the whitespace that ends a hex escape
// ("\2f \2f host/x"), or a scheme's ':' ("https:host/x", a host where the
// scheme is not the page's). The caller has read the last label, b[k:s],
// after a '.', and only where a word test found a '.' in the bytes before
// the slash: walking back from every lone slash, most of them a path's
// ("url(/img/a.png)") or base64's, cost 2 M instructions a corpus pass,
// 1.5% of it.
func (r *Rewriter) hostBeforeSlash(b []byte, lo, s, k int) bool {
	if !r.filter.MayEnd(b[k:s]) {
		return false
	}
	for k > lo && hostChar[b[k-1]] {
		k--
	}
	if k == lo {
		return false
	}
	switch c := b[k-1]; {
	case c == '\\' || c == ':':
		return true
	case cssSpace[c]:
		return cssSoftDelim(nil, b[lo:], k-1-lo)
	}
	return false
}

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
			case n == '\n' || n == '\f' || n == '\r': // "\r\n" is one
				i += 2
				if n == '\r' && i < end && b[i] == '\n' {
					i++
				}
			case isHexDigit(n):
				cp, k := 0, i+1
				for k < end && k < i+7 && isHexDigit(b[k]) {
					cp = cp<<4 | int(unhexDigit(b[k]))
					k++
				}
				if k < end && cssSpace[b[k]] { // "\r\n" is one
					k++
					if b[k-1] == '\r' && k < end && b[k] == '\n' {
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
// hex escape ("\2f "). Most delimiters are none of these bytes, and most
// spaces and newlines follow no hex digit: both answered at once.
func cssSoftDelim(a, b []byte, k int) bool {
	c := byteAt(a, b, k)
	if !cssSpace[c] || k == 0 {
		return false
	}
	prev := byteAt(a, b, k-1)
	switch {
	case c == '\t':
		return true
	case c != ' ' && prev == '\\', c == '\n' && prev == '\r' && k >= 2 && byteAt(a, b, k-2) == '\\':
		return true
	case !isHexDigit(prev):
		return false
	}
	n := 1
	for n < 6 && k-1-n >= 0 && isHexDigit(byteAt(a, b, k-1-n)) {
		n++
	}
	return k-1-n >= 0 && byteAt(a, b, k-1-n) == '\\'
}

// mayBeSoft is cssSoftDelim's first test, for the delimiter c after prev,
// small enough to be inlined where a Write's token ends.
func mayBeSoft(c, prev byte) bool {
	return c == '\t' || cssSpace[c] && softPrev[prev]
}

// softPrev marks the bytes before which whitespace may be soft: the end of
// an escape's backslash or hex digits, and '\r' of an escaped "\r\n".
var softPrev = func() (t [256]bool) {
	for _, c := range []byte("0123456789abcdefABCDEF\\\r") {
		t[c] = true
	}
	return t
}()

// cssSpace marks CSS whitespace, the bytes cssSoftDelim may answer yes for.
var cssSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\f': true}

// byteAt returns byte i of the text a+b.
func byteAt(a, b []byte, i int) byte {
	if i < len(a) {
		return a[i]
	}
	return b[i-len(a)]
}

// cssSoftBefore moves t, the start delimBefore found of the CSS token open
// at the end of the style text p[from:], back over soft delimiters
// (cssSoftDelim). styleText calls it only when mayBeSoft says the
// delimiter before t may be one.
func cssSoftBefore(p []byte, from, t int) int {
	for t > from && cssSoftDelim(nil, p[from:], t-1-from) {
		t = delimBefore(p, from, t-1)
	}
	return t
}

// cssSoftAfter moves d, the end delimFrom found of the CSS token that p
// continues (held being its bytes before p), past soft delimiters.
// styleTail calls it only when mayBeSoft says the delimiter at d may be one.
func cssSoftAfter(held, p []byte, d int) int {
	for d < len(p) && len(held)+d > 0 && cssSoftDelim(held, p, len(held)+d) {
		d = delimFrom(p, d+1)
	}
	return d
}

// tokenURLBefore judges, as nextCSSTracker returns it (start < 0 for
// none), the URL token that holds b[k-1] (cssTokenStart) and goes on at
// b[k]: one whose lone slash b[k] a '\' follows, or whose scheme before
// b[k] holds an escape.
func (r *Rewriter) tokenURLBefore(b []byte, lo, k, end int) (start int, cat string, next int) {
	if t := cssTokenStart(b, lo, k); t >= 0 {
		if c, next, ok := r.cssURLAt(b, t, end); ok {
			return t, c, next
		}
	}
	return -1, "", 0
}

// dataDoc marks the elements whose data: URL is read like a document's:
// a link's is a style sheet, a script's runs.
var dataDoc = [256]bool{elemLink: true, elemScript: true} // 256: indexed by an elem without a bounds check

// mayBeData reports whether a raw attribute value may be a data: URL once
// its references are resolved and its leading spaces dropped: it starts
// with 'd', a space or control, or '&'. Other values keep the quick path
// of rawURLCategory.
func mayBeData(v []byte) bool {
	return len(v) > 0 && (v[0]|0x20 == 'd' || v[0] <= ' ' || v[0] == '&')
}
