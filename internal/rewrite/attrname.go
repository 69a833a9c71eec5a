package rewrite

import "encoding/binary"

// attrName numbers the attribute names the rewriter reads from the tags it
// judges. Each attribute's name is looked up once per tag (attrIndex)
// instead of being compared with every name asked for: on the corpus that
// was a dozen comparisons a judged tag, most of them failing on the length
// in a branch no predictor learns.
type attrName uint8

const (
	anNone attrName = iota
	anSrc
	anSrcset
	anHref
	anXlinkHref
	anSrcdoc
	anPoster
	anData
	anBackground
	anContent
	anHTTPEquiv
	anImagesrcset
	anType
	anRel
	anStyle
	anDataConsent
	anPing
	attrNameCount // the names above
)

// numAttrNames sizes attrIndex: a power of two, for index's mask, above
// the names.
const numAttrNames = 32

var _ [numAttrNames - attrNameCount]struct{} // every name has an index

// attrNameSet finds the names of attrName, any letter case.
var attrNameSet = newWordSet([]string{
	anSrc: "src", anSrcset: "srcset", anHref: "href", anXlinkHref: "xlink:href",
	anSrcdoc: "srcdoc", anPoster: "poster", anData: "data", anBackground: "background",
	anContent: "content", anHTTPEquiv: "http-equiv", anImagesrcset: "imagesrcset",
	anType: "type", anRel: "rel", anStyle: "style", anDataConsent: "data-consent",
	anPing: "ping",
})

// attrIndex holds, for each attrName, 1 + the index in the tag's attributes
// of the first attribute whose name shares the name's wordSet slot, or 0
// when there is none. Sharing the slot is not being the name: value checks.
type attrIndex [numAttrNames]int

// index records the attributes of tag by their names' wordSet slots,
// without comparing any name: the last one stored for a slot, going
// backwards, is the first of the tag. The loop has no branch but its own.
func (x *attrIndex) index(tag []byte, attrs []attr) {
	slot := &attrNameSet.slot // loaded once, not once an attribute
	for k := len(attrs) - 1; k >= 0; k-- {
		a := attrs[k]
		// The mask changes nothing (ids are below numAttrNames, a power of
		// two) but spares a bounds check.
		x[slot[wordKey(tag[a.ns], tag[a.ne-1], a.ne-a.ns)]&uint8(numAttrNames-1)] = k + 1
	}
}

// numAttrNames must stay a power of two for attrIndex.index's mask.
var _ = [1]struct{}{}[numAttrNames&(numAttrNames-1)]

// value is value(tag, attrs, name) for an indexed name: browsers ignore
// later duplicates.
func (x *attrIndex) value(tag []byte, attrs []attr, id attrName) ([]byte, bool) {
	k := x[id]
	if k == 0 {
		return nil, false
	}
	a := attrs[k-1]
	// The name checked in one word of eight bytes where it fits, without
	// equalFold's loop (whose exit mispredicts, after as many bytes as
	// the name has).
	p := &attrNameSet.pats[id]
	if a.ne-a.ns != int(p.n) || p.n > 8 || a.ns+8 > len(tag) || binary.LittleEndian.Uint64(tag[a.ns:])|p.fold != p.want {
		if !equalFold(tag[a.ns:a.ne], attrNameSet.words[id]) {
			// Another name in the slot came first: rare, so read them
			// all.
			return value(tag, attrs, attrNameSet.words[id])
		}
	}
	if a.vs < 0 {
		return nil, true
	}
	return tag[a.vs:a.ve], true
}

// wordSet finds a word among a few lower-case ASCII words, any letter case,
// with one table load and one comparison: the words' lengths and first and
// last bytes index the table, which newWordSet makes sure no two words share.
type wordSet struct {
	slot  [512]uint8
	words []string
	pats  []wordPat
}

// wordPat matches a word of up to eight bytes in a word of eight: a byte
// b of the text matches when b|fold == want, fold being 0x20 for a letter
// (either case), 0 for another byte, and 0xff past the word's end.
type wordPat struct {
	fold, want uint64
	n          uint8 // the word's length
	// The same for the word's first and last eight bytes (four for a
	// word of four to seven bytes; unused for a shorter one), which find
	// compares a text of the word's length with.
	headFold, headWant, tailFold, tailWant uint64
}

// wordKey is the slot of a word of n bytes that begins with first and ends
// with last. The factors keep the words of both sets apart ("ping" and
// "type" met under 1 and 2) and, of the pairs that do, put the fewest of
// the corpus's attribute names (class, href, id, ...) in a word's slot,
// where value must compare them: about 1,070 of 215,000, where 1 and 2
// put 3,600.
func wordKey(first, last byte, n int) int {
	return (n&15)<<5 | (int(first|0x20)<<1+int(last|0x20)*7)&31
}

// newWordSet builds the set of words, which are numbered by their index;
// words[0] is not a word (find returns 0 for no match) and must be "".
func newWordSet(words []string) *wordSet {
	s := &wordSet{words: words, pats: make([]wordPat, len(words))}
	for id, w := range words {
		if id == 0 {
			continue
		}
		p := &s.pats[id]
		p.n = uint8(min(len(w), 255))
		for k := range 8 {
			f, c := uint64(0xff), uint64(0xff)
			if k < len(w) {
				f, c = 0, uint64(w[k])
				if isAlpha(w[k]) {
					f = 0x20
				}
			}
			p.fold |= f << (8 * k)
			p.want |= c << (8 * k)
		}
		if m := min(len(w)&^3, 8); m >= 4 {
			p.headFold, p.headWant = foldPattern(w[:m])
			p.tailFold, p.tailWant = foldPattern(w[len(w)-m:])
		}
		k := wordKey(w[0], w[len(w)-1], len(w))
		if s.slot[k] != 0 || id > 255 || lowerString(w) != w {
			panic("rewrite: wordSet: " + w + " shares its slot with " + words[s.slot[k]] + " or is not lower case")
		}
		s.slot[k] = uint8(id)
	}
	return s
}

// find returns the number of the word b is, in any letter case, or 0.
func (s *wordSet) find(b []byte) int {
	n := len(b)
	if n == 0 {
		return 0
	}
	id := s.slot[wordKey(b[0], b[n-1], n)]
	if id == 0 {
		return 0
	}
	// A word of four to sixteen bytes is compared in two loads, its first
	// and its last four or eight bytes, which may overlap: equalFold's loop
	// cost about five instructions a byte.
	p := &s.pats[id]
	switch {
	case int(p.n) != n:
		return 0
	case n >= 8 && n <= 16:
		if binary.LittleEndian.Uint64(b)|p.headFold != p.headWant ||
			binary.LittleEndian.Uint64(b[n-8:])|p.tailFold != p.tailWant {
			return 0
		}
	case n >= 4 && n < 8:
		if uint64(binary.LittleEndian.Uint32(b))|p.headFold != p.headWant ||
			uint64(binary.LittleEndian.Uint32(b[n-4:]))|p.tailFold != p.tailWant {
			return 0
		}
	case !equalFold(b, s.words[id]):
		return 0
	}
	return int(id)
}

// foldPattern is the fold and want words (wordPat) of the four or eight
// bytes of w.
func foldPattern(w string) (fold, want uint64) {
	for k := range len(w) {
		if isAlpha(w[k]) {
			fold |= 0x20 << (8 * k)
		}
		want |= uint64(w[k]) << (8 * k)
	}
	return fold, want
}

func lowerString(s string) string {
	b := []byte(s)
	for k, c := range b {
		b[k] = lower(c)
	}
	return string(b)
}
