package rewrite

import (
	"bytes"

	"github.com/consentkit/consentkit/internal/trackers"
)

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

// labelChar marks the bytes of one label of a host name.
var labelChar = func() (t [256]bool) {
	t = hostChar
	t['.'] = false
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
	f := r.filter
	i := 0
	// Where the processor can, the dots are found and their next three
	// bytes tested a block at a time; the rest of b, at most the last 66
	// bytes, is read a dot at a time below.
	for {
		n, next := f.DotCandidates(b, i, &r.dots)
		for _, dot := range r.dots[:n] {
			if c := r.hostAtDot(b, int(dot)); c != "" {
				return c
			}
		}
		if next == i {
			break
		}
		i = next
	}
	for {
		j := bytes.IndexByte(b[i:], '.')
		if j < 0 {
			return ""
		}
		dot := i + j
		k := dot + 1
		i = k
		// The three bytes after the dot decide most dots of code
		// (a.b.push) before the word is read; at the end of b, a zero
		// byte, which no label holds, stands for the end of a label of
		// two. The slice a spares the three bytes' bounds checks.
		if k+3 <= len(b) {
			if a := b[k : k+3]; !f.MayBeginEnd(a[0], a[1], a[2]) {
				continue
			}
		} else if k+2 != len(b) || !f.MayBeginEnd(b[k], b[k+1], 0) {
			continue
		}
		if c := r.hostAtDot(b, dot); c != "" {
			return c
		}
	}
}

// hostAtDot reads the word after the dot at b[dot], whose first bytes
// passed MayBeginEnd, and, when it may be the last label of a table host,
// the host it ends; it returns the category of that host when it is a
// tracker the visitor has not granted, or "".
func (r *Rewriter) hostAtDot(b []byte, dot int) string {
	f := r.filter
	k := dot + 1
	end := min(len(b), k+f.MaxTop+1)
	for k < end && labelChar[b[k]] {
		k++
	}
	if k == end && k < len(b) || k < len(b) && b[k] == '.' || !f.MayEnd(b[dot+1:k]) {
		return "" // too long, not the last label, or no host ends so
	}
	// The label before the dot: with the last one, the pair every
	// table host ends in.
	ps := dot
	for ps > 0 && labelChar[b[ps-1]] {
		ps--
	}
	ps = skipEscapedSlash(b, ps)
	if ps >= dot || !f.MayMatch(b[ps:k]) {
		return ""
	}
	s := ps
	for s > 0 && hostChar[b[s-1]] {
		s--
	}
	s = skipEscapedSlash(b, s)
	if c, ok := r.lookupHost(b[s:k]); ok && !r.allowed(c) {
		r.hit(ReasonHost, b[s:k])
		return c
	}
	return ""
}

// maxSnippetScan bounds the scripts searched for snippet shapes: loader
// snippets are small, and a large inline script that merely calls gtag is
// the site's own code, which must keep running (the runtime guard holds what
// it inserts).
const maxSnippetScan = 8 << 10

// snippetCategory returns the category of the first well-known tracker call
// in a small inline script that the visitor has not granted, or "". These
// are the snippet shapes that name no host: the Matomo and Google queues,
// the gtag, analytics.js and Facebook pixel calls, and the queues other
// vendors' snippets fill before their library loads.
func (r *Rewriter) snippetCategory(b []byte) string {
	if len(b) > maxSnippetScan {
		return ""
	}
	// Where the processor can, the '(' are found and the pairs before
	// them tested a block at a time (parenCandidates); the rest of b, at
	// most its last 63 bytes, is read a '(' at a time below. r.dots is
	// free: textCategory is done with it.
	i := 0
	for {
		n, next := parenCandidates(b, i, &r.dots)
		for _, p := range r.dots[:n] {
			if c := r.snippetAt(b, int(p)); c != "" {
				return c
			}
		}
		if next == i {
			break
		}
		i = next
	}
	for {
		j := bytes.IndexByte(b[i:], '(')
		if j < 0 {
			return ""
		}
		p := i + j
		i = p + 1
		// No name looked for ends in a pair of which a byte is a space
		// (identCode 0), so the pair right before the '(' is tested
		// first: nine calls in ten, which end in no such pair, are passed
		// over without the walk over spaces, which one call in fifty has.
		if p < 2 {
			continue
		}
		if a := b[p-2 : p]; !snippetEnd(a[0], a[1]) && !isSpace(a[1]) {
			continue // not worth the walk back
		}
		if c := r.snippetAt(b, p); c != "" {
			return c
		}
	}
}

// snippetAt reads the call whose '(' is at b[p], p >= 2, and returns the
// category of the tracker snippet it makes when the visitor has not
// granted it, or "".
func (r *Rewriter) snippetAt(b []byte, p int) string {
	e := p
	if a := b[e-2 : e]; !snippetEnd(a[0], a[1]) {
		for e > 0 && isSpace(b[e-1]) {
			e--
		}
		if e < 2 {
			return ""
		}
		if a := b[e-2 : e]; !snippetEnd(a[0], a[1]) {
			return ""
		}
	}
	s := e
	for s > 0 && e-s < 24 && identChar(b[s-1]) {
		s--
	}
	if s == e || s > 0 && identChar(b[s-1]) {
		return ""
	}
	id := b[s:e]
	if s > 1 && b[s-1] == '.' && isQueueMethod(id) {
		// obj.push(…), obj.load(…): the object is the vendor's queue.
		oe := s - 1
		os := oe
		for os > 0 && oe-os < 32 && identChar(b[os-1]) {
			os--
		}
		if os < oe && (os == 0 || !identChar(b[os-1]) && (b[os-1] != '.' || afterWindow(b[:os-1]))) {
			if cat := snippetIdent(b[os:oe], '.', b[s:]); cat != "" && !r.allowed(cat) {
				r.hit(ReasonInlineSnippet, b[os:oe])
				return cat
			}
		}
		return ""
	}
	if s > 0 && b[s-1] == '.' && !afterWindow(b[:s-1]) {
		return ""
	}
	if cat := snippetIdent(id, '(', b[p+1:]); cat != "" && !r.allowed(cat) {
		r.hit(ReasonInlineSnippet, id)
		return cat
	}
	return ""
}

// parenChunk is the most bytes one call of parenCandidates looks at, and
// so the most '(' it can return: it fills textCategory's buffer.
const parenChunk = trackers.DotChunk

// parenCode numbers the bytes before a call's '(' in seven bits for
// parenCandidates: identifier bytes as identCode (1-63), the spaces 64,
// any other byte 0.
var parenCode = func() (t [256]uint8) {
	t = identCode
	for c := range t {
		if isSpace(byte(c)) {
			t[c] = 64
		}
	}
	return t
}()

// parenKey numbers the pair of bytes before a '(' in fourteen bits.
func parenKey(c0, c1 byte) uint { return uint(parenCode[c0])<<7 | uint(parenCode[c1]) }

// parenKeys has a bit for each pair before a '(' that snippetCategory
// looks at: those that end a name of snippetNames (snippetEnd), and those
// that end in a space, since the name may come before the spaces.
var parenKeys = func() (t [1 << 14 / 64]uint64) {
	for _, n := range snippetNames {
		k := parenKey(n[len(n)-2], n[len(n)-1])
		t[k/64] |= 1 << (k % 64)
	}
	for c0 := range 128 {
		k := uint(c0)<<7 | 64
		t[k/64] |= 1 << (k % 64)
	}
	return t
}()

// snippetNames are the names snippetIdent and isQueueMethod know: a call
// whose name ends in two bytes none of them ends in is passed over without
// reading the name.
var snippetNames = [...]string{
	"_paq", "_gaq", "_hmt", "_linkedin_data_partner_ids", "gtag", "ga", "clarity", "hj",
	"fbq", "twq", "pintrk", "uetq", "ttq", "_qevents", "_comscore", "_linkedin_partner_id", "analytics",
	"push", "load", "page", "track",
}

// snippetEnds has a bit for the last two bytes of each of snippetNames:
// on the corpus one call in ten ends in one of those pairs, where one in
// two ended in one of their last bytes.
var snippetEnds = func() (t [1 << 12 / 64]uint64) {
	for _, n := range snippetNames {
		k := identPair(n[len(n)-2], n[len(n)-1])
		t[k/64] |= 1 << (k % 64)
	}
	return t
}()

// snippetEnd reports whether some name of snippetNames ends in c0 c1.
func snippetEnd(c0, c1 byte) bool {
	k := identPair(c0, c1)
	return snippetEnds[k/64]&(1<<(k%64)) != 0
}

// identPair numbers a pair of identifier bytes in twelve bits, six a byte
// (letters of each case, digits, and '_' and '$' together; 0 for any byte
// that is not an identifier's). The mask, which changes nothing, tells the
// compiler that snippetEnds needs no bounds check.
func identPair(c0, c1 byte) uint { return (uint(identCode[c0])<<6 | uint(identCode[c1])) & (1<<12 - 1) }

var identCode = func() (t [256]uint8) {
	for c := range 26 {
		t['a'+c], t['A'+c] = uint8(1+c), uint8(27+c)
	}
	for c := range 10 {
		t['0'+c] = uint8(53 + c)
	}
	t['_'], t['$'] = 63, 63
	return t
}()

// snippetIdent returns the category of a vendor global called (next == '(')
// or used as an object (next == '.'), or "". Every name it knows must be in
// snippetNames.
func snippetIdent(id []byte, next byte, after []byte) string {
	switch string(id) {
	case "_paq", "_gaq", "_hmt":
		return "analytics"
	case "_linkedin_data_partner_ids":
		return "marketing"
	case "gtag":
		if next == '(' {
			return "analytics"
		}
	case "ga":
		if next == '(' && gaCall(after) {
			return "analytics"
		}
	case "clarity", "hj":
		if next == '(' {
			return "analytics"
		}
	case "fbq", "twq", "pintrk", "uetq", "ttq", "_qevents", "_comscore", "_linkedin_partner_id":
		return "marketing"
	case "analytics":
		if next == '.' && (bytes.HasPrefix(after, []byte("load(")) || bytes.HasPrefix(after, []byte("page("))) {
			return "analytics"
		}
	}
	return ""
}

// isQueueMethod reports whether id is a method vendors' command queues are
// called through. Every name must be in snippetNames.
func isQueueMethod(id []byte) bool {
	switch string(id) {
	case "push", "load", "page", "track":
		return true
	}
	return false
}

// afterWindow reports whether b ends with the identifier window, so that
// window.fbq(…) counts like fbq(…).
func afterWindow(b []byte) bool {
	const w = "window"
	k := len(b) - len(w)
	return k >= 0 && string(b[k:]) == w && (k == 0 || !identChar(b[k-1]))
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

func identChar(c byte) bool { return identTab[c] }

// identTab marks the ASCII bytes of JavaScript identifiers; snippetCategory
// walks back over one before every '(' of a script.
var identTab = func() (t [256]bool) {
	for c := range t {
		t[c] = isAlnum(byte(c)) || c == '_' || c == '$'
	}
	return t
}()

// lookupHost looks a bare host up in the tracker table.
func (r *Rewriter) lookupHost(h []byte) (string, bool) { return r.hosts.LookupHostBytes(r.tab, h) }

// skipEscapedSlash steps over the rest of an escaped '/' that a host run
// starts with: the "u002F" of a JSON or JavaScript "\u002F", the "x2F" of
// "\x2F", the "2F" of a percent-encoded "%2F". Without it the host of
// "https:\u002F\u002Fdoubleclick.net" would be read as "u002Fdoubleclick.net".
func skipEscapedSlash(b []byte, s int) int {
	if s == 0 {
		return s
	}
	var esc string
	switch b[s-1] {
	case '\\':
		if s < len(b) && (b[s] == 'u' || b[s] == 'U') {
			esc = "u002f"
		} else {
			esc = "x2f"
		}
	case '%':
		esc = "2f"
	default:
		return s
	}
	if s+len(esc) <= len(b) && equalFold(b[s:s+len(esc)], esc) {
		return s + len(esc)
	}
	return s
}
