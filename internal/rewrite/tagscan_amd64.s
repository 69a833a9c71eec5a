#include "go_asm.h"
#include "textflag.h"

// func scanTagVec(p []byte, i int, asked *uint32) (end int, st state, seen uint64)
//
// scanAttrs from sBeforeAttrName over p[i:], for a tag that ends before the
// last 64 bytes of p; end is -1 for any other (the caller then runs
// scanAttrs). The tag is read through windows of 64 bytes, each classified
// once into four masks, a bit a byte: not a gap between attributes (white
// space or '/'), ends a name (white space, '/', '>', '='), '"' and '\''.
// Each state then finds where it ends with one shift and one TZCNT of a
// mask, whose latencies are a cycle each, where the attribute states loop
// a byte at a time and call IndexByte a quoted value, and the branch
// predictor misses their exits, which depend on each name's and value's
// length. A search that runs off the window classifies the next one.
//
// A set of bytes whose low six bits differ from one another is found with
// two instructions: VPERMB looks each byte's low six bits up in a 64-byte
// table that holds the set's byte at its own index and, at every other
// index, a byte whose low six bits differ from the index; VPCMPEQB then
// marks the bytes equal to what they looked up.
//
// Registers: SI the window (p+DI), DI its index in p, R10 the last index a
// window may start at (len(p)-64), CX the index in the window, R9 R11 R12
// R13 its masks, BX where the current name starts (from SI, negative when
// it started in an earlier window), DX the mask of names; AX R14 scratch.
TEXT ·scanTagVec(SB), NOSPLIT, $0-64
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), R10
	MOVQ i+24(FP), DI
	SUBQ $64, R10
	XORL CX, CX
	XORL DX, DX
	CMPQ DI, R10
	JGT  fail
	ADDQ DI, SI
	CALL classify<>(SB)

beforeName:
	CMPQ   CX, $63
	JA     beforeNameNext
	SHRXQ  CX, R9, R14
	TZCNTQ R14, R14
	JCS    beforeNameNone
	ADDQ   R14, CX
	CMPB   (SI)(CX*1), $'>'
	JEQ    endBeforeName
	MOVQ   CX, BX
	INCQ   CX // the first byte is part of the name even when it is '='
	JMP    name

beforeNameNone:
	MOVL $64, CX

beforeNameNext:
	CALL next<>(SB)
	JCS  fail
	JMP  beforeName

name:
	CMPQ   CX, $63
	JA     nameNext
	SHRXQ  CX, R11, R14
	TZCNTQ R14, R14
	JCS    nameNone
	ADDQ   R14, CX

	// asked(l, first): askedFirst[l&63] >> (first&31) & 1 (BTL takes
	// the bit's index modulo 32).
	MOVQ    CX, AX
	SUBQ    BX, AX
	ANDQ    $63, AX
	MOVQ    asked+32(FP), R14
	MOVL    (R14)(AX*4), AX
	MOVBLZX (SI)(BX*1), R14 // first
	BTL     R14, AX
	JCC     nameDone

	// seen |= 1 << ((first|0x20)*34 + (last|0x20)*23 + l) & 63, as nameBit.
	MOVQ    CX, AX
	SUBQ    BX, AX // l
	MOVL    R14, BX
	ORL     $0x20, BX
	IMULL   $34, BX
	ADDL    AX, BX
	MOVBLZX -1(SI)(CX*1), AX
	ORL     $0x20, AX
	IMULL   $23, AX
	ADDL    AX, BX
	ANDL    $63, BX
	BTSQ    BX, DX

nameDone:
	MOVBLZX (SI)(CX*1), AX
	INCQ    CX
	CMPB    AL, $'='
	JEQ     beforeValue
	CMPB    AL, $'/'
	JEQ     beforeName
	CMPB    AL, $'>'
	JEQ     endName
	JMP     afterName // white space

nameNone:
	MOVL $64, CX

nameNext:
	CALL next<>(SB)
	JCS  fail
	JMP  name

afterName:
	CMPQ    CX, $63
	JA      afterNameNext
	MOVBLZX (SI)(CX*1), AX
	CMPB    AL, $' '
	JEQ     afterNameSpace
	CMPB    AL, $'/'
	JEQ     afterNameSlash
	CMPB    AL, $'='
	JEQ     afterNameEq
	CMPB    AL, $'>'
	JEQ     endAfterName
	CMPB    AL, $'\t'
	JEQ     afterNameSpace
	CMPB    AL, $'\n'
	JEQ     afterNameSpace
	CMPB    AL, $'\f'
	JEQ     afterNameSpace
	CMPB    AL, $'\r'
	JEQ     afterNameSpace
	MOVQ    CX, BX // another name
	INCQ    CX
	JMP     name

afterNameSpace:
	INCQ CX
	JMP  afterName

afterNameSlash:
	INCQ CX
	JMP  beforeName

afterNameNext:
	CALL next<>(SB)
	JCS  fail
	JMP  afterName

afterNameEq:
	INCQ CX

beforeValue:
	CMPQ    CX, $63
	JA      beforeValueNext
	MOVBLZX (SI)(CX*1), AX
	CMPB    AL, $'"'
	JEQ     dqOpen
	CMPB    AL, $' '
	JEQ     beforeValueSpace
	CMPB    AL, $'\''
	JEQ     sqOpen
	CMPB    AL, $'>'
	JEQ     endBeforeValue
	CMPB    AL, $'\t'
	JEQ     beforeValueSpace
	CMPB    AL, $'\n'
	JEQ     beforeValueSpace
	CMPB    AL, $'\f'
	JEQ     beforeValueSpace
	CMPB    AL, $'\r'
	JEQ     beforeValueSpace
	JMP     unquoted

beforeValueSpace:
	INCQ CX
	JMP  beforeValue

beforeValueNext:
	CALL next<>(SB)
	JCS  fail
	JMP  beforeValue

dqOpen:
	INCQ CX

dq:
	CMPQ   CX, $63
	JA     dqNext
	SHRXQ  CX, R12, R14
	TZCNTQ R14, R14
	JCS    dqNone
	LEAQ   1(CX)(R14*1), CX
	JMP    afterQuoted

dqNone:
	MOVL $64, CX

dqNext:
	CALL next<>(SB)
	JCS  fail
	JMP  dq

sqOpen:
	INCQ CX

sq:
	CMPQ   CX, $63
	JA     sqNext
	SHRXQ  CX, R13, R14
	TZCNTQ R14, R14
	JCS    sqNone
	LEAQ   1(CX)(R14*1), CX
	JMP    afterQuoted

sqNone:
	MOVL $64, CX

sqNext:
	CALL next<>(SB)
	JCS  fail
	JMP  sq

afterQuoted:
	// A '>' ends the tag in this state; white space and '/' are gaps
	// and anything else begins a name (a parse error), both of which
	// the before-name state reads.
	CMPQ CX, $63
	JA   afterQuotedNext
	CMPB (SI)(CX*1), $'>'
	JEQ  endAfterQuoted
	JMP  beforeName

afterQuotedNext:
	CALL next<>(SB)
	JCS  fail
	JMP  afterQuoted

unquoted:
	// Rare: one 64-byte compare from the index, not the window.
	LEAQ (DI)(CX*1), AX
	CMPQ AX, R10
	JGT  fail
	VMOVDQU8 (SI)(CX*1), Z1
	VPERMB   unqTab<>(SB), Z1, Z2
	VPCMPEQB Z2, Z1, K1
	KMOVQ    K1, AX
	TZCNTQ   AX, AX
	ADDQ     AX, CX
	CMPQ     AX, $64
	JEQ      unquoted
	CMPB     (SI)(CX*1), $'>'
	JEQ      endUnquoted
	INCQ     CX
	JMP      beforeName

endBeforeName:
	MOVL $const_sBeforeAttrName, AX
	JMP  done

endName:
	DECQ CX // nameDone stepped over the '>'
	MOVL $const_sAttrName, AX
	JMP  done

endAfterName:
	MOVL $const_sAfterAttrName, AX
	JMP  done

endBeforeValue:
	MOVL $const_sBeforeAttrValue, AX
	JMP  done

endUnquoted:
	MOVL $const_sAttrValueUnquoted, AX
	JMP  done

endAfterQuoted:
	MOVL $const_sAfterAttrValueQuoted, AX

done:
	ADDQ DI, CX
	MOVQ CX, end+40(FP)
	MOVB AX, st+48(FP)
	MOVQ DX, seen+56(FP)
	VZEROUPPER
	RET

fail:
	MOVQ $-1, end+40(FP)
	VZEROUPPER
	RET

// next moves the window on to its index CX: the window then starts there,
// classified, or, when it would not lie within p, the carry flag is set.
TEXT next<>(SB), NOSPLIT|NOFRAME, $0
	ADDQ CX, DI
	CMPQ DI, R10
	JGT  nextOut
	ADDQ CX, SI
	SUBQ CX, BX
	XORL CX, CX
	JMP  classify<>(SB)

nextOut:
	STC
	RET

// classify reads the window at SI into R9 R11 R12 R13 (and Z0 keeps its
// bytes), clearing the carry flag.
TEXT classify<>(SB), NOSPLIT|NOFRAME, $0
	VMOVDQU8 (SI), Z0
	VPERMB   gapTab<>(SB), Z0, Z1
	VPERMB   nameTab<>(SB), Z0, Z2
	VPCMPEQB Z1, Z0, K1
	VPCMPEQB Z2, Z0, K2
	VPCMPEQB dqTab<>(SB), Z0, K3
	VPCMPEQB sqTab<>(SB), Z0, K4
	KMOVQ    K1, R9
	NOTQ     R9
	KMOVQ    K2, R11
	KMOVQ    K3, R12
	KMOVQ    K4, R13
	CLC
	RET

// gapTab: the bytes between attributes, white space and '/'.
DATA gapTab<>+0(SB)/8, $0x0607040502030001
DATA gapTab<>+8(SB)/8, $0x0e0f0d0c0a0a0909
DATA gapTab<>+16(SB)/8, $0x1617141512131011
DATA gapTab<>+24(SB)/8, $0x1e1f1c1d1a1b1819
DATA gapTab<>+32(SB)/8, $0x2627242522232020
DATA gapTab<>+40(SB)/8, $0x2f2f2c2d2a2b2829
DATA gapTab<>+48(SB)/8, $0x3637343532333031
DATA gapTab<>+56(SB)/8, $0x3e3f3c3d3a3b3839
GLOBL gapTab<>(SB), RODATA|NOPTR, $64

// nameTab: the bytes that end an attribute name (attrNameStop).
DATA nameTab<>+0(SB)/8, $0x0607040502030001
DATA nameTab<>+8(SB)/8, $0x0e0f0d0c0a0a0909
DATA nameTab<>+16(SB)/8, $0x1617141512131011
DATA nameTab<>+24(SB)/8, $0x1e1f1c1d1a1b1819
DATA nameTab<>+32(SB)/8, $0x2627242522232020
DATA nameTab<>+40(SB)/8, $0x2f2f2c2d2a2b2829
DATA nameTab<>+48(SB)/8, $0x3637343532333031
DATA nameTab<>+56(SB)/8, $0x3e3e3d3d3a3b3839
GLOBL nameTab<>(SB), RODATA|NOPTR, $64

// unqTab: the bytes that end an unquoted value (unquotedStop).
DATA unqTab<>+0(SB)/8, $0x0607040502030001
DATA unqTab<>+8(SB)/8, $0x0e0f0d0c0a0a0909
DATA unqTab<>+16(SB)/8, $0x1617141512131011
DATA unqTab<>+24(SB)/8, $0x1e1f1c1d1a1b1819
DATA unqTab<>+32(SB)/8, $0x2627242522232020
DATA unqTab<>+40(SB)/8, $0x2e2f2c2d2a2b2829
DATA unqTab<>+48(SB)/8, $0x3637343532333031
DATA unqTab<>+56(SB)/8, $0x3e3e3c3d3a3b3839
GLOBL unqTab<>(SB), RODATA|NOPTR, $64

// dqTab and sqTab: each quote, 64 times.
DATA dqTab<>+0(SB)/8, $0x2222222222222222
DATA dqTab<>+8(SB)/8, $0x2222222222222222
DATA dqTab<>+16(SB)/8, $0x2222222222222222
DATA dqTab<>+24(SB)/8, $0x2222222222222222
DATA dqTab<>+32(SB)/8, $0x2222222222222222
DATA dqTab<>+40(SB)/8, $0x2222222222222222
DATA dqTab<>+48(SB)/8, $0x2222222222222222
DATA dqTab<>+56(SB)/8, $0x2222222222222222
GLOBL dqTab<>(SB), RODATA|NOPTR, $64

DATA sqTab<>+0(SB)/8, $0x2727272727272727
DATA sqTab<>+8(SB)/8, $0x2727272727272727
DATA sqTab<>+16(SB)/8, $0x2727272727272727
DATA sqTab<>+24(SB)/8, $0x2727272727272727
DATA sqTab<>+32(SB)/8, $0x2727272727272727
DATA sqTab<>+40(SB)/8, $0x2727272727272727
DATA sqTab<>+48(SB)/8, $0x2727272727272727
DATA sqTab<>+56(SB)/8, $0x2727272727272727
GLOBL sqTab<>(SB), RODATA|NOPTR, $64
