package rewrite

import "golang.org/x/sys/cpu"

// haveTagVec is whether the processor has what scanTagVec needs: AVX-512
// with its byte instructions (BW) and VPERMB (VBMI), and BMI1 and BMI2
// for TZCNT and SHRX.
var haveTagVec = cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI && cpu.X86.HasBMI1 && cpu.X86.HasBMI2

// scanTagVec is scanAttrs from sBeforeAttrName over p[i:] for a tag that
// ends before the last 64 bytes of p (tagscan_amd64.s); it returns end -1
// for any other. asked is &askedFirst[0].
//
//go:noescape
func scanTagVec(p []byte, i int, asked *uint32) (end int, st state, seen uint64)
