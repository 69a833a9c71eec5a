package bytescan

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// haveVector is whether the processor has what indexesAVX2 needs: AVX2 for
// the compares, BMI1 and POPCNT for the masks.
var haveVector = cpu.X86.HasAVX2 && cpu.X86.HasBMI1 && cpu.X86.HasPOPCNT

//go:noescape
func indexesAVX2(p *byte, n int, from int, c byte, out *int32) (cnt int, next int)

func indexes(b []byte, from int, c byte, out *[Chunk]int32) (n, next int) {
	return indexesAVX2(unsafe.SliceData(b), len(b), from, c, &out[0])
}
