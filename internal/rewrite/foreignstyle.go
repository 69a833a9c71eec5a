package rewrite

import "bytes"

// An SVG <style> is a style sheet like HTML's, but the HTML parser reads its
// content as markup, not raw text: character references in it are resolved,
// and a tag or comment inside it is one. Chromium applies it to the whole
// document, so <svg><style>@import "//tracker/x.css"</style></svg> fetches
// as surely as an HTML <style>. The rewriter reads its text up to the next
// '<' as CSS (sForeignStyle) and puts the marker before each tracker URL, as
// in an HTML <style>; the loader restores SVG style elements with the
// others (it queries every "style"). A text holding character references
// is judged with them resolved: when it names a tracker, it is written out
// resolved, with the marker, and escaped again, which is the same style
// sheet to the browser. That takes the whole text in one Write; one split
// across Writes is read without resolving references. Comments and CDATA
// sections inside are stepped over when they end in the same Write; text
// after a tag inside the element, or after a comment that ends in a later
// Write, is not read as CSS.
//
// MathML has no style element: a <style> inside <math> is an unknown
// element whose text Chromium never applies (checked in the browser).

// inSVG reports whether the innermost foreign frame is an <svg>.
func (r *Rewriter) inSVG() bool {
	if r.fover > 0 {
		return true // deeper than the stack: the safe side
	}
	for k := r.nframes - 1; k >= 0; k-- {
		if r.frames[k].foreign {
			return r.frames[k].elem == elemSVG
		}
	}
	return false
}

// enterForeignStyle starts reading the text of an SVG <style> whose start
// tag ends at index end of the current Write.
func (r *Rewriter) enterForeignStyle(end int) {
	r.st = sForeignStyle
	r.fsAbs = r.off + int64(end)
}

// foreignStyle reads SVG <style> text from p[i] up to the next '<' that
// starts a tag, which it leaves to the data state, and returns where it
// stopped. Comments and CDATA sections (Illustrator writes every SVG style
// sheet in one) are stepped over within the Write, and the text after them
// read as CSS too.
func (r *Rewriter) foreignStyle(p []byte, i int) int {
	if r.look && r.tokKind == tokStyleTail {
		return r.styleTail(p)
	}
	for {
		j := bytes.IndexByte(p[i:], '<')
		if j < 0 {
			r.styleText(p, i, len(p))
			return len(p)
		}
		// Only the whole text, from where the start tag ended, is read
		// with its references resolved (see above).
		whole := r.fsAbs == r.off+int64(i)
		if !whole || bytes.IndexByte(p[i:i+j], '&') < 0 || !r.foreignStyleRefs(p, i, i+j) {
			r.styleText(p, i, i+j)
		}
		i += j
		k := stylesheetMarkup(p, i)
		if k < 0 {
			r.st = sData
			return i
		}
		i = k
	}
}

// stylesheetMarkup returns the index after a comment, or after the opening
// of a CDATA section, that starts at p[i] ('<') and ends in p, or -1 for a
// tag or anything not wholly in p. A comment ends as the tokenizer ends it
// ("-->", "--!>", and "<!-->" or "<!--->" at once).
func stylesheetMarkup(p []byte, i int) int {
	rest := p[i:]
	if bytes.HasPrefix(rest, []byte("<![CDATA[")) {
		return i + len("<![CDATA[")
	}
	if !bytes.HasPrefix(rest, []byte("<!--")) {
		return -1
	}
	c := i + 4
	switch {
	case c < len(p) && p[c] == '>':
		return c + 1
	case c+1 < len(p) && p[c] == '-' && p[c+1] == '>':
		return c + 2
	}
	for g := c; g < len(p); g++ {
		k := bytes.IndexByte(p[g:], '>')
		if k < 0 {
			return -1
		}
		g += k
		if g-2 >= c && p[g-1] == '-' && p[g-2] == '-' || g-3 >= c && p[g-1] == '!' && p[g-2] == '-' && p[g-3] == '-' {
			return g + 1
		}
	}
	return -1
}

// foreignStyleRefs judges the whole text p[from:to] of an SVG <style> with
// its character references resolved and, when it names a tracker the
// visitor has not granted, writes it resolved, with the markers, escaped
// again. It reports whether it wrote it.
func (r *Rewriter) foreignStyleRefs(p []byte, from, to int) bool {
	css, cats := r.sanitizeCSS(r.css[:0], r.decode(p[from:to]))
	r.css = css
	if cats == "" {
		return false
	}
	r.report(elemStyle, cats)
	r.flushTo(p, from)
	r.out = appendEscapedBytes(r.out[:0], css)
	r.emit(r.out)
	r.pos = to
	return true
}
