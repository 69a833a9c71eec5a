package bytescan_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/consentkit/consentkit/internal/bytescan"
)

// check holds Indexes, from every start in b, to bytes.IndexByte: every
// index of c in b[from:next], in order, whole 64-byte blocks, no more than
// Chunk bytes, and all but the last 63 bytes read where it reads at all.
func check(t *testing.T, b []byte, c byte) {
	t.Helper()
	var out [bytescan.Chunk]int32
	was := bytescan.Vector()
	for from := 0; from <= len(b); from++ {
		n, next := bytescan.Indexes(b, from, c, &out)
		if next == from {
			if n != 0 || was && len(b)-from >= 64 {
				t.Fatalf("from %d of %d: %d indexes, nothing read", from, len(b), n)
			}
			continue
		}
		if (next-from)%64 != 0 || next-from > bytescan.Chunk || next > len(b) || len(b)-next >= 64 && next-from < bytescan.Chunk {
			t.Fatalf("from %d of %d: next %d", from, len(b), next)
		}
		var want []int32
		for i := from; ; {
			j := bytes.IndexByte(b[i:next], c)
			if j < 0 {
				break
			}
			want = append(want, int32(i+j))
			i += j + 1
		}
		if !slices.Equal(out[:n], want) {
			t.Fatalf("from %d next %d in %q: got %v, want %v", from, next, b, out[:n], want)
		}
	}
}

// TestIndexes checks Indexes on random text dense in the byte looked for,
// of every length around the bounds (a block, a chunk, the four indexes
// written whatever a block holds), and on blocks made only of it.
func TestIndexes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	const c = bytescan.Chunk
	for _, alphabet := range []string{"..ab", ".abcdefghijklmnop", "((((((((x", "\x00\xff.("} {
		for _, l := range []int{0, 1, 63, 64, 65, 127, 128, 129, 511, 512, 513, 575, 576, 577, 1100, 2000,
			c - 1, c, c + 1, c + 63, c + 64, c + 65, 2*c + 64, 3*c + 1} {
			b := make([]byte, l)
			for k := range b {
				b[k] = alphabet[rng.IntN(len(alphabet))]
			}
			check(t, b, '.')
			check(t, b, '(')
		}
	}
	check(t, bytes.Repeat([]byte("."), 1100), '.')
	check(t, bytes.Repeat([]byte("a"), 1100), '.')
}

func FuzzIndexes(f *testing.F) {
	f.Add([]byte("window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"), byte('.'))
	f.Add(bytes.Repeat([]byte("a.b("), 40), byte('('))
	f.Fuzz(func(t *testing.T, b []byte, c byte) {
		if len(b) > 2048 {
			return
		}
		check(t, b, c)
	})
}
