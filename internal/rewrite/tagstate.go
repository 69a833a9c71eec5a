package rewrite

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// scanAttrs runs the attribute states from state st over p[i:] until the '>'
// that ends the tag, returning its index, or len(p) and the state to resume
// in. Tags are most of what the rewriter reads byte by byte, so each state is
// a tight loop of its own and transitions are jumps, not a dispatch per byte.
//
// It also returns a mask of the attribute names it read, one bit per name
// that may be asked about (see nameBit and asked): the attributes that make
// the rewriter look at an ordinary tag again are few (style, background,
// http-equiv, ping, data-ck-settings), so most tags are dismissed on one
// AND instead of being parsed a second time. A name that
// began in an earlier Write sets every bit: its first letter is gone, and the
// mask may only err toward parsing.
func scanAttrs(p []byte, i int, st state) (int, state, uint64) {
	n := len(p)
	var seen uint64
	ns := i // where the current attribute name starts
	if st == sBeforeAttrName {
		// Every call from tag starts here: one test instead of the
		// switch's search through the states a resumed tag can be in.
		goto beforeName
	}
	switch st {
	case sAttrName:
		seen = ^uint64(0)
		goto name
	case sAfterAttrName:
		goto afterName
	case sBeforeAttrValue:
		goto beforeValue
	case sAttrValueDQ:
		goto dq
	case sAttrValueSQ:
		goto sq
	case sAttrValueUnquoted:
		goto unquoted
	case sAfterAttrValueQuoted:
		goto afterQuoted
	}

beforeName:
	// One table load a byte, where the switch over the six bytes that
	// separate attributes compiled to a chain of compares.
	for ; i < n; i++ {
		c := gapClass[p[i]]
		if c == gapName {
			ns = i
			i++ // the first character is part of the name even when it is '='
			goto name
		}
		if c == gapEnd {
			return i, sBeforeAttrName, seen
		}
	}
	return n, sBeforeAttrName, seen

name:
	// Four bytes a step (eight with the end found by bit tricks, as tag
	// names are read, came out even: fewer misses, more work).
	i = attrNameEnd(p, i)
	// Only names that may be asked about, by their length and first
	// letter, get their bit (when resumed, every bit is set already). The
	// length's low six bits are tested, without a branch for names of 64
	// bytes or more: a false bit only sends a tag to the second look
	// (parseAttrs tests the same way).
	if l := uint(i - ns); asked(l, p[ns]) {
		seen |= 1 << ((uint(p[ns]|0x20)*34 + uint(p[i-1]|0x20)*23 + l) & 63)
	}
	if i == n {
		return n, sAttrName, seen
	}
	// Most names end at their '=': tested first, where the switch's
	// search took three compares to reach it.
	if c := p[i]; c == '=' {
		i++
		goto beforeValue
	} else if c == '/' {
		i++
		goto beforeName
	} else if c == '>' {
		return i, sAttrName, seen
	}
	i++

afterName:
	for ; i < n; i++ {
		switch p[i] {
		case ' ', '\t', '\n', '\r', '\f':
			continue
		case '/':
			i++
			goto beforeName
		case '=':
			i++
			goto beforeValue
		case '>':
			return i, sAfterAttrName, seen
		}
		ns = i
		i++
		goto name
	}
	return n, sAfterAttrName, seen

beforeValue:
	for ; i < n; i++ {
		// Nearly every value is in double quotes: tested first.
		c := p[i]
		if c == '"' {
			i++
			goto dq
		}
		switch c {
		case ' ', '\t', '\n', '\r', '\f':
			continue
		case '\'':
			i++
			goto sq
		case '>':
			return i, sBeforeAttrValue, seen
		}
		goto unquoted
	}
	return n, sBeforeAttrValue, seen

dq:
	if j := bytes.IndexByte(p[i:], '"'); j >= 0 {
		i += j + 1
		goto afterQuoted
	}
	return n, sAttrValueDQ, seen

sq:
	if j := bytes.IndexByte(p[i:], '\''); j >= 0 {
		i += j + 1
		goto afterQuoted
	}
	return n, sAttrValueSQ, seen

unquoted:
	for i < n && !unquotedStop[p[i]] {
		i++
	}
	if i == n {
		return n, sAttrValueUnquoted, seen
	}
	if p[i] == '>' {
		return i, sAttrValueUnquoted, seen
	}
	i++
	goto beforeName

afterQuoted:
	if i == n {
		return n, sAfterAttrValueQuoted, seen
	}
	switch gapClass[p[i]] {
	case gapSpace:
		i++
		goto beforeName
	case gapEnd:
		return i, sAfterAttrValueQuoted, seen
	}
	goto beforeName // a name right after a quoted value: reconsumed (parse error)
}

// scanStart is scanAttrs(p, i, sBeforeAttrName), the attribute states of a
// tag whose name has just been read, by scanTagVec where the processor has
// it and the tag ends 64 bytes or more before the end of p.
func scanStart(p []byte, i int) (int, state, uint64) {
	if haveTagVec && i < len(p)-64 && p[i] != '>' {
		if j, st, seen := scanTagVec(p, i, &askedFirst[0]); j >= 0 {
			return j, st, seen
		}
	}
	return scanAttrs(p, i, sBeforeAttrName)
}

// The classes of gapClass.
const (
	gapName  = iota // begins an attribute name
	gapSpace        // white space or '/': skipped between attributes
	gapEnd          // '>'
)

// gapClass classifies the bytes scanAttrs meets between attributes.
var gapClass = [256]uint8{
	' ': gapSpace, '\t': gapSpace, '\n': gapSpace, '\r': gapSpace, '\f': gapSpace, '/': gapSpace,
	'>': gapEnd,
}

// attrNameEnd returns the index of the first byte of p[i:] that ends an
// attribute name, or len(p). It reads four bytes a step against a bound
// computed once, so the compiler checks only the first index of a step;
// the loop it replaced took a sub-slice a step, eight instructions of
// pointer and capacity arithmetic. It is a function of its own so that,
// inlined, its loop has one entry: the loop in scanAttrs, entered by
// several gotos, was not recognised as one and kept all four checks.
func attrNameEnd(p []byte, i int) int {
	for e := len(p) - 3; i < e; i += 4 {
		if attrNameStop[p[i]] {
			return i
		}
		if attrNameStop[p[i+1]] {
			return i + 1
		}
		if attrNameStop[p[i+2]] {
			return i + 2
		}
		if attrNameStop[p[i+3]] {
			return i + 3
		}
	}
	for i < len(p) && !attrNameStop[p[i]] {
		i++
	}
	return i
}

// checkScan panics when scanAttrs, run over the tag's attributes from p[i],
// would not end at the same '>' in a state with the same self-closing
// meaning and with the same attribute mask as parseTag's reading of it.
// Tests turn it on (SetCheckRecorded): the tokenizer reads a judged tag
// with parseTag, every other one with scanAttrs, and the two must agree.
func (r *Rewriter) checkScan(p []byte, i, end int) {
	base := int(r.tokAbs - r.off)
	j, st, seen := scanAttrs(p, i, sBeforeAttrName)
	slash := p[end-1] == '/'
	if j != end || r.rec.nameEnd != i-base || slash && (st == sBeforeAttrName) != (r.st == sBeforeAttrName) || seen != r.anames {
		panic(fmt.Sprintf("rewrite: parseTag and scanAttrs disagree on %q: '>' at %d, %d; states %d, %d; masks %x, %x",
			p[base:end+1], end, j, r.st, st, r.anames, seen))
	}
}

// readOnce marks the elements whose start tags the tokenizer reads with
// parseTag rather than scanAttrs: those decide always parses (the ones with
// URL attributes and no needle to pass them over first).
var readOnce = func() (t [256]bool) { // 256: indexed by an elem without a bounds check
	for e := range numElems {
		t[e] = urlAttrs[e] != nil && needle[e] == ""
	}
	return t
}()

// nameBit is the bit of an attribute name in the mask scanAttrs returns: a
// hash of its first and last letters (in lower case) and its length. The
// factors were chosen on the corpus so that the names in everyday use
// (class, href, alt, title, data-src, ...) rarely share a bit with the
// three names the rewriter looks for: about 300 of its 300,000 attributes do.
func nameBit(first, last byte, n int) uint64 {
	return 1 << ((uint(first|0x20)*34 + uint(last|0x20)*23 + uint(n)) & 63)
}

// askedNames are the attribute names whose bits the rewriter tests.
var askedNames = [...]string{"style", "http-equiv", "background", SettingsAttr, "ping"}

// askedFirst has, per name length (its low six bits), a bit per first byte
// (its low five bits, a letter's in either case) of the names of
// askedNames: scanAttrs and parseAttrs hash no other name. Asking the
// first letter with the length spares the hash of most names of those
// lengths (class, title, width, href, type, name, role, ...), and the
// branch that asks is taken about as rarely as the names are written.
var askedFirst = func() (t [64]uint32) {
	for _, n := range askedNames {
		t[len(n)&63] |= 1 << (n[0] & 31)
	}
	return t
}()

// asked reports whether a name of l bytes beginning with first may be one
// of askedNames, by askedFirst: false positives only cost a hash.
func asked(l uint, first byte) bool { return askedFirst[l&63]>>(first&31)&1 != 0 }

// The bits of the attribute names a tag must have for a second look:
// nameBit's formula as constants, so that the tests of the mask take an
// immediate operand instead of a load (TestNameBits holds them to nameBit).
const (
	bitStyle     = 1 << (('s'*34 + 'e'*23 + len("style")) & 63)
	bitHTTPEquiv = 1 << (('h'*34 + 'v'*23 + len("http-equiv")) & 63)
	// background is as long as http-equiv: its bit costs the tokenizer
	// nothing more.
	bitBackground = 1 << (('b'*34 + 'd'*23 + len("background")) & 63)
	// ping is as long as none of the others; asked hashes only the names
	// of four bytes that begin with its letter.
	bitPing = 1 << (('p'*34 + 'g'*23 + len("ping")) & 63)
	// bitsLook are the attributes that send an ordinary tag, or one of
	// the elements from elemBreakout on, to a second look: a style, a
	// background, a meta's http-equiv, a link's ping.
	bitsLook    = bitStyle | bitBackground | bitHTTPEquiv | bitPing
	bitSettings = 1 << (('d'*34 + 's'*23 + len(SettingsAttr)) & 63)
)

// tag reads a tag name from p[i:] and, once it is complete, the attributes
// up to the tag's end, returning the index after what it consumed. Run's
// start tags go to startTag first, which hands tag those it does not read.
func (r *Rewriter) tag(p []byte, i int) int {
	n := len(p)
	k := r.nameLen
	if k == 0 && n-i >= 8 {
		x := binary.LittleEndian.Uint64(p[i : i+8 : i+8]) // a capacity of 8 spares the pointer's masking
		if l := nameEnd(x); tagNameStop[p[i+l]] {
			// r.name holds the name folded as foldWord does; the bytes
			// after it are not read, so the whole word is stored (the
			// masked word, whose top byte the compiler knows is zero,
			// was stored in four pieces).
			binary.LittleEndian.PutUint64(r.name[:8], x|0x20*ones)
			w := foldWord(x, l)
			r.nameLen = l
			if e := classifyWord(w); r.endTag || r.headPending {
				r.nameDone(p, e)
			} else {
				// nameDone's work for a start tag when Head is placed.
				r.elem = e
				r.look = true
			}
			i += l
			goto attrs
		}
	}
	for ; i < n; i++ {
		c := p[i]
		if tagNameStop[c] {
			break
		}
		if k < len(r.name) {
			r.name[k] = lowerTab[c]
		}
		k++
	}
	r.nameLen = min(k, len(r.name)+1)
	if i == n {
		return n
	}
	r.nameDone(p, r.classify())
attrs:
	if readOnce[r.elem] && !r.endTag && r.tokAbs >= r.off {
		if j, ok := r.attrsOnce(p, i); ok {
			return j
		}
	}
	j, st, seen := scanStart(p, i)
	r.st = st
	r.anames |= seen
	if j == n {
		return n
	}
	if r.anames&bitSettings == 0 {
		r.look = false
		if r.passes(p, j+1) {
			// tagEnd's common case, without the call.
			r.st = sData
			return j + 1
		}
		// The rest of tagEnd, without testing again what was tested.
		return r.tagDone(p, j+1)
	}
	return r.tagEnd(p, j)
}

// startName begins a tag name; its first letter is consumed by sTagName.
func (r *Rewriter) startName(end bool) {
	r.endTag = end
	r.nameLen = 0
	r.anames = 0
	r.recValid = false
	r.overflow = false
	r.headAfter = false
	r.st = sTagName
}

// nameDone acts on a complete tag name, classified as e: the places of
// Head and BodyEnd, and holding the start tag until its '>'.
func (r *Rewriter) nameDone(p []byte, e elem) {
	if r.endTag && r.nameLen != len("body") && r.nframes+r.fover == 0 {
		// Outside foreign content only </body> matters.
		r.elem = elemOther
		r.look = false
		return
	}
	r.elem = e
	if r.endTag {
		if e == elemBody && r.bodyPending {
			if r.bodyStartPending {
				// No <body> start tag came: the banner still goes first of
				// what is inserted there.
				r.bodyStartPending = false
				r.insertBeforeToken(p, r.cfg.BodyStart)
			} else {
				r.insertBeforeToken(p, nil)
			}
			r.insertBodyEnd()
		}
		r.look = false
		return
	}
	if r.headPending && e != elemHTML && e != elemHead {
		if e == elemMeta {
			// Decided at its '>': a charset declaration must stay within
			// the first 1024 bytes, so Head goes after it.
			r.headAfter = true
		} else {
			r.headPending = false
			r.insertBeforeToken(p, r.cfg.Head)
		}
	}
	// Every start tag is held: any element may carry a style attribute
	// pointing at a tracker. Holding costs nothing until a Write ends
	// inside the tag.
	r.look = true
}

// passes reports whether the tag ending before p[end] needs nothing more
// done: the common case, an ordinary start tag (or a meta or table part)
// without a style, background or http-equiv attribute (bitsLook), or too
// short to carry a tracker in any.
func (r *Rewriter) passes(p []byte, end int) bool {
	// elemOther or an elem from elemBreakout on in one comparison:
	// elemOther-1 wraps to the top. Two tests took two branches that
	// followed the page's mix of tag names.
	// (The tests' onTag hook sees only script and iframe tags, which
	// never pass.)
	return r.elem-1 >= elemBreakout-1 && !r.endTag && r.nframes+r.fover == 0 && !r.headAfter &&
		(r.anames&bitsLook == 0 || !r.baseSeen && tooShortToFetch(end-int(r.tokAbs-r.off), r.nameLen))
}

// tooShortToFetch reports whether a tag of n bytes, '<' to '>', with a
// name of nameLen bytes is too short to hold the shortest attribute of
// bitsLook that loads something: ` ping=//a`, its host of one letter (a
// table may hold one-label hosts); ` background=//a` and
// ` style=x:url(//a` (unquoted, its url() left open: CSS closes it at the
// end of the value) are longer, a meta refresh longer still. The bound
// serves all, so that a tag with none of them, the common one, is told in
// one test. A relative URL is shorter (` ping=x`): callers do not ask once
// the document has a <base href>, which can send one to a tracker.
func tooShortToFetch(n, nameLen int) bool {
	return n < len("<")+nameLen+len(` ping=//a`)+len(">")
}

// passes's test needs the elems that may pass to be the last: elemBreakout
// and those after it, which tagDone must not treat as special.
var _ = [1]struct{}{}[numElems-1-elemAnimate]

// tagEnd finishes the tag whose '>' is at p[i] and returns the index after
// it.
func (r *Rewriter) tagEnd(p []byte, i int) int {
	end := i + 1
	r.look = false
	if r.anames&bitSettings != 0 && r.watch && !r.endTag { // the rarest first
		r.watchSettings(p, end)
	}
	if r.passes(p, end) {
		r.st = sData
		return end
	}
	return r.tagDone(p, end)
}

// tagDone finishes a tag that does not pass (see passes) and whose
// settings attribute, if any, has been watched, returning end, the index
// after its '>'.
func (r *Rewriter) tagDone(p []byte, end int) int {
	e := r.elem
	if r.endTag {
		if !r.rawEndTag && r.nframes+r.fover > 0 {
			r.foreignEndTag(e)
		}
		r.rawEndTag = false
		r.st = sData
		return end
	}
	var tag []byte
	after := false
	if r.overflow || r.off+int64(end)-r.tokAbs > int64(r.maxTag) {
		r.notify(e, nil)
		after = true // its start is gone: Head can only follow it
	} else {
		tag = r.tagBytes(p, end)
		r.notify(e, tag)
	}
	foreign := r.inForeign()
	if foreign && (e == elemBreakout || breaksOut(e) || e == elemFont && tag != nil && fontBreaksOut(tag, r)) {
		r.popForeign()
		foreign = r.inForeign()
	}
	var repl []byte
	inline := false
	if tag != nil {
		if e == elemBase && !r.baseSeen {
			r.setBase(tag)
		}
		if e == elemScript && !foreign && r.inlineScript(tag) {
			inline = true
		} else {
			if foreign || e == elemSVG {
				repl = r.decideSVG(e, tag, foreign)
			} else {
				repl = r.decide(e, tag)
			}
		}
		if r.headAfter {
			after = declaresCharset(tag, r)
		}
	}
	if r.headAfter {
		r.headAfter = false
		r.headPending = false
		if after {
			if repl != nil {
				r.replaceTag(p, end, repl)
				repl = nil
			} else {
				r.flushTo(p, end)
			}
			r.emit(r.cfg.Head)
		} else {
			r.insertBeforeToken(p, r.cfg.Head)
		}
	}
	if repl != nil {
		r.replaceTag(p, end, repl)
	}
	if e == elemBody && r.bodyStartPending && r.nframes+r.fover == 0 {
		// BodyStart follows the <body> tag, as it was or as rewritten.
		r.bodyStartPending = false
		r.flushTo(p, end)
		r.emit(r.cfg.BodyStart)
	}
	if foreign {
		// Inside <svg> and <math> no element switches the tokenizer to raw
		// text: a <style>, <title> or <plaintext> there holds markup.
		r.st = sData
		if !r.selfClosing(tag) {
			r.foreignStartTag(e, tag)
			if e == elemStyle && r.inSVG() {
				r.enterForeignStyle(end)
			}
		}
		return end
	}
	if !startSpecial[e] {
		// Most tags that reach here: ordinary elements that leave the
		// tokenizer in text, without the switch's compares.
		r.st = sData
		return end
	}
	switch e {
	case elemSVG, elemMath:
		if !r.selfClosing(tag) && !r.noForeign {
			r.pushFrame(e, true)
		}
		r.st = sData
	case elemScript:
		r.rawElem = elemScript
		r.st = sScript
		if inline {
			// Held until </script>: its text decides.
			r.look = true
			r.tokKind = tokInlineScript
			r.tagEndAbs = r.off + int64(end)
		}
	case elemNoscript:
		if r.scriptingOff {
			r.st = sData
			break
		}
		r.rawElem = elemNoscript
		r.st = sRawText
		r.look = true
		r.tokKind = tokNoscriptContent
		r.tokAbs = r.off + int64(end)
	case elemStyle, elemXmp, elemIframe, elemNoembed, elemNoframes, elemTextarea, elemTitle:
		r.rawElem = e
		r.st = sRawText
	case elemPlaintext:
		r.st = sPlaintext
	default:
		r.st = sData
	}
	return end
}

// startSpecial marks the elements whose start tags tagDone's switch acts on
// (every other one leaves the tokenizer in text).
var startSpecial = [256]bool{ // 256: indexed by an elem without a bounds check
	elemSVG: true, elemMath: true, elemScript: true, elemNoscript: true, elemStyle: true, elemXmp: true,
	elemIframe: true, elemNoembed: true, elemNoframes: true, elemTextarea: true, elemTitle: true, elemPlaintext: true,
}

// selfClosing reports whether the start tag, whose attributes the
// tokenizer has read (r.st is the state they ended in), closes itself:
// asked only where it matters, in foreign content and of <svg> and <math>,
// rather than of every tag that does not pass.
func (r *Rewriter) selfClosing(tag []byte) bool {
	return len(tag) >= 2 && tag[len(tag)-2] == '/' && r.st == sBeforeAttrName
}

// rawEnd handles a raw text end tag "</name" whose delimiter is at p[i],
// which is left to the attribute states to consume.
func (r *Rewriter) rawEnd(p []byte, i int) {
	if r.look {
		switch r.tokKind {
		case tokNoscriptContent:
			r.look = false
			if cut := int(r.ltAbs - r.tokAbs); cut <= r.maxTag {
				inP := r.tokAbs >= r.off
				s := r.tokenBytes(p, i)
				r.rewriteNoscript(s[:cut])
				if inP {
					r.pos = int(r.ltAbs - r.off)
				} else {
					r.emit(s[cut:])
					r.held = r.held[:0]
				}
			}
		case tokInlineScript:
			r.look = false
			r.endInlineScript(p, i)
		case tokStyleTail:
			r.look = false
		}
	}
	r.endTag = true
	r.rawEndTag = true
	r.headAfter = false
	r.st = sBeforeAttrName
}

// inlineScript reports whether a script start tag is an inline script whose
// text must be read before it is judged: no src, no data-consent, and a type
// a browser runs (or speculation rules, which fetch the URLs they name).
func (r *Rewriter) inlineScript(tag []byte) bool {
	_, attrs := r.tagAttrs(tag)
	// Each name looked up once, as decide does, instead of every
	// attribute compared with four names: a slot no attribute shares is
	// no such attribute, and most scripts have none of the four.
	var at attrIndex
	at.index(tag, attrs)
	if at[anSrc]|at[anDataConsent]|at[anHref]|at[anXlinkHref] != 0 {
		for _, id := range [...]attrName{anSrc, anDataConsent, anHref, anXlinkHref} {
			if _, ok := at.value(tag, attrs, id); ok {
				return false
			}
		}
	}
	v, ok := at.value(tag, attrs, anType)
	if !ok {
		return true
	}
	// Most types are written as isJSType lists them, without spaces,
	// parameters, references or capitals: found as they are, without
	// decode, TrimSpace and a comparison with each of the eighteen.
	if isJSType(v) {
		return true
	}
	v = bytes.TrimSpace(r.decode(v))
	if k := bytes.IndexByte(v, ';'); k >= 0 {
		v = bytes.TrimSpace(v[:k])
	}
	var low [len("application/x-javascript")]byte // the longest type
	if len(v) > len(low) {
		return false
	}
	for k, c := range v {
		low[k] = lowerTab[c]
	}
	return len(v) == 0 || isJSType(low[:len(v)])
}

// isJSType reports whether v is one of the script types a browser runs (the
// JavaScript MIME type essences and "module") or speculation rules, which
// prefetch and prerender the URLs they list; v is in lower case. A switch
// over constant strings compiles to a search by length and value.
func isJSType(v []byte) bool {
	switch string(v) {
	case "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript",
		"application/x-javascript", "application/x-ecmascript", "text/x-javascript", "text/x-ecmascript",
		"text/jscript", "text/livescript", "text/javascript1.0", "text/javascript1.1", "text/javascript1.2",
		"text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "speculationrules":
		return true
	}
	return false
}

// endInlineScript judges a held inline script whose end tag's delimiter is at
// p[i]: a script whose text names a tracker host, or has the shape of a
// well-known tracker snippet, is neutralised like a tracker's <script src>.
func (r *Rewriter) endInlineScript(p []byte, i int) {
	tok := r.tagBytes(p, i)
	tagLen := int(r.tagEndAbs - r.tokAbs)
	cut := int(r.ltAbs - r.tokAbs)
	text := tok[tagLen:cut]
	cat := r.textCategory(text)
	if cat == "" {
		cat = r.snippetCategory(text)
	}
	if cat == "" {
		return
	}
	if r.why == ReasonHost {
		r.why = ReasonInlineHost
	}
	r.report(elemScript, cat)
	tag := tok[:tagLen]
	nameEnd, _, attrs := parseTag(tag, r.attrs)
	r.attrs = attrs
	repl := r.neutralise(elemScript, tag, nameEnd, attrs, cat, "")
	if idx := int(r.tokAbs - r.off); idx >= 0 {
		r.flushTo(p, idx)
	}
	r.emit(repl)
	r.emit(tok[tagLen:])
	r.held = r.held[:0]
	r.pos = i
}

// setBase records the host of the document's first <base href>, which
// relative URLs after it resolve against.
func (r *Rewriter) setBase(tag []byte) {
	_, _, attrs := parseTag(tag, r.attrs)
	r.attrs = attrs
	v, ok := value(tag, attrs, "href")
	if !ok {
		return
	}
	r.baseSeen = true
	r.baseLen = copy(r.base[:], urlHost(r.decode(v)))
}

// urlHost returns the host of an absolute http(s) or protocol-relative URL,
// or nil.
func urlHost(u []byte) []byte {
	u = bytes.TrimSpace(u)
	switch {
	case len(u) >= 5 && equalFold(u[:5], "http:"):
		u = u[5:]
	case len(u) >= 6 && equalFold(u[:6], "https:"):
		u = u[6:]
	}
	if len(u) < 2 || (u[0] != '/' && u[0] != '\\') || (u[1] != '/' && u[1] != '\\') {
		return nil
	}
	u = bytes.TrimLeft(u, "/\\")
	end := len(u)
	for k, c := range u {
		if c == '/' || c == '\\' || c == '?' || c == '#' {
			end = k
			break
		}
	}
	h := u[:end]
	if k := bytes.LastIndexByte(h, '@'); k >= 0 {
		h = h[k+1:]
	}
	if k := bytes.IndexByte(h, ':'); k >= 0 {
		h = h[:k]
	}
	if len(h) > maxHostLen {
		return nil
	}
	return h
}

const maxHostLen = 253

// attrsOnce reads the attributes of a start tag the rewriter judges, from
// p[i] after its name, with parseAttrs when the tag is whole in p (and
// then finishes it): its attributes are needed anyway, and decide and
// inlineScript use them instead of parsing the tag again. It reports
// false, having changed nothing the attribute states read, otherwise.
func (r *Rewriter) attrsOnce(p []byte, i int) (int, bool) {
	base := int(r.tokAbs - r.off)
	nameEnd, end, attrs, seen := parseAttrs(p[base:], i-base, r.rec.attrs[:0])
	r.rec.attrs = attrs
	if base+end >= len(p) {
		return 0, false
	}
	r.rec.nameEnd = nameEnd
	r.recValid = true
	// The state scanAttrs would end in, for tagEnd's self-closing test: a
	// '/' before the '>' closes the tag unless an unquoted value runs up
	// to the '>'.
	r.st = sBeforeAttrName
	if k := len(attrs) - 1; k >= 0 && attrs[k].vs >= 0 && attrs[k].ve == end {
		r.st = sAttrValueUnquoted
	}
	r.anames |= seen
	if r.checkRec {
		r.checkScan(p, i, base+end)
	}
	// tagEnd, less what cannot apply: readOnce marks neither elemOther
	// nor the elems from elemBreakout on (TestReadOnceNeverPasses), so the
	// tag does not pass, nor is it an <a> (elemA) or a <button>
	// (elemOther) that watchSettings looks at.
	end += base + 1
	r.look = false
	return r.tagDone(p, end), true
}

// startTag reads a start tag whose name begins at p[i], for run: tag's
// work in the common case, a name of up to seven bytes whole in p with
// Head placed, without tag's tests for end tags, for names resumed from an
// earlier Write and for Head. Every other start tag goes to tag.
func (r *Rewriter) startTag(p []byte, i int) int {
	n := len(p)
	if n-i < 8 || r.headPending {
		r.startName(false)
		return r.tag(p, i)
	}
	x := binary.LittleEndian.Uint64(p[i : i+8 : i+8])
	l := nameEnd(x)
	if !tagNameStop[p[i+l]] {
		r.startName(false)
		return r.tag(p, i)
	}
	// startName's work, but for what is set below (the state, the name's
	// length, the mask) and r.look, which run has set.
	r.endTag = false
	r.recValid = false
	r.overflow = false
	r.headAfter = false
	binary.LittleEndian.PutUint64(r.name[:8], x|0x20*ones) // as tag stores it
	r.nameLen = l
	e := classifyWord(foldWord(x, l))
	r.elem = e
	i += l
	if readOnce[e] {
		r.anames = 0
		if j, ok := r.attrsOnce(p, i); ok {
			return j
		}
	}
	// scanStart, by hand: its calls cost more than the vector reading
	// saves on short tags.
	j, st, seen := -1, state(0), uint64(0)
	if haveTagVec && i < n-64 && p[i] != '>' {
		j, st, seen = scanTagVec(p, i, &askedFirst[0])
	}
	if j < 0 {
		j, st, seen = scanAttrs(p, i, sBeforeAttrName)
	}
	r.st = st
	r.anames = seen
	if j == n {
		return n
	}
	if seen&bitSettings != 0 {
		return r.tagEnd(p, j)
	}
	r.look = false
	// passes, for a start tag whose headAfter is false.
	if e-1 >= elemBreakout-1 && r.nframes+r.fover == 0 && (seen&bitsLook == 0 || !r.baseSeen && tooShortToFetch(j+1-int(r.tokAbs-r.off), l)) {
		r.st = sData
		return j + 1
	}
	return r.tagDone(p, j+1)
}
