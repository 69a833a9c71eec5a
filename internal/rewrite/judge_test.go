package rewrite

import (
	"strings"
	"testing"
)

// TestSpaceFrom holds spaceFrom's eight-bytes-a-step search to a byte loop:
// every byte below '!' and a few above, at every position of values up to
// three words long, after every start.
func TestSpaceFrom(t *testing.T) {
	t.Parallel()
	ref := func(v []byte, i int) int {
		for i < len(v) && !isSpace(v[i]) {
			i++
		}
		return i
	}
	bytes := []byte{0x21, 0x7f, 0x80, 0xa0, 0xff}
	for c := range 0x21 {
		bytes = append(bytes, byte(c))
	}
	for n := range 25 {
		for pos := range n {
			for _, c := range bytes {
				v := []byte(strings.Repeat("a", n))
				v[pos] = c
				if pos+3 < n {
					v[pos+3] = ' ' // a space after the byte, in the same word or not
				}
				for i := 0; i <= n; i++ {
					if got, want := spaceFrom(v, i), ref(v, i); got != want {
						t.Fatalf("spaceFrom(%q, %d) = %d, want %d", v, i, got, want)
					}
				}
			}
		}
	}
}
