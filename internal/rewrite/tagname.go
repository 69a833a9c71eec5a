package rewrite

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Tag names in one load. A byte loop over a tag name leaves it at a branch
// whose outcome depends on the name's length, which changes from one tag to
// the next (a, div, li, span, img, …): the branch predictor misses it about
// once a tag, and the switch that classified the name missed again on its
// length and letters. Names of up to seven bytes, nine in ten on real pages,
// are read here from one eight-byte word without a data-dependent branch,
// and classified by one table load and one compare.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// nameEnd returns the index of the first byte of x, a word of a tag name
// read in little-endian order, that may end the name: white space, '/',
// '>', another byte below '!', '.' or '?' (which the caller looks up in
// tagNameStop and, when it does not end the name, leaves to the byte loop).
// It returns 7 when no byte before the last may end the name, for the same
// look-up to tell. It is branch-free, and small enough to be inlined.
func nameEnd(x uint64) int {
	// Each term sets the high bit of the bytes it matches, exactly up
	// to its lowest match (a borrow only runs upward from a byte that
	// matched), so the lowest bit of their union is exact too. Setting
	// the 0x11 bits turns '/' and '>' into '?', and only '.' and '?'
	// besides them: one test for equality instead of two, about four
	// instructions on each of the ~240,000 tag names of a corpus pass.
	q := (x | 0x11*ones) ^ '?'*ones
	m := (x-'!'*ones)&^x | (q-ones)&^q
	return bits.TrailingZeros64(m&highs|1<<63) >> 3
}

// lowerWord returns the first l < 8 bytes of x in lower case, the bytes
// after them zero.
func lowerWord(x uint64, l int) uint64 {
	// The high bit of each byte in 'A'..'Z', moved to its 0x20 bit.
	h := x &^ highs
	up := (h + (0x80-'A')*ones) &^ (h + (0x80-'Z'-1)*ones) &^ x & highs
	return (x | up>>2) & (1<<(8*l&63) - 1)
}

// foldWord returns the first l < 8 bytes of x, a tag name's word that
// nameEnd has read, with their 0x20 bit set, the bytes after them zero. On
// a name that holds no byte below '!', which nameEnd has made sure of, this
// folds exactly what a comparison with a name of letters, digits and '-'
// can see: a byte folds onto a letter only from that letter in either
// case, onto a digit or '-' only from itself or from a control byte. Every
// name the rewriter compares r.name with is of that kind; other bytes, such
// as '_' or non-ASCII, fold to bytes no such name holds. It costs a third of
// lowerWord.
func foldWord(x uint64, l int) uint64 {
	return (x | 0x20*ones) & (1<<(8*l&63) - 1)
}

// bodyWord is "body" as a word of nameEnd's, to test a lower-case name
// against.
const bodyWord = 'b' | 'o'<<8 | 'd'<<16 | 'y'<<24

// tagClasses lists every tag name classify knows; nothing else is an
// element the rewriter tells apart.
var tagClasses = func() []struct {
	name string
	elem elem
} {
	var t []struct {
		name string
		elem elem
	}
	for e, name := range elemNames {
		if name != "" {
			t = append(t, struct {
				name string
				elem elem
			}{name, elem(e)})
		}
	}
	// The HTML start tags that end foreign content (besides those named
	// above and font, which depends on its attributes).
	for _, name := range []string{"b", "i", "p", "s", "u",
		"br", "dd", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "tt", "ul",
		"big", "blockquote", "center", "code", "div", "listing", "menu", "nobr", "pre", "ruby",
		"small", "span", "strong", "strike", "sub", "sup", "var"} {
		t = append(t, struct {
			name string
			elem elem
		}{name, elemBreakout})
	}
	return t
}()

// classMul is a multiplier under which the short names of tagClasses fall
// into distinct slots of classTab (found by trying random odd numbers;
// init panics if a name added to the list breaks it, so any test run
// shows it).
const (
	classMul  = 0x3c5a017f746a1db9
	classBits = 8
)

var (
	// classTab holds, for each short name of tagClasses, its bytes in the
	// low seven bytes of its slot and its elem in the top byte. A name's
	// length needs no room: a name that reaches the table holds no NUL.
	classTab  [1 << classBits]uint64
	longNames []string // the names of tagClasses longer than seven bytes
	longElems []elem
)

func init() {
	for _, c := range tagClasses {
		if len(c.name) > 7 {
			longNames = append(longNames, c.name)
			longElems = append(longElems, c.elem)
			continue
		}
		var b [8]byte
		copy(b[:], c.name)
		w := binary.LittleEndian.Uint64(b[:])
		s := w * classMul >> (64 - classBits)
		if classTab[s] != 0 {
			panic("rewrite: tag names " + c.name + " and another share a slot of the class table: choose another classMul")
		}
		classTab[s] = w | uint64(c.elem)<<56
	}
}

// classifyWord classifies a name of at most seven bytes, none of them NUL,
// in lower case or as foldWord returns it. It has no branch: which names
// are known is the data a branch would miss on.
func classifyWord(w uint64) elem {
	v := classTab[w*classMul>>(64-classBits)]
	d := (v ^ w) << 8    // zero when the slot holds this name
	ok := (d|-d)>>63 - 1 // all ones when d is zero
	return elem(v >> 56 & ok)
}

// classify classifies the tag name in r.name when the one-load path did not
// read it: a name longer than seven bytes, or split across Writes.
func (r *Rewriter) classify() elem {
	if r.nameLen > len(r.name) {
		return elemOther
	}
	n := r.name[:r.nameLen]
	if bytes.IndexByte(n, 0) >= 0 {
		return elemOther // no known name holds a NUL; the table needs none
	}
	if len(n) <= 7 {
		var b [8]byte
		copy(b[:], n)
		return classifyWord(binary.LittleEndian.Uint64(b[:]))
	}
	for k, name := range longNames {
		if string(n) == name {
			return longElems[k]
		}
	}
	return elemOther
}
