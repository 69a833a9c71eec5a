package rewrite

import "bytes"

// script takes one step of the script data states, which follow the WHATWG
// tokenizer: "<!--" escapes, "<script" inside an escape double-escapes, and
// only "</script" ending the right state ends the element. It returns the
// index after what it consumed, which may be i when it only changed state.
func (r *Rewriter) script(p []byte, i int) int {
	n := len(p)
	if r.st == sScript {
		// Six in ten calls, most from step's test for this state: tested
		// before the switch, whose indirect jump missed whenever the
		// state differed from the last call's.
		j := bytes.IndexByte(p[i:], '<')
		if j < 0 {
			return n
		}
		r.ltAbs = r.off + int64(i+j)
		r.st = sScriptLT
		return i + j + 1
	}
	switch r.st {
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
			return n
		}
		if p[i] == '-' {
			r.st = sScriptEscDash
		} else {
			r.ltAbs = r.off + int64(i)
			r.st = sScriptEscLT
		}
		i++

	case sScriptEscDash, sScriptEscDashDash:
		switch p[i] {
		case '-':
			r.st = sScriptEscDashDash
		case '<':
			r.ltAbs = r.off + int64(i)
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
			return n
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
			return n
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
	return i
}
