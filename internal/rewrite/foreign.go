package rewrite

// Foreign content. Inside <svg> and <math> the HTML tree builder never
// switches the tokenizer to raw text: a <style>, <title>, <noscript> or
// <plaintext> there holds markup, so a tokenizer that took them for raw text
// would pass a tracker's tag hidden inside them. The rewriter keeps a small
// stack of namespace frames: an <svg> or <math> start tag opens a foreign
// frame; inside it, the HTML integration points (SVG foreignObject, desc and
// title; MathML mi, mo, mn, ms, mtext, and annotation-xml holding HTML) open
// an HTML frame where the usual rules apply again; the start tags that break
// out of foreign content (b, div, img, p, table, …, and font with color, face
// or size) close the foreign frame; end tags close the frame they name.
//
// Where this model and a browser's tree builder could disagree, it errs
// toward foreign content: reading markup where a browser reads raw text can
// only neutralise something inert, while the opposite would let a tracker
// through. CDATA sections are read as bogus comments, which end at or before
// the section's "]]>", so no markup is skipped either.

// maxFrames bounds the stack; deeper nesting is counted and treated as
// foreign content, the safe side.
const maxFrames = 16

// frame is one namespace change: a foreign root (svg, math) or an HTML
// integration point inside one. depth counts nested start tags of the same
// name, so that the right end tag closes the frame.
type frame struct {
	elem    elem
	foreign bool
	depth   uint16
}

// inForeign reports whether the tokenizer is in foreign content now.
func (r *Rewriter) inForeign() bool {
	if r.fover > 0 {
		return true
	}
	return r.nframes > 0 && r.frames[r.nframes-1].foreign
}

func (r *Rewriter) pushFrame(e elem, foreign bool) {
	if r.nframes == maxFrames || r.fover > 0 {
		r.fover++
		return
	}
	r.frames[r.nframes] = frame{elem: e, foreign: foreign}
	r.nframes++
}

// popForeign closes the innermost foreign frame, for a start tag that breaks
// out of foreign content.
func (r *Rewriter) popForeign() {
	if r.fover > 0 {
		r.fover--
		return
	}
	if r.nframes > 0 && r.frames[r.nframes-1].foreign {
		r.nframes--
	}
}

// foreignStartTag opens an HTML frame for an integration point, or counts a
// nested start tag of the frame's own element.
func (r *Rewriter) foreignStartTag(e elem, tag []byte) {
	if r.fover > 0 {
		if e == elemSVG || e == elemMath {
			r.fover++
		}
		return
	}
	top := &r.frames[r.nframes-1]
	if e == top.elem {
		top.depth++
		return
	}
	root := elemOther
	for k := r.nframes - 1; k >= 0; k-- {
		if r.frames[k].foreign {
			root = r.frames[k].elem
			break
		}
	}
	switch {
	case root == elemSVG && (e == elemForeignObject || e == elemDesc || e == elemTitle),
		root == elemMath && (e == elemMi || e == elemMo || e == elemMn || e == elemMs || e == elemMtext),
		root == elemMath && e == elemAnnotationXML && tag != nil && htmlAnnotation(tag, r):
		r.pushFrame(e, false)
	}
}

// foreignEndTag closes frames for an end tag while frames are open.
func (r *Rewriter) foreignEndTag(e elem) {
	if r.fover > 0 {
		if e == elemSVG || e == elemMath {
			r.fover--
		}
		return
	}
	top := &r.frames[r.nframes-1]
	if e == top.elem {
		if top.depth > 0 {
			top.depth--
		} else {
			r.nframes--
		}
		return
	}
	if !top.foreign {
		// In HTML content an end tag for an element outside the
		// integration point stops at that special element: ignored.
		return
	}
	if e == elemBreakout && r.nameLen <= 2 && (string(r.name[:r.nameLen]) == "p" || string(r.name[:r.nameLen]) == "br") {
		r.nframes--
		return
	}
	// In foreign content an end tag closes up to the open element of its
	// name, frames included.
	for k := r.nframes - 2; k >= 0; k-- {
		if r.frames[k].elem == e {
			r.nframes = k
			return
		}
	}
}

// breaksOut reports whether a start tag of this element ends foreign content
// (beyond the names classified as elemBreakout).
func breaksOut(e elem) bool {
	switch e {
	case elemBody, elemEmbed, elemHead, elemImg, elemMeta, elemTable:
		return true
	}
	return false
}

// fontBreaksOut reports whether a font start tag has one of the attributes
// that make it break out of foreign content.
func fontBreaksOut(tag []byte, r *Rewriter) bool {
	_, _, attrs := parseTag(tag, r.attrs)
	r.attrs = attrs
	for _, a := range attrs {
		if nameIs(tag, a, "color") || nameIs(tag, a, "face") || nameIs(tag, a, "size") {
			return true
		}
	}
	return false
}

// htmlAnnotation reports whether a MathML annotation-xml start tag holds HTML
// (encoding text/html or application/xhtml+xml), which makes it an HTML
// integration point.
func htmlAnnotation(tag []byte, r *Rewriter) bool {
	_, _, attrs := parseTag(tag, r.attrs)
	r.attrs = attrs
	v, _ := value(tag, attrs, "encoding")
	v = r.decode(v)
	return equalFold(v, "text/html") || equalFold(v, "application/xhtml+xml")
}
