package rewrite

import "bytes"

// hostChar marks the bytes a host name is made of (letters, digits, '-',
// '.'), in either case.
var hostChar = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['.'] = true, true
	return t
}()

// textCategory finds host names in arbitrary text (an inline script, an
// iframe's srcdoc, a data: document) and returns the category of the first
// one that is a tracker the visitor has not granted, or "".
//
// It visits only the dots of the text: a host ends in a label after a dot,
// and only when that label is a top-level label some tracker host ends in is
// the host before it walked back and looked up. Property chains in code
// (a.b.push) are mostly rejected by that label test without a lookup.
func (r *Rewriter) textCategory(b []byte) string {
	i := 0
	for {
		j := bytes.IndexByte(b[i:], '.')
		if j < 0 {
			return ""
		}
		dot := i + j
		k := dot + 1
		for k < len(b) && hostChar[b[k]] && b[k] != '.' {
			k++
		}
		i = k
		if k < len(b) && b[k] == '.' {
			continue // not the last label
		}
		if !r.isTopLabel(b[dot+1 : k]) {
			continue
		}
		s := dot
		for s > 0 && hostChar[b[s-1]] {
			s--
		}
		if c, ok := r.lookupHost(b[s:k]); ok && !r.allowed(c) {
			return c
		}
	}
}

// snippet is the shape of a well-known tracker loader or call that names no
// host: the Matomo queue, the gtag and Facebook pixel calls, and the queues
// other vendors' snippets fill before their library loads.
type snippet struct {
	name     string // the identifier, as code writes it
	category string
}

// qSnippets are the vendor globals whose names end in 'q', found from each
// 'q' of the text, which is rare in code.
var qSnippets = [...]snippet{
	{"_paq", "analytics"}, {"_gaq", "analytics"}, {"fbq", "marketing"}, {"twq", "marketing"},
	{"uetq", "marketing"}, {"ttq", "marketing"},
}

// callSnippets are globals found from the '(' of a call.
var callSnippets = [...]snippet{
	{"gtag", "analytics"}, {"ga", "analytics"}, {"pintrk", "marketing"}, {"clarity", "analytics"},
	{"hj", "analytics"}, {"_qevents.push", "marketing"}, {"_comscore.push", "marketing"},
	{"analytics.load", "analytics"}, {"analytics.page", "analytics"}, {"_hmt.push", "analytics"},
}

// maxSnippetScan bounds the scripts searched for snippet shapes: loader
// snippets are small, and a large inline script that merely calls gtag is
// the site's own code, which must keep running (the runtime guard holds what
// it inserts).
const maxSnippetScan = 8 << 10

// snippetCategory returns the category of the first well-known tracker call
// in a small inline script that the visitor has not granted, or "".
func (r *Rewriter) snippetCategory(b []byte) string {
	if len(b) > maxSnippetScan {
		return ""
	}
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], 'q')
		if j < 0 {
			break
		}
		q := i + j
		i = q + 1
		if i < len(b) && identChar(b[i]) {
			continue
		}
		for _, s := range qSnippets {
			if endsIdent(b[:q+1], s.name) && !r.allowed(s.category) {
				return s.category
			}
		}
	}
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '(')
		if j < 0 {
			return ""
		}
		p := i + j
		i = p + 1
		e := p
		for e > 0 && isSpace(b[e-1]) {
			e--
		}
		if e == 0 || !identChar(b[e-1]) {
			continue
		}
		for _, s := range callSnippets {
			if endsIdent(b[:e], s.name) && !r.allowed(s.category) {
				if s.name == "ga" && !gaCall(b[p+1:]) {
					continue
				}
				return s.category
			}
		}
	}
}

// gaCall reports whether the arguments after "ga(" look like the
// analytics.js command queue ('create', 'send', 'set', 'require'), so that a
// function named ga in a site's own code is not taken for it.
func gaCall(args []byte) bool {
	for len(args) > 0 && isSpace(args[0]) {
		args = args[1:]
	}
	if len(args) < 2 || args[0] != '\'' && args[0] != '"' {
		return false
	}
	for _, cmd := range [...]string{"create", "send", "set", "require"} {
		if bytes.HasPrefix(args[1:], []byte(cmd)) {
			return true
		}
	}
	return false
}

func identChar(c byte) bool { return isAlnum(c) || c == '_' || c == '$' }

// endsIdent reports whether b ends with name as a whole identifier (or
// member path), not as the tail of a longer one.
func endsIdent(b []byte, name string) bool {
	k := len(b) - len(name)
	if k < 0 || string(b[k:]) != name {
		return false
	}
	if k == 0 || !identChar(b[k-1]) && b[k-1] != '.' {
		return true
	}
	return b[k-1] == '.' && k-1 >= len("window") && string(b[k-1-len("window"):k-1]) == "window" &&
		(k-1 == len("window") || !identChar(b[k-2-len("window")]))
}

// isTopLabel reports whether some tracker host ends in label.
// TODO(trackers): replace with the table's own set of top labels.
func (r *Rewriter) isTopLabel(label []byte) bool {
	if len(label) < 2 || len(label) > 6 {
		return false
	}
	for _, c := range label {
		if !isAlpha(c) {
			return false
		}
	}
	return true
}

// lookupHost looks a bare host up in the tracker table.
func (r *Rewriter) lookupHost(h []byte) (string, bool) {
	var buf [2 + 256]byte
	if len(h) > 256 {
		return "", false
	}
	buf[0], buf[1] = '/', '/'
	n := copy(buf[2:], h)
	return r.tab.LookupURLBytes(buf[:2+n])
}
