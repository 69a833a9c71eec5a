package rewrite

import (
	"bytes"
	"encoding/binary"
)

// cssMarker goes before every tracker URL the rewriter finds in CSS: the URL
// becomes "//[ck=<category>]<original URL>", whose host (an unclosed IPv6
// literal) fails the URL parser, so browsers neither fetch it nor check it
// against a Content-Security-Policy (an about: URL would be refused and
// reported by a strict img-src); the loader finds the marker and the category
// in it to restore the URL once the category is granted.
const cssMarker = "//[ck="

// cssDelim marks the bytes that end a URL token in CSS text: whitespace,
// quotes, parentheses and the punctuation of rules and declarations.
var cssDelim = func() (t [256]bool) {
	for _, c := range []byte(" \t\n\r\f\"'(),;{}<>") {
		t[c] = true
	}
	return t
}()

// cssDelimByte is cssDelim as bytes, which delimFrom and delimBefore OR
// together eight at a time: held style text is mostly base64 (fonts and
// images), where a delimiter ends runs of thousands of bytes.
var cssDelimByte = func() (t [256]byte) {
	for c, d := range cssDelim {
		if d {
			t[c] = 1
		}
	}
	return t
}()

// delimFrom returns the index of the first CSS delimiter in p at or after
// i, or len(p).
func delimFrom(p []byte, i int) int {
	t := &cssDelimByte
	for ; i+8 <= len(p); i += 8 {
		q := p[i : i+8]
		if t[q[0]]|t[q[1]]|t[q[2]]|t[q[3]]|t[q[4]]|t[q[5]]|t[q[6]]|t[q[7]] != 0 {
			break
		}
	}
	for i < len(p) && !cssDelim[p[i]] {
		i++
	}
	return i
}

// delimBefore returns the index after the last CSS delimiter in p[from:to],
// or from.
func delimBefore(p []byte, from, to int) int {
	t := &cssDelimByte
	for ; to-8 >= from; to -= 8 {
		q := p[to-8 : to]
		if t[q[0]]|t[q[1]]|t[q[2]]|t[q[3]]|t[q[4]]|t[q[5]]|t[q[6]]|t[q[7]] != 0 {
			break
		}
	}
	for to > from && !cssDelim[p[to-1]] {
		to--
	}
	return to
}

// hasDot reports whether one of the eight bytes of w is '.': the zero-byte
// test of x = w ^ '.'… (see nameEnd for the borrows).
func hasDot(w uint64) bool {
	x := w ^ ones*'.'
	return (x-ones)&^x&highs != 0
}

func schemeChar(c byte) bool { return isAlnum(c) || c == '+' || c == '-' || c == '.' }

// nextCSSTracker finds, in b[i:end], the next absolute or protocol-relative
// URL ("https://host…", "//host…") whose host is a tracker the visitor has
// not granted. It returns where the URL starts, its category and where to go
// on scanning, or start < 0. A URL starts at a CSS delimiter or at lo.
func (r *Rewriter) nextCSSTracker(b []byte, lo, i, end int) (start int, cat string, next int) {
	top := r.filter.MaxTop
	for i < end {
		j := bytes.IndexByte(b[i:end], '/')
		if j < 0 {
			break
		}
		s := i + j
		i = s + 1
		if s+1 >= end {
			break
		}
		if c := b[s+1]; c != '/' {
			// A lone slash followed by '\\' may still start a URL
			// ("\\/\\/host", "/\\host", "https:/\\host"): one compare of
			// a byte already loaded, for the slashes of comments, paths
			// and base64, some ten thousand a corpus pass.
			if c == '\\' {
				if t, cat, next := r.tokenURLBefore(b, lo, s, end); t >= 0 {
					return t, cat, next
				}
			}
			// "http:/host": one slash after a scheme still names a host
			// where the scheme is not the page's (the URL standard's
			// special authority ignore slashes state), as http: on an
			// https page, whose images Chromium then upgrades and fetches.
			if s == lo || b[s-1] != ':' {
				// An escaped slash ("https:\/host"), or a host before a
				// path's slash that an escape or a scheme's ':' precedes
				// (hostBeforeSlash). The label before the slash is read
				// only when a '.' is close enough before it for a
				// top-level label to end there: most lone slashes
				// (paths, base64) have none, and a word test of the
				// eight bytes before answers for them.
				judge := s > lo && b[s-1] == '\\'
				if !judge && (s-lo < 9 || top > 8 || b[s-9] == '.' || hasDot(binary.LittleEndian.Uint64(b[s-8:s]))) {
					k := s
					for stop := max(lo, s-top-1); k > stop && labelChar[b[k-1]]; {
						k--
					}
					judge = k > lo && b[k-1] == '.' && r.hostBeforeSlash(b, lo, s, k)
				}
				if judge {
					if t, cat, next := r.tokenURLBefore(b, lo, s, end); t >= 0 {
						return t, cat, next
					}
				}
				continue
			}
		}
		t := s
		if t > lo && b[t-1] == ':' {
			t--
			for t > lo && schemeChar(b[t-1]) {
				t--
			}
		}
		if t > lo && !cssDelim[b[t-1]] {
			// An escape in the scheme ("h\74tps://") still names a host.
			if b[s-1] == ':' {
				if t, cat, next := r.tokenURLBefore(b, lo, t, end); t >= 0 {
					return t, cat, next
				}
			}
			continue
		}
		h := s + 1
		for h < end && (b[h] == '/' || b[h] == '\\') {
			h++
		}
		he := h
		for he < end && hostChar[b[he]] {
			he++
		}
		if he < end && cssOddHost[b[he]] {
			if c, next, ok := r.cssURLAt(b, t, end); ok {
				return t, c, next
			}
		}
		// The slash after the host starts its path: no odd form to look for.
		i = max(he, i)
		if i < end && b[i] == '/' {
			i++
		}
		if he == h || !r.filter.MayMatchHost(b[h:he]) {
			continue
		}
		if c, ok := r.lookupHost(b[h:he]); ok && !r.allowed(c) {
			r.hit(ReasonStyle, b[h:he])
			return t, c, he
		}
	}
	return -1, "", end
}

// sanitizeCSS copies css into out with the marker before every tracker URL
// the visitor has not granted, and returns the categories found (a
// space-separated list in first-seen order, "" when there is none).
func (r *Rewriter) sanitizeCSS(out, css []byte) ([]byte, string) {
	cats := ""
	prev := 0
	for i := 0; i < len(css); {
		start, cat, next := r.nextCSSTracker(css, 0, i, len(css))
		if start < 0 {
			break
		}
		out = append(out, css[prev:start]...)
		out = append(out, cssMarker...)
		out = append(out, cat...)
		out = append(out, ']')
		prev = start
		i = next
		cats = r.joinCategories(cats, cat)
	}
	return append(out, css[prev:]...), cats
}

// joinCategories is addCategory with the joined strings kept, so that an
// element blocked for two categories costs no allocation after the first.
func (r *Rewriter) joinCategories(list, cat string) string {
	if list == "" || list == cat {
		return cat
	}
	for _, j := range r.joined {
		if j.a == list && j.b == cat {
			return j.ab
		}
	}
	ab := addCategory(list, cat)
	if len(r.joined) < 16 {
		r.joined = append(r.joined, joined{list, cat, ab})
	}
	return ab
}

type joined struct{ a, b, ab string }

// addCategory adds cat to a space-separated list unless it is there.
func addCategory(list, cat string) string {
	if list == "" {
		return cat
	}
	for rest := list; rest != ""; {
		w, after, _ := cutSpace(rest)
		if w == cat {
			return list
		}
		rest = after
	}
	return list + " " + cat
}

func cutSpace(s string) (before, after string, found bool) {
	for k := 0; k < len(s); k++ {
		if s[k] == ' ' {
			return s[:k], s[k+1:], true
		}
	}
	return s, "", false
}

// styleText scans the style element text p[from:to] (to is len(p) when the
// Write ends inside the text) and puts the marker before every tracker URL.
// A URL token still open at the end of the Write is held, so that a URL
// split across Writes is judged whole.
func (r *Rewriter) styleText(p []byte, from, to int) {
	limit := to
	if to == len(p) {
		t := delimBefore(p, from, to)
		if t > from+1 && mayBeSoft(p[t-1], p[t-2]) {
			t = cssSoftBefore(p, from, t)
		}
		if t < to && to-t <= r.maxTag {
			limit = t
		}
	}
	// A token still open at the end of the Write is held from limit on.
	if limit < to {
		defer r.holdStyleTail(limit)
	}
	for i := from; i < limit; {
		start, cat, next := r.nextCSSTracker(p, from, i, limit)
		if start < 0 {
			return
		}
		r.flushTo(p, start)
		r.emitMarker(cat)
		i = next
	}
}

// holdStyleTail holds the style text from index t of the current Write.
func (r *Rewriter) holdStyleTail(t int) {
	r.look = true
	r.tokKind = tokStyleTail
	r.tokAbs = r.off + int64(t)
}

// emitMarker writes the marker of a tracker URL in a style element's text.
func (r *Rewriter) emitMarker(cat string) {
	r.report(elemStyle, cat)
	r.mark = append(r.mark[:0], cssMarker...)
	r.mark = append(r.mark, cat...)
	r.mark = append(r.mark, ']')
	r.emit(r.mark)
}

// styleTail finishes a URL token held at the end of the previous Write: it
// is completed with p up to the first delimiter, judged and written. It
// returns where scanning goes on in p, or len(p) when the token goes on past
// p and stays held.
func (r *Rewriter) styleTail(p []byte) int {
	d := delimFrom(p, 0)
	if d < len(p) && cssSpace[p[d]] && len(r.held)+d > 0 && mayBeSoft(p[d], byteAt(r.held, p, len(r.held)+d-1)) {
		d = cssSoftAfter(r.held, p, d)
	}
	if d == len(p) && len(r.held)+d <= r.maxTag {
		return len(p) // endWrite keeps holding it
	}
	r.held = append(r.held, p[:d]...)
	r.pos = d
	r.look = false
	tok := r.held
	// Only a URL at the token's start is one a browser would fetch.
	if start, cat, _ := r.nextCSSTracker(tok, 0, 0, len(tok)); start == 0 {
		r.emitMarker(cat)
	}
	r.emit(r.held)
	r.held = r.held[:0]
	return d
}
