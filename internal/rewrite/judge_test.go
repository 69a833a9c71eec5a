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

// TestWordSetFindEveryByte holds wordSet.find's two-load comparison to
// equalFold: each word of both sets with each byte replaced by every byte
// value, at every position (the head and tail loads overlap in the middle).
func TestWordSetFindEveryByte(t *testing.T) {
	t.Parallel()
	for _, set := range []*wordSet{attrNameSet, fetchingRels} {
		for id, w := range set.words {
			for k := range len(w) {
				for c := range 256 {
					b := []byte(w)
					b[k] = byte(c)
					want := 0
					if equalFold(b, w) {
						want = id
					}
					if got := set.find(b); got != want {
						t.Fatalf("find(%q) = %d, want %d", b, got, want)
					}
				}
			}
		}
	}
}
