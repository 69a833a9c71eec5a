package rewrite

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:noescape
func parenCandsAVX2(p *byte, n int, from int, keys *uint64, code *uint8, out *int32) (cnt int, next int)

// haveParenVector is whether the processor has what parenCandsAVX2 needs:
// AVX2 for the compares, BMI1 and POPCNT for the masks.
var haveParenVector = cpu.X86.HasAVX2 && cpu.X86.HasBMI1 && cpu.X86.HasPOPCNT

// haveParenCands is whether parenCandidates uses the vector body; tests
// turn it off to compare the two readings.
var haveParenCands = haveParenVector

// parenCandidates finds, in 64-byte blocks from b[from:], the '(' of b
// that snippetCategory must look at (parenKeys: the pair before it may end
// a name of snippetNames, or its byte before is a space), writing their
// indexes to out and returning how many and the index of the first byte
// it did not look at: less than parenChunk bytes after from, and not the
// last 63 bytes of b, which the caller reads a '(' at a time. A '(' at 0
// or 1, which snippetCategory never looks at, is not returned. Without
// the vector body it reads nothing and returns from.
func parenCandidates(b []byte, from int, out *[parenChunk]int32) (n, next int) {
	if !haveParenCands || len(b)-max(from, 2) < 64 {
		return 0, from
	}
	return parenCandsAVX2(unsafe.SliceData(b), len(b), max(from, 2), &parenKeys[0], &parenCode[0], &out[0])
}
