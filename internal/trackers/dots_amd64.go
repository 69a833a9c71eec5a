package trackers

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:noescape
func dotCandsAVX2(p *byte, n int, from int, top3 *uint64, code *uint8, out *int32) (cnt int, next int)

// haveDotCands is whether DotCandidates has a vector body here.
var haveDotCands = haveDotVector

// haveDotVector is whether the processor has what dotCandsAVX2 needs: AVX2
// for the compares, BMI1 and POPCNT for the masks.
var haveDotVector = cpu.X86.HasAVX2 && cpu.X86.HasBMI1 && cpu.X86.HasPOPCNT

// DotCandidates finds, in 64-byte blocks from b[from:], the dots of b whose
// next three bytes pass MayBeginEnd, writing their indexes to out and
// returning how many and the index of the first byte it did not look at.
// It looks at no more than DotChunk bytes, and stops 66 bytes before the
// end of b so that the bytes after every dot it reads are in b: the caller
// reads the rest, from next, a dot at a time. Where the processor has no
// vector body for it, it reads nothing and returns from.
//
// A text scanner's dots are most of its calls of bytes.IndexByte, one every
// fifty-odd bytes of script; this finds a block's dots in two compares and
// tests their bytes without a branch a dot.
func (f *HostFilter) DotCandidates(b []byte, from int, out *[DotChunk]int32) (n, next int) {
	if !haveDotCands || from < 0 || len(b)-from < 67 {
		return 0, from
	}
	return dotCandsAVX2(unsafe.SliceData(b), len(b), from, &f.top3[0], &labelCode[0], &out[0])
}

// SetVectorScan turns DotCandidates' vector body off or back on (where the
// processor has it), so that tests can compare it with the dot-at-a-time
// reading and benchmarks can measure it. It returns the previous setting.
func SetVectorScan(on bool) (was bool) {
	was = haveDotCands
	haveDotCands = on && haveDotVector
	return was
}
