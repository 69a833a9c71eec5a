package rewrite

import "github.com/consentkit/consentkit/internal/trackers"

// Test hooks: compiled into the test binary only.

// SetTagHook makes r report every script and iframe start tag it sees.
func (r *Rewriter) SetTagHook(f func(name string, raw []byte)) { r.onTag = f }

// EmulateXNetHTML reproduces x/net/html's one deviation from the WHATWG
// tokenizer (see doc.go) so that a differential test can compare the rest.
func (r *Rewriter) EmulateXNetHTML() { r.xnetQuirk = true; r.noForeign = true }

// MaxSnippetScan is the longest inline script searched for snippet shapes.
const MaxSnippetScan = maxSnippetScan

// SetMaxTagLen lowers the look-ahead bound so tests can cross it cheaply.
func (r *Rewriter) SetMaxTagLen(n int) { r.maxTag = n }

// Scanner exposes the rewriter's text and CSS scanners to the benchmark's
// baseline, so that the baseline differs from the rewriter only in its
// tokenizer. Nothing is granted.
type Scanner struct{ r Rewriter }

// NewScanner returns a Scanner over tab.
func NewScanner(tab *trackers.Table) *Scanner {
	s := &Scanner{}
	s.r.tab = tab
	s.r.filter = tab.Filter()
	return s
}

// Script returns the category that blocks an inline script's text, or "".
func (s *Scanner) Script(text []byte) string {
	if c := s.r.textCategory(text); c != "" {
		return c
	}
	return s.r.snippetCategory(text)
}

// CSS returns css with the marker before every tracker URL, and the
// categories found.
func (s *Scanner) CSS(css []byte) ([]byte, string) {
	out, cats := s.r.sanitizeCSS(s.r.css[:0], css)
	s.r.css = out
	return out, cats
}

// SetCheckRecorded makes r check, for every start tag it reads with
// parseTag, that scanAttrs would have read it the same way.
func (r *Rewriter) SetCheckRecorded() { r.checkRec = true }

// FetchingRel reports whether a link's rel (its references resolved) makes
// the browser load its href: the benchmark's baseline judges links by it.
func FetchingRel(rel string) bool { return fetchingLink([]byte(rel)) }

// HaveTagVec reports whether the processor has what the vector reading of
// tags needs.
func HaveTagVec() bool { return haveTagVec }

// ScanTagBoth reads the attributes of the tag whose name ends at p[i]
// both ways: with the vector reading (ok false when it declines the tag)
// and with the attribute states.
func ScanTagBoth(p []byte, i int) (vecEnd, vecSt int, vecSeen uint64, ok bool, end, st int, seen uint64) {
	ve, vs, vm := scanTagVec(p, i, &askedFirst[0])
	ok = ve >= 0
	e, s, m := scanAttrs(p, i, sBeforeAttrName)
	return ve, int(vs), vm, ok, e, int(s), m
}
