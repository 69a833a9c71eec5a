#include "textflag.h"

// func indexesAVX2(p *byte, n int, from int, c byte, out *int32) (cnt int, next int)
//
// Registers: SI p, DI the block's index, R10 the bound on DI, R13 out, R9
// the number of indexes written, DX the block's mask, BX its count, AX CX
// R8 scratch; Y0 holds c in every byte. Before a block at most Chunk-64
// indexes have been written, so the four unconditional writes stay within
// out.
TEXT ·indexesAVX2(SB), NOSPLIT, $0-56
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), R10
	MOVQ from+16(FP), DI
	MOVBLZX c+24(FP), AX
	MOVQ out+32(FP), R13
	XORQ R9, R9

	// A block ends at most at n, and starts less than Chunk bytes after
	// from.
	SUBQ $63, R10
	LEAQ 2048(DI), CX
	CMPQ CX, R10
	CMOVQLT CX, R10

	MOVD AX, X0
	VPBROADCASTB X0, Y0

blocks:
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
	// A fifth occurrence and more, one at a time.
	LEAQ 4(R9), R8
morel:
	TZCNTQ DX, CX
	LEAQ (DI)(CX*1), AX
	MOVL AX, (R13)(R8*4)
	INCQ R8
	BLSRQ DX, DX
	JNZ morel
	JMP counted

done:
	VZEROUPPER
	MOVQ R9, cnt+40(FP)
	MOVQ DI, next+48(FP)
	RET
