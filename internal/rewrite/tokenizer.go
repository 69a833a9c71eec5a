package rewrite

import "bytes"

// state is a tokenizer state, named after the WHATWG tokenization states it
// follows (https://html.spec.whatwg.org/multipage/parsing.html#tokenization).
// States that only differ in what they emit, not in where tokens end, are
// merged: the self-closing start tag state is sBeforeAttrName, DOCTYPE and
// its many substates are sBogus (every one of them ends at '>'), CDATA is a
// bogus comment as in HTML content.
type state uint8

const (
	sData state = iota
	sTagOpen
	sEndTagOpen
	sTagName
	sBeforeAttrName
	sAttrName
	sAfterAttrName
	sBeforeAttrValue
	sAttrValueDQ
	sAttrValueSQ
	sAttrValueUnquoted
	sAfterAttrValueQuoted
	sMarkupDecl     // after "<!"
	sMarkupDeclDash // after "<!-"
	sComment        // after "<!--"
	sBogus          // bogus comment, DOCTYPE, "<?", "</ "
	sRawText        // RAWTEXT and RCDATA: style, xmp, iframe, noembed, noframes, noscript, textarea, title
	sRawLT          // RAWTEXT "<"
	sRawEndName     // RAWTEXT "</" + part of the element's name
	sPlaintext
	sScript
	sScriptLT
	sScriptEndName
	sScriptEscStart
	sScriptEscStartDash
	sScriptEsc
	sScriptEscDash
	sScriptEscDashDash
	sScriptEscLT
	sScriptEscEndName
	sScriptDblEscStart
	sScriptDblEsc
	sScriptDblEscDash
	sScriptDblEscDashDash
	sScriptDblEscLT
	sScriptDblEscEnd
)

// elem names the elements whose tags matter to the rewriter.
type elem uint8

const (
	elemOther elem = iota
	elemScript
	elemIframe
	elemImg
	elemLink
	elemHead
	elemHTML
	elemBody
	elemStyle
	elemXmp
	elemNoembed
	elemNoframes
	elemNoscript
	elemTextarea
	elemTitle
	elemPlaintext
	elemMeta
)

var elemNames = [...]string{
	elemScript:    "script",
	elemIframe:    "iframe",
	elemImg:       "img",
	elemLink:      "link",
	elemHead:      "head",
	elemHTML:      "html",
	elemBody:      "body",
	elemStyle:     "style",
	elemXmp:       "xmp",
	elemNoembed:   "noembed",
	elemNoframes:  "noframes",
	elemNoscript:  "noscript",
	elemTextarea:  "textarea",
	elemTitle:     "title",
	elemPlaintext: "plaintext",
	elemMeta:      "meta",
}

// What the current look-ahead token is.
const (
	tokTag             = 1 // a tag from its '<'
	tokNoscriptContent = 2 // the content of a noscript element
)

// tokenizer is the state carried from one Write to the next.
type tokenizer struct {
	st      state
	look    bool  // the current token is held until decided
	tokKind uint8 // what look holds
	tokAbs  int64 // stream offset where the current token starts
	ltAbs   int64 // stream offset of the '<' of a raw text end tag candidate

	endTag    bool
	name      [12]byte // lower-case tag name prefix
	nameLen   int      // may exceed len(name): then no interesting element
	elem      elem
	hold      bool // the start tag is a rewrite candidate
	overflow  bool // it grew past maxTag and was let through
	headAfter bool // a meta that gets Head before or after it

	rawElem elem // element whose raw text is being read
	mi      int  // how much of an end tag name or "script" matched

	clen  int     // comment content length, saturated at 3
	ctail [3]byte // last bytes of comment content, ctail[2] the last

	// xnetQuirk reproduces a deviation of golang.org/x/net/html from the
	// WHATWG tokenizer, so that the differential test can compare everything
	// else. Tests only.
	xnetQuirk bool
}

var (
	attrNameStop [256]bool // ends an attribute name
	unquotedStop [256]bool // ends an unquoted attribute value
	tagNameStop  [256]bool // ends a tag name
)

func init() {
	for _, c := range []byte(" \t\n\r\f/>") {
		tagNameStop[c] = true
		attrNameStop[c] = true
	}
	attrNameStop['='] = true
	for _, c := range []byte(" \t\n\r\f>") {
		unquotedStop[c] = true
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// run feeds one Write through the state machine. Every state either consumes
// bytes or changes state without consuming ("reconsume" in the spec).
func (r *Rewriter) run(p []byte) {
	r.pos = 0
	i, n := 0, len(p)
	for i < n && r.err == nil {
		switch r.st {
		case sData:
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				i = n
				continue
			}
			i += j
			r.tokAbs = r.off + int64(i)
			r.look = true
			r.tokKind = tokTag
			r.st = sTagOpen
			i++
			// The common cases, without trips through the dispatch.
			if i < n && isAlpha(p[i]) {
				r.startName(false)
				i = r.tag(p, i)
			} else if i+1 < n && p[i] == '/' && isAlpha(p[i+1]) && !r.headPending {
				r.startName(true)
				i = r.tag(p, i+1)
			}

		case sTagOpen:
			switch c := p[i]; {
			case isAlpha(c):
				r.startName(false)
			case c == '/':
				r.st = sEndTagOpen
				i++
			case c == '!':
				r.look = false
				r.st = sMarkupDecl
				i++
			case c == '?':
				r.look = false
				r.st = sBogus
				i++
			default:
				r.look = false
				r.st = sData
			}

		case sEndTagOpen:
			switch c := p[i]; {
			case isAlpha(c):
				if r.headPending {
					r.headPending = false
					r.insertBeforeToken(p, r.cfg.Head)
				}
				r.startName(true)
			case c == '>': // "</>" is no token at all
				r.look = false
				r.st = sData
				i++
			default:
				r.look = false
				r.st = sBogus
				i++
			}

		case sTagName:
			i = r.tag(p, i)

		case sBeforeAttrName, sAttrName, sAfterAttrName, sBeforeAttrValue,
			sAttrValueDQ, sAttrValueSQ, sAttrValueUnquoted, sAfterAttrValueQuoted:
			j, st := scanAttrs(p, i, r.st)
			r.st = st
			if j == n {
				i = n
				continue
			}
			i = r.tagEnd(p, j)

		case sMarkupDecl:
			if p[i] == '-' {
				r.st = sMarkupDeclDash
				i++
			} else {
				r.st = sBogus
			}

		case sMarkupDeclDash:
			if p[i] == '-' {
				r.st = sComment
				r.clen = 0
				i++
			} else {
				r.st = sBogus
			}

		case sComment:
			j := bytes.IndexByte(p[i:], '>')
			if j < 0 {
				r.commentFeed(p[i:])
				i = n
				continue
			}
			if r.commentEndsBefore(p[i : i+j]) {
				r.st = sData
			} else {
				r.commentFeed(p[i : i+j+1])
			}
			i += j + 1

		case sBogus:
			j := bytes.IndexByte(p[i:], '>')
			if j < 0 {
				i = n
				continue
			}
			i += j + 1
			r.st = sData

		case sPlaintext:
			i = n

		case sRawText:
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				i = n
				continue
			}
			i += j
			r.ltAbs = r.off + int64(i)
			r.st = sRawLT
			i++

		case sRawLT:
			if p[i] == '/' {
				r.mi = 0
				r.st = sRawEndName
				i++
			} else {
				r.st = sRawText
			}

		case sRawEndName, sScriptEndName, sScriptEscEndName:
			name := elemNames[r.rawElem]
			for r.mi < len(name) && i < n && lower(p[i]) == name[r.mi] {
				r.mi++
				i++
			}
			if i == n {
				continue
			}
			if r.mi == len(name) && tagNameStop[p[i]] {
				r.rawEnd(p, i)
				continue
			}
			// Not the end tag: reconsume in the state that looked for it.
			switch r.st {
			case sRawEndName:
				r.st = sRawText
			case sScriptEndName:
				r.st = sScript
			default:
				r.st = sScriptEsc
			}

		case sScript:
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				i = n
				continue
			}
			i += j + 1
			r.st = sScriptLT

		case sScriptLT:
			switch p[i] {
			case '/':
				r.mi = 0
				r.st = sScriptEndName
				i++
			case '!':
				r.st = sScriptEscStart
				i++
			default:
				r.st = sScript
			}

		case sScriptEscStart, sScriptEscStartDash:
			if p[i] != '-' {
				r.st = sScript
			} else if r.st == sScriptEscStart {
				r.st = sScriptEscStartDash
				i++
			} else {
				r.st = sScriptEscDashDash
				i++
			}

		case sScriptEsc:
			for i < n && p[i] != '-' && p[i] != '<' {
				i++
			}
			if i == n {
				continue
			}
			if p[i] == '-' {
				r.st = sScriptEscDash
			} else {
				r.st = sScriptEscLT
			}
			i++

		case sScriptEscDash, sScriptEscDashDash:
			switch p[i] {
			case '-':
				r.st = sScriptEscDashDash
			case '<':
				r.st = sScriptEscLT
			case '>':
				if r.st == sScriptEscDashDash {
					r.st = sScript
				} else {
					r.st = sScriptEsc
				}
			default:
				r.st = sScriptEsc
			}
			i++

		case sScriptEscLT:
			switch c := p[i]; {
			case c == '/':
				r.mi = 0
				r.st = sScriptEscEndName
				i++
			case isAlpha(c):
				r.mi = 0
				r.st = sScriptDblEscStart
			case r.xnetQuirk:
				r.st = sScript
			default:
				r.st = sScriptEsc
			}

		case sScriptDblEscStart, sScriptDblEscEnd:
			const s = "script"
			for r.mi < len(s) && i < n && lower(p[i]) == s[r.mi] {
				r.mi++
				i++
			}
			if i == n {
				continue
			}
			matched := r.mi == len(s) && tagNameStop[p[i]]
			switch {
			case r.st == sScriptDblEscStart && matched:
				r.st = sScriptDblEsc
				i++
			case r.st == sScriptDblEscStart:
				r.st = sScriptEsc
			case matched:
				r.st = sScriptEsc
				i++
			default:
				r.st = sScriptDblEsc
			}

		case sScriptDblEsc:
			for i < n && p[i] != '-' && p[i] != '<' {
				i++
			}
			if i == n {
				continue
			}
			if p[i] == '-' {
				r.st = sScriptDblEscDash
			} else {
				r.st = sScriptDblEscLT
			}
			i++

		case sScriptDblEscDash, sScriptDblEscDashDash:
			switch p[i] {
			case '-':
				r.st = sScriptDblEscDashDash
			case '<':
				r.st = sScriptDblEscLT
			case '>':
				if r.st == sScriptDblEscDashDash {
					r.st = sScript
				} else {
					r.st = sScriptDblEsc
				}
			default:
				r.st = sScriptDblEsc
			}
			i++

		case sScriptDblEscLT:
			if p[i] == '/' {
				r.mi = 0
				r.st = sScriptDblEscEnd
				i++
			} else {
				r.st = sScriptDblEsc
			}
		}
	}
	r.endWrite(p)
}

// scanAttrs runs the attribute states from state st over p[i:] until the '>'
// that ends the tag, returning its index, or len(p) and the state to resume
// in. It is a separate loop over local variables because tags are most of
// what the rewriter reads byte by byte.
func scanAttrs(p []byte, i int, st state) (int, state) {
	n := len(p)
	for i < n {
		c := p[i]
		switch st {
		case sBeforeAttrName:
			switch c {
			case ' ', '\t', '\n', '\r', '\f', '/':
			case '>':
				return i, st
			default:
				st = sAttrName
			}
			i++
		case sAttrName:
			for !attrNameStop[c] {
				i++
				if i == n {
					return n, st
				}
				c = p[i]
			}
			switch c {
			case '/':
				st = sBeforeAttrName
			case '=':
				st = sBeforeAttrValue
			case '>':
				return i, st
			default:
				st = sAfterAttrName
			}
			i++
		case sAfterAttrName:
			switch c {
			case ' ', '\t', '\n', '\r', '\f':
			case '/':
				st = sBeforeAttrName
			case '=':
				st = sBeforeAttrValue
			case '>':
				return i, st
			default:
				st = sAttrName
			}
			i++
		case sBeforeAttrValue:
			switch c {
			case ' ', '\t', '\n', '\r', '\f':
			case '"':
				st = sAttrValueDQ
			case '\'':
				st = sAttrValueSQ
			case '>':
				return i, st
			default:
				st = sAttrValueUnquoted
			}
			i++
		case sAttrValueDQ, sAttrValueSQ:
			q := byte('"')
			if st == sAttrValueSQ {
				q = '\''
			}
			j := bytes.IndexByte(p[i:], q)
			if j < 0 {
				return n, st
			}
			i += j + 1
			st = sAfterAttrValueQuoted
		case sAttrValueUnquoted:
			for !unquotedStop[c] {
				i++
				if i == n {
					return n, st
				}
				c = p[i]
			}
			if c == '>' {
				return i, st
			}
			st = sBeforeAttrName
			i++
		default: // sAfterAttrValueQuoted
			switch c {
			case ' ', '\t', '\n', '\r', '\f', '/':
				st = sBeforeAttrName
			case '>':
				return i, st
			default:
				st = sAttrName
			}
			i++
		}
	}
	return n, st
}

// tag reads a tag name from p[i:] and, once it is complete, the attributes
// up to the tag's end, returning the index after what it consumed.
func (r *Rewriter) tag(p []byte, i int) int {
	n := len(p)
	start := i
	for i < n && !tagNameStop[p[i]] {
		i++
	}
	for _, c := range p[start:min(i, start+len(r.name)+1)] {
		if r.nameLen < len(r.name) {
			r.name[r.nameLen] = lower(c)
		}
		if r.nameLen <= len(r.name) {
			r.nameLen++
		}
	}
	if i-start > len(r.name) {
		r.nameLen = len(r.name) + 1
	}
	if i == n {
		return n
	}
	r.nameDone(p)
	j, st := scanAttrs(p, i, sBeforeAttrName)
	r.st = st
	if j == n {
		return n
	}
	return r.tagEnd(p, j)
}

// startName begins a tag name; its first letter is consumed by sTagName.
func (r *Rewriter) startName(end bool) {
	r.endTag = end
	r.nameLen = 0
	r.hold = false
	r.overflow = false
	r.headAfter = false
	r.st = sTagName
}

// nameDone acts on a complete tag name: the places of Head and BodyEnd, and
// whether the tag must be held until its '>'.
func (r *Rewriter) nameDone(p []byte) {
	e := r.classify()
	if r.endTag {
		if e == elemBody && r.bodyPending {
			r.bodyPending = false
			r.insertBeforeToken(p, r.cfg.BodyEnd)
		}
		r.look = false
		return
	}
	r.elem = e
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
	r.hold = e == elemScript || e == elemIframe || e == elemImg || e == elemLink || r.headAfter
	r.look = r.hold
}

func (r *Rewriter) classify() elem {
	if r.nameLen > len(r.name) {
		return elemOther
	}
	switch string(r.name[:r.nameLen]) {
	case "script":
		return elemScript
	case "iframe":
		return elemIframe
	case "img":
		return elemImg
	case "link":
		return elemLink
	case "head":
		return elemHead
	case "html":
		return elemHTML
	case "body":
		return elemBody
	case "style":
		return elemStyle
	case "xmp":
		return elemXmp
	case "noembed":
		return elemNoembed
	case "noframes":
		return elemNoframes
	case "noscript":
		return elemNoscript
	case "textarea":
		return elemTextarea
	case "title":
		return elemTitle
	case "plaintext":
		return elemPlaintext
	case "meta":
		return elemMeta
	}
	return elemOther
}

// tagEnd finishes the tag whose '>' is at p[i] and returns the index after
// it.
func (r *Rewriter) tagEnd(p []byte, i int) int {
	end := i + 1
	r.look = false
	if r.endTag {
		r.st = sData
		return end
	}
	after := false
	if r.hold {
		switch {
		case r.overflow || r.off+int64(end)-r.tokAbs > int64(r.maxTag):
			r.notify(r.elem, nil)
			after = true // its start is gone: Head can only follow it
		case r.elem == elemMeta:
			after = declaresCharset(r.tokenBytes(p, end), r)
		default:
			tag := r.tokenBytes(p, end)
			if repl := r.decide(r.elem, tag); repl != nil {
				r.replaceToken(p, end, repl)
			}
		}
	}
	if r.headAfter {
		r.headAfter = false
		r.headPending = false
		if after {
			r.flushTo(p, end)
			r.emit(r.cfg.Head)
		} else {
			r.insertBeforeToken(p, r.cfg.Head)
		}
	}
	switch r.elem {
	case elemScript:
		r.rawElem = elemScript
		r.st = sScript
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
		r.rawElem = r.elem
		r.st = sRawText
	case elemPlaintext:
		r.st = sPlaintext
	default:
		r.st = sData
	}
	return end
}

// rawEnd handles a raw text end tag "</name" whose delimiter is at p[i],
// which is left to the attribute states to consume.
func (r *Rewriter) rawEnd(p []byte, i int) {
	if r.look && r.tokKind == tokNoscriptContent {
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
	}
	r.endTag = true
	r.hold = false
	r.headAfter = false
	r.st = sBeforeAttrName
}

// commentEndsBefore reports whether a '>' right after seg ends the comment:
// after "--", after "--!", or as "<!-->" and "<!--->".
func (r *Rewriter) commentEndsBefore(seg []byte) bool {
	total := r.clen + len(seg)
	at := func(k int) byte { // k-th byte from the end of the content
		if k < len(seg) {
			return seg[len(seg)-1-k]
		}
		return r.ctail[2-(k-len(seg))]
	}
	switch {
	case total == 0:
		return true
	case total == 1:
		return at(0) == '-'
	case at(0) == '-' && at(1) == '-':
		return true
	case total >= 3 && at(0) == '!' && at(1) == '-' && at(2) == '-':
		return true
	}
	return false
}

func (r *Rewriter) commentFeed(seg []byte) {
	if len(seg) >= 3 {
		copy(r.ctail[:], seg[len(seg)-3:])
	} else {
		for _, c := range seg {
			r.ctail[0], r.ctail[1], r.ctail[2] = r.ctail[1], r.ctail[2], c
		}
	}
	r.clen = min(r.clen+len(seg), 3)
}
