package rewrite

import (
	"strings"
	"testing"
	"unicode"
)

// TestByteClasses checks the table and bit-trick forms of the byte classes
// against their definitions, for every byte.
func TestByteClasses(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		if want := b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f'; isSpace(b) != want {
			t.Errorf("isSpace(%#x) = %v", b, !want)
		}
		if want := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'; isAlpha(b) != want {
			t.Errorf("isAlpha(%#x) = %v", b, !want)
		}
		want := uint8(gapName)
		switch {
		case b == '>':
			want = gapEnd
		case isSpace(b) || b == '/':
			want = gapSpace
		}
		if gapClass[b] != want {
			t.Errorf("gapClass[%#x] = %d, want %d", b, gapClass[b], want)
		}
		if want := byte(unicode.ToLower(rune(b))); b < 0x80 && lower(b) != want || b >= 0x80 && lower(b) != b {
			t.Errorf("lower(%#x) = %#x", b, lower(b))
		}
	}
}

// TestAttrNameEnd checks where attrNameEnd, which scanAttrs inlines, ends
// attribute names of every length up to 12 at every offset in p, before each
// byte that ends a name or at the end of p: it reads four bytes a step, with
// a byte loop for the last three bytes of p.
func TestAttrNameEnd(t *testing.T) {
	for off := range 4 {
		for l := range 13 {
			name := strings.Repeat("-", off) + strings.Repeat("a", l)
			if got := attrNameEnd([]byte(name), off); got != len(name) {
				t.Errorf("attrNameEnd(%q, %d) = %d, want the end", name, off, got)
			}
			for c := range 256 {
				if !attrNameStop[c] {
					continue
				}
				for _, tail := range []string{"", "x", "xy", "xyz", "xyz>abcdefgh"} {
					p := append([]byte(name), byte(c))
					p = append(p, tail...)
					if got := attrNameEnd(p, off); got != off+l {
						t.Errorf("attrNameEnd(%q, %d) = %d, want %d", p, off, got, off+l)
					}
				}
			}
		}
	}
}

// TestNameBits holds the constant bits of the attribute names the rewriter
// asks about to nameBit, which scanAttrs and parseAttrs compute.
func TestNameBits(t *testing.T) {
	for _, c := range []struct {
		name string
		bit  uint64
	}{{"style", bitStyle}, {"http-equiv", bitHTTPEquiv}, {"background", bitBackground}, {SettingsAttr, bitSettings}, {"ping", bitPing}} {
		if want := nameBit(c.name[0], c.name[len(c.name)-1], len(c.name)); c.bit != want {
			t.Errorf("the bit of %q is %#x, nameBit gives %#x", c.name, c.bit, want)
		}
		if !asked(uint(len(c.name)), c.name[0]) || !asked(uint(len(c.name)), c.name[0]-'a'+'A') {
			t.Errorf("asked does not ask about %q", c.name)
		}
	}
}
