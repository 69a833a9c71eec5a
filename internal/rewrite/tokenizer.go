package rewrite

import (
	"bytes"
	"encoding/binary"
)

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
	sForeignStyle // the text of an SVG <style>: CSS, up to the next '<' (foreignstyle.go)
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
	elemImage
	elemEmbed
	elemObject
	elemVideo
	elemAudio
	elemSource
	elemTrack
	elemInput
	elemBase
	elemSVG
	elemMath
	elemForeignObject
	elemDesc
	elemMi
	elemMo
	elemMn
	elemMs
	elemMtext
	elemAnnotationXML
	elemFont
	elemFrame
	elemFeImage
	elemBreakout // an HTML start tag that ends foreign content
	// The elements from elemBreakout on pass the tokenizer as ordinary
	// ones unless an attribute asks for a second look (see passes): a meta
	// fetches only as a refresh, which takes http-equiv, and the table
	// parts only through a background attribute, a link or an image
	// map's area only through ping; all are rare, the elements common on
	// real pages.
	elemMeta
	elemTable
	elemTd
	elemTh
	elemTr
	elemTbody
	elemThead
	elemTfoot
	elemCol
	elemColgroup
	elemA
	elemArea
	elemSet     // SVG's set, in foreign content
	elemAnimate // SVG's animate, in foreign content
	numElems
)

var elemNames = [numElems]string{
	elemScript:        "script",
	elemIframe:        "iframe",
	elemImg:           "img",
	elemLink:          "link",
	elemHead:          "head",
	elemHTML:          "html",
	elemBody:          "body",
	elemStyle:         "style",
	elemXmp:           "xmp",
	elemNoembed:       "noembed",
	elemNoframes:      "noframes",
	elemNoscript:      "noscript",
	elemTextarea:      "textarea",
	elemTitle:         "title",
	elemPlaintext:     "plaintext",
	elemMeta:          "meta",
	elemImage:         "image",
	elemEmbed:         "embed",
	elemObject:        "object",
	elemVideo:         "video",
	elemAudio:         "audio",
	elemSource:        "source",
	elemTrack:         "track",
	elemInput:         "input",
	elemTable:         "table",
	elemTd:            "td",
	elemTh:            "th",
	elemBase:          "base",
	elemSVG:           "svg",
	elemMath:          "math",
	elemForeignObject: "foreignobject",
	elemDesc:          "desc",
	elemMi:            "mi",
	elemMo:            "mo",
	elemMn:            "mn",
	elemMs:            "ms",
	elemMtext:         "mtext",
	elemAnnotationXML: "annotation-xml",
	elemFont:          "font",
	elemFrame:         "frame",
	elemFeImage:       "feimage",
	elemTr:            "tr",
	elemTbody:         "tbody",
	elemThead:         "thead",
	elemTfoot:         "tfoot",
	elemCol:           "col",
	elemColgroup:      "colgroup",
	elemA:             "a",
	elemArea:          "area",
	elemSet:           "set",
	elemAnimate:       "animate",
}

// What the current look-ahead token is.
const (
	tokTag             = 1 // a tag from its '<'
	tokNoscriptContent = 2 // the content of a noscript element
	tokInlineScript    = 3 // an inline script, from its start tag to its end tag
	tokStyleTail       = 4 // a URL token of style text that may go on in the next Write
)

// tokenizer is the state carried from one Write to the next.
type tokenizer struct {
	st      state
	look    bool  // the current token is held until decided
	tokKind uint8 // what look holds
	tokAbs  int64 // stream offset where the current token starts
	fsAbs   int64 // stream offset where the text of an SVG <style> starts (sForeignStyle)
	ltAbs   int64 // stream offset of the '<' of a raw text end tag candidate

	name      [16]byte // tag name prefix, letters in lower case (see foldWord), bytes past nameLen undefined; 8-aligned: tag stores 8 bytes at once
	endTag    bool
	nameLen   int    // may exceed len(name): then no interesting element
	anames    uint64 // lengths of the tag's attribute names; see scanAttrs
	elem      elem
	overflow  bool // it grew past maxTag and was let through
	headAfter bool // a meta that gets Head before or after it

	rawElem   elem  // element whose raw text is being read
	rawEndTag bool  // the current end tag ended raw text
	tagEndAbs int64 // stream offset after a held inline script's start tag

	// Foreign content (svg, math) as a stack of namespace frames; see
	// foreign.go.
	frames    [maxFrames]frame
	nframes   int
	fover     int  // frames pushed past the stack's capacity
	noForeign bool // tests: tokenize like x/net/html's Tokenizer

	// The host of the document's <base href>, for relative URLs.
	baseSeen bool
	baseLen  int
	base     [maxHostLen]byte
	mi       int // how much of an end tag name or "script" matched

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

// isSpace reports whether c is HTML whitespace: one table load, where the
// five comparisons cost the tag parser a measurable share.
func isSpace(c byte) bool { return spaceTab[c] }

var spaceTab = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\f': true}

// isAlpha reports whether c is an ASCII letter: setting the case bit folds
// both ranges into one comparison.
func isAlpha(c byte) bool { return c|0x20-'a' < 26 }

// lowerTab maps ASCII upper-case letters to lower case and every other
// byte to itself.
var lowerTab = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if 'A' <= c && c <= 'Z' {
			t[c] += 'a' - 'A'
		}
	}
	return t
}()

// lower maps an ASCII upper-case letter to lower case, by table: equalFold
// calls it on every byte of the attribute names it compares.
func lower(c byte) byte { return lowerTab[c] }

// run feeds one Write through the state machine. Every state either consumes
// bytes or changes state without consuming ("reconsume" in the spec).
//
// The data state, where most tokens begin and end, is outside the switch:
// states that end in it jump back to it directly, and the switch, whose
// indirect jump the branch predictor misses whenever the state differs from
// the last one, is only taken for the others.
func (r *Rewriter) run(p []byte) {
	r.pos = 0
	i, n := 0, len(p)
	for i < n && r.err == nil {
		if r.st != sData {
			i = r.step(p, i)
			if r.st != sData || i == n || r.err != nil {
				continue
			}
		}
	data:
		// A third of the tags on real pages follow the previous '>' at
		// once, and another tenth after one byte (a newline): both are
		// tested here, before a call whose set-up costs more than the
		// search itself at these distances.
		if p[i] != '<' {
			if i+1 < n && p[i+1] == '<' {
				i++
			} else {
				j := bytes.IndexByte(p[i:], '<')
				if j < 0 {
					i = n
					continue
				}
				i += j
			}
		}
		r.tokAbs = r.off + int64(i)
		r.look = true
		r.tokKind = tokTag
		i++
		// The common cases, without trips through the dispatch (each
		// sets the state; sTagOpen only for the others).
		if i < n && isAlpha(p[i]) {
			i = r.startTag(p, i)
		} else if i+1 < n && p[i] == '/' && isAlpha(p[i+1]) && !r.headPending {
			// Nearly half the tags of a page are end tags that cannot
			// matter: outside foreign content, "</name>" with the name
			// and its '>' in the next eight bytes, a name other than
			// body's. They are passed here, the name read in one load
			// (the | 0x20 folds only the case of "body"'s letters: every
			// one of them has that bit set).
			if k := i + 1; r.nframes+r.fover == 0 && n-k >= 8 {
				x := binary.LittleEndian.Uint64(p[k : k+8 : k+8])
				l := nameEnd(x)
				if p[k+l] == '>' && (l != len("body") || uint32(x)|0x20202020 != bodyWord) {
					r.look = false // r.st is still sData
					i = k + l + 1
					if i < n {
						goto data
					}
					continue
				}
			}
			r.startName(true)
			i = r.tag(p, i+1)
		} else if i+2 < n && p[i] == '!' && p[i+1] == '-' && p[i+2] == '-' {
			r.look = false
			r.clen = 0
			i = r.comment(p, i+3)
		} else {
			r.st = sTagOpen
		}
		// Most tags end in text: straight back to it, without the loop's
		// test.
		if r.st == sData && i < n && r.err == nil {
			goto data
		}
	}
	r.endWrite(p)
}

// step takes one step of a state other than sData, returning the index
// after what it consumed.
func (r *Rewriter) step(p []byte, i int) int {
	n := len(p)
	if r.st == sScript {
		// Four in ten calls: tested before the switch, whose indirect
		// jump missed whenever the state differed from the last call's.
		i = r.script(p, i)
		// Most scripts' first '<' starts their end tag: read it here
		// rather than in three more trips through the dispatch.
		if r.st == sScriptLT {
			if k := r.rawEndAt(p, i); k > 0 {
				r.rawEnd(p, k)
				i = r.readAttrs(p, k, sBeforeAttrName)
			}
		}
		return i
	}
	switch r.st {
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
		i = r.readAttrs(p, i, r.st)

	case sMarkupDecl:
		if p[i] == '-' {
			r.st = sMarkupDeclDash
			i++
		} else {
			r.st = sBogus
		}

	case sMarkupDeclDash:
		if p[i] == '-' {
			r.clen = 0
			i = r.comment(p, i+1)
		} else {
			r.st = sBogus
		}

	case sComment:
		i = r.comment(p, i)

	case sBogus:
		j := bytes.IndexByte(p[i:], '>')
		if j < 0 {
			return n
		}
		i += j + 1
		r.st = sData

	case sPlaintext:
		i = n

	case sForeignStyle:
		i = r.foreignStyle(p, i)

	case sRawText:
		if r.rawElem == elemStyle {
			if r.look && r.tokKind == tokStyleTail {
				return r.styleTail(p)
			}
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				r.styleText(p, i, n)
				return n
			}
			r.styleText(p, i, i+j)
			i += j
		} else {
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				return n
			}
			i += j
		}
		r.ltAbs = r.off + int64(i)
		r.st = sRawLT
		i++
		if k := r.rawEndAt(p, i); k > 0 {
			r.rawEnd(p, k)
			i = r.readAttrs(p, k, sBeforeAttrName)
		}

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
			return n
		}
		if r.mi == len(name) && tagNameStop[p[i]] {
			r.rawEnd(p, i)
			return r.readAttrs(p, i, sBeforeAttrName)
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

	default:
		i = r.script(p, i)
	}
	return i
}

// readAttrs runs the attribute states from st at p[i] and, when the tag ends
// in p, finishes it.
func (r *Rewriter) readAttrs(p []byte, i int, st state) int {
	j, st, seen := scanAttrs(p, i, st)
	r.st = st
	r.anames |= seen
	if j == len(p) {
		return j
	}
	return r.tagEnd(p, j)
}

// rawEndAt returns the index of the byte after "/name" when p[i:] starts
// with the end tag of the raw text element being read, whole in p and
// followed by a byte that ends its name, or 0. It reads the element's name
// in one load, as the raw text end states would letter by letter.
func (r *Rewriter) rawEndAt(p []byte, i int) int {
	want, l := rawEndWords[r.rawElem], rawEndLens[r.rawElem]
	if l == 0 || len(p)-i < 8 {
		return 0
	}
	if lowerWord(binary.LittleEndian.Uint64(p[i:]), l) != want || !tagNameStop[p[i+l]] {
		return 0
	}
	return i + l
}

// rawEndWords holds "/name" of the raw text elements whose end tag fits in
// seven bytes, as lowerWord returns it, and rawEndLens its length (0 for
// the others, which the states read letter by letter).
var rawEndWords, rawEndLens = func() (w [numElems]uint64, l [numElems]int) {
	for e, name := range elemNames {
		if len(name)+1 <= 7 {
			var b [8]byte
			b[0] = '/'
			copy(b[1:], name)
			w[e], l[e] = binary.LittleEndian.Uint64(b[:]), len(name)+1
		}
	}
	return w, l
}()

// comment runs the comment state from p[i] up to the comment's end or the
// end of p, returning the index after what it consumed.
func (r *Rewriter) comment(p []byte, i int) int {
	r.st = sComment
	for {
		j := bytes.IndexByte(p[i:], '>')
		if j < 0 {
			r.commentFeed(p[i:])
			return len(p)
		}
		if r.commentEndsBefore(p[i : i+j]) {
			r.st = sData
			return i + j + 1
		}
		r.commentFeed(p[i : i+j+1])
		i += j + 1
	}
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
