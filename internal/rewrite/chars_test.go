package rewrite

import (
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
		if want := byte(unicode.ToLower(rune(b))); b < 0x80 && lower(b) != want || b >= 0x80 && lower(b) != b {
			t.Errorf("lower(%#x) = %#x", b, lower(b))
		}
	}
}
