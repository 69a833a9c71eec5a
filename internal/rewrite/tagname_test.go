package rewrite

import (
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
)

// nameWordRef is the definition of nameEnd, lowerWord and foldWord: the
// byte loop they replace, with the name in lower case and folded.
func nameWordRef(p []byte, i int) (lw, fw uint64, l int, ok bool) {
	var b, f [8]byte
	for l := 0; l < 8; l++ {
		c := p[i+l]
		if tagNameStop[c] {
			return binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(f[:]), l, true
		}
		b[l], f[l] = lower(c), c|0x20
	}
	return 0, 0, 0, false
}

// checkNameWord holds nameEnd, lowerWord and foldWord, as tag uses them, to
// the byte loop on p[0:]: where they answer, they answer the same; they may
// decline only names longer than seven bytes or names with a control byte,
// '.' or '?', which the byte loop reads instead.
func checkNameWord(t *testing.T, p []byte) {
	t.Helper()
	lw, fw, l := uint64(0), uint64(0), 0
	x := binary.LittleEndian.Uint64(p)
	if e := nameEnd(x); tagNameStop[p[e]] {
		lw, fw, l = lowerWord(x, e), foldWord(x, e), e
	}
	rlw, rfw, rl, ok := nameWordRef(p, 0)
	if l > 0 {
		if !ok || lw != rlw || fw != rfw || l != rl {
			t.Fatalf("name word %q: %#x, %#x, %d; the byte loop reads %#x, %#x, %d", p, lw, fw, l, rlw, rfw, rl)
		}
		for _, c := range p[:l] {
			if c < '!' {
				t.Fatalf("name word %q: read a name holding %#x, which foldWord does not fold exactly", p, c)
			}
		}
		return
	}
	if !ok {
		return
	}
	for _, c := range p[:rl] {
		if c < '!' || c == '.' || c == '?' {
			return
		}
	}
	t.Fatalf("name word %q: declined a name the byte loop reads as %q", p, p[:rl])
}

// TestNameWord checks the one-load tag name reader (nameEnd, lowerWord) against the byte loop:
// every byte at every place of a name, pairs of the bytes where the bit
// tricks could carry or borrow wrongly, and random words.
func TestNameWord(t *testing.T) {
	base := []byte("aBcDeFgHi>")
	for j := 1; j < 9; j++ {
		for c := range 256 {
			p := append([]byte(nil), base...)
			p[j] = byte(c)
			checkNameWord(t, p)
		}
	}
	edge := []byte{0, 1, '\t', '\n', '\f', '\r', 0x1f, ' ', '!', '"', '.', '/', '0', '=', '>', '?', '@', 'A', 'Z', '[', '`',
		'a', 'z', '{', 0x7f, 0x80, 0x9f, 0xa0, 0xa1, 0xc1, 0xda, 0xdb, 0xfe, 0xff}
	for j := 1; j < 8; j++ {
		for _, c1 := range edge {
			for _, c2 := range edge {
				p := append([]byte(nil), base...)
				p[j], p[j+1] = c1, c2
				checkNameWord(t, p)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("aZ-_:1 \t\n/>=\x00\x01\xc3\xa9")
	for range 200_000 {
		p := make([]byte, 9)
		p[0] = 'x'
		for k := 1; k < len(p); k++ {
			p[k] = alphabet[rng.IntN(len(alphabet))]
		}
		checkNameWord(t, p)
	}
}

// TestClassify checks the class table against the list it is built from,
// through both ways a name reaches it (one load, or the byte loop when a
// Write splits the name): every listed name in any case, and names one
// byte away from them, which must stay elemOther.
func TestClassify(t *testing.T) {
	want := map[string]elem{}
	for _, c := range tagClasses {
		want[c.name] = c.elem
	}
	names := []string{"", "a", "nav", "article", "header", "section", "figure", "button", "picture", "time",
		"h7", "td\x00", "t", "scrip", "scripts", "noscrip", "noscripts", "amp-img", "font-face",
		// Bytes that fold (| 0x20) onto a listed name's: control bytes
		// onto digits, '@' onto '`', non-ASCII bytes.
		"h\x11", "H\x16", "t\x04d", "b@", "h\xd1", "s\x10b", "l\x09i", "td_", "h1\x00"}
	for _, c := range tagClasses {
		n := c.name
		names = append(names, n, strings.ToUpper(n), n[:len(n)-1], n+"x", n+"\x00", "x"+n[1:], n[:len(n)-1]+"\x00")
	}
	for a := 'a'; a <= 'z'; a++ {
		for _, b := range "abcdefghijklmnopqrstuvwxyz0123456789" {
			names = append(names, string(a), string(a)+string(b))
		}
	}
	for _, name := range names {
		if name == "" || !isAlpha(name[0]) {
			continue
		}
		w := want[strings.ToLower(name)]
		// Whole in one Write.
		p := []byte(name + " x=1>........")
		var r Rewriter
		r.startName(false)
		i := r.tag(p, 0)
		if r.elem != w || i != len(name)+5 {
			t.Errorf("%q whole: elem %d, want %d (consumed %d)", name, r.elem, w, i)
		}
		// Split after its first byte: the byte loop and classify.
		r.startName(false)
		r.tag(p[:1], 0)
		r.tag(p, 1)
		if r.elem != w {
			t.Errorf("%q split: elem %d, want %d", name, r.elem, w)
		}
	}
}
