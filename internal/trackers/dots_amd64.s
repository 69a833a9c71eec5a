#include "textflag.h"

// func dotCandsAVX2(p *byte, n int, from int, top3 *uint64, code *uint8, out *int32) (cnt int, next int)
//
// Two passes over at most DotChunk bytes. The first writes the index of
// every dot to out: per 64-byte block, two compares give a mask, and four
// indexes are written whatever the mask holds (a block has 1.2 dots on
// average in the corpus's scripts), so that no branch depends on where the
// dots are but the rare one for a fifth. The second reads those indexes
// and keeps, in place, those whose next three bytes pass top3 (top3Key),
// storing each and moving the count on by the bit tested. Both loops
// exit once a call: a loop over each block's dots mispredicted its exit
// about once a block, and the test for a block without dots once in two.
//
// Registers, first pass: SI p, DI the block's index, R10 the bound on DI,
// R13 out, R9 the number of dots, DX the block's mask, BX its count, AX
// CX R8 scratch; Y0 holds '.' in every byte. Second pass: R10 reads and
// DI writes out, R11 top3, R12 labelCode. The unconditional writes stay
// within out: before a block, at most DotChunk-64 dots have been found.
TEXT ·dotCandsAVX2(SB), NOSPLIT, $0-64
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), R10
	MOVQ from+16(FP), DI
	MOVQ top3+24(FP), R11
	MOVQ code+32(FP), R12
	MOVQ out+40(FP), R13
	XORQ R9, R9

	// A block starts at most at n-67, so that the three bytes after its
	// last byte are in p, and less than DotChunk bytes after from.
	SUBQ $66, R10
	LEAQ 512(DI), AX
	CMPQ AX, R10
	CMOVQLT AX, R10

	MOVL $0x2e, AX
	MOVD AX, X0
	VPBROADCASTB X0, Y0

blocks:
	CMPQ DI, R10
	JGE filter
	VMOVDQU (SI)(DI*1), Y1
	VMOVDQU 32(SI)(DI*1), Y2
	VPCMPEQB Y0, Y1, Y1
	VPCMPEQB Y0, Y2, Y2
	VPMOVMSKB Y1, DX
	VPMOVMSKB Y2, AX
	SHLQ $32, AX
	ORQ AX, DX
	POPCNTQ DX, BX
	// Four indexes, whatever the mask holds: TZCNT of an empty mask
	// gives 64, an index past the count that is overwritten or ignored.
	TZCNTQ DX, CX
	LEAQ (DI)(CX*1), AX
	MOVL AX, 0(R13)(R9*4)
	BLSRQ DX, DX
	TZCNTQ DX, CX
	LEAQ (DI)(CX*1), AX
	MOVL AX, 4(R13)(R9*4)
	BLSRQ DX, DX
	TZCNTQ DX, CX
	LEAQ (DI)(CX*1), AX
	MOVL AX, 8(R13)(R9*4)
	BLSRQ DX, DX
	TZCNTQ DX, CX
	LEAQ (DI)(CX*1), AX
	MOVL AX, 12(R13)(R9*4)
	BLSRQ DX, DX
	CMPQ BX, $4
	JA more
counted:
	ADDQ BX, R9
	ADDQ $64, DI
	JMP blocks
more:
	// A fifth dot and more, one at a time.
	LEAQ 4(R9), R8
morel:
	TZCNTQ DX, CX
	LEAQ (DI)(CX*1), AX
	MOVL AX, (R13)(R8*4)
	INCQ R8
	BLSRQ DX, DX
	JNZ morel
	JMP counted

filter:
	// The second pass: keep the dots whose next three bytes pass.
	VZEROUPPER
	MOVQ DI, next+56(FP)
	XORQ R10, R10
	XORQ DI, DI
	TESTQ R9, R9
	JZ done
test:
	MOVLQSX (R13)(R10*4), R8
	MOVBLZX 1(SI)(R8*1), AX
	MOVBLZX (R12)(AX*1), AX
	MOVBLZX 2(SI)(R8*1), BX
	MOVBLZX (R12)(BX*1), BX
	MOVBLZX 3(SI)(R8*1), CX
	MOVBLZX (R12)(CX*1), CX
	SHLL $10, AX
	SHLL $5, BX
	ORL BX, AX
	ORL CX, AX
	// Stored whatever the bit: the count moves on only when it is set.
	MOVL R8, (R13)(DI*4)
	MOVL AX, BX
	SHRL $6, BX
	MOVQ (R11)(BX*8), BX
	BTQ AX, BX
	ADCQ $0, DI
	INCQ R10
	CMPQ R10, R9
	JB test
done:
	MOVQ DI, cnt+48(FP)
	RET
