#include "textflag.h"

// func parenCandsAVX2(p *byte, n int, from int, keys *uint64, code *uint8, out *int32) (cnt int, next int)
//
// trackers' dotCandsAVX2 (dots_amd64.s) for the '(' of snippetCategory:
// the first pass writes every '(''s index, four a 64-byte block whatever
// its mask holds; the second keeps those whose two bytes before pass keys
// (parenKey), storing each and moving the count on by the bit tested. The
// caller makes from at least 2, so that the bytes before every '(' are in
// p. Registers as there: SI p, DI the block's index then the write index,
// R10 the bound on DI then the read index, R9 the number found, R11 keys,
// R12 parenCode, R13 out.
TEXT ·parenCandsAVX2(SB), NOSPLIT, $0-64
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), R10
	MOVQ from+16(FP), DI
	MOVQ keys+24(FP), R11
	MOVQ code+32(FP), R12
	MOVQ out+40(FP), R13
	XORQ R9, R9

	// A block ends at most at n, and starts less than parenChunk bytes
	// after from.
	SUBQ $63, R10
	LEAQ 512(DI), AX
	CMPQ AX, R10
	CMOVQLT AX, R10

	MOVL $0x28, AX
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
	// The second pass: keep the '(' whose pair before passes (parenKey).
	VZEROUPPER
	MOVQ DI, next+56(FP)
	XORQ R10, R10
	XORQ DI, DI
	TESTQ R9, R9
	JZ done
test:
	MOVLQSX (R13)(R10*4), R8
	MOVBLZX -2(SI)(R8*1), AX
	MOVBLZX (R12)(AX*1), AX
	MOVBLZX -1(SI)(R8*1), BX
	MOVBLZX (R12)(BX*1), BX
	SHLL $7, AX
	ORL BX, AX
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
