package rewrite

import "bytes"

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
