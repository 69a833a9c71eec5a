#include "textflag.h"

// func dotCandsAVX2(p *byte, n int, from int, top3 *uint64, code *uint8, out *int32) (cnt int, next int)
//
// Registers: SI p, DI the block's index, R10 the bound on DI, R11 top3,
// R12 labelCode, R13 out, R9 the count, DX the block's dot mask (64 bits), R8 a
// dot's index, AX BX CX scratch. Y0 holds '.' in every byte.
TEXT ·dotCandsAVX2(SB), NOSPLIT, $0-64
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), R10
	MOVQ from+16(FP), DI
	MOVQ top3+24(FP), R11
	MOVQ code+32(FP), R12
	MOVQ out+40(FP), R13
	XORQ R9, R9

	// A block starts at most at n-67, so that the three bytes after its
	// last byte are in p, and at most DotChunk-64 bytes after from.
	SUBQ $66, R10
	LEAQ 512(DI), AX
	CMPQ AX, R10
	CMOVQLT AX, R10

	MOVL $0x2e, AX
	MOVD AX, X0
	VPBROADCASTB X0, Y0

loop:
	CMPQ DI, R10
	JGE done
	VMOVDQU (SI)(DI*1), Y1
	VMOVDQU 32(SI)(DI*1), Y2
	VPCMPEQB Y0, Y1, Y1
	VPCMPEQB Y0, Y2, Y2
	VPMOVMSKB Y1, DX
	VPMOVMSKB Y2, AX
	SHLQ $32, AX
	ORQ AX, DX
	JZ next

bits:
	BSFQ DX, CX
	LEAQ (DI)(CX*1), R8
	// The key of the three bytes after the dot, as top3Key.
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
	MOVL R8, (R13)(R9*4)
	MOVL AX, BX
	SHRL $6, BX
	MOVQ (R11)(BX*8), BX
	BTQ AX, BX
	ADCQ $0, R9
	LEAQ -1(DX), CX
	ANDQ CX, DX
	JNZ bits

next:
	ADDQ $64, DI
	JMP loop

done:
	VZEROUPPER
	MOVQ R9, cnt+48(FP)
	MOVQ DI, next+56(FP)
	RET
