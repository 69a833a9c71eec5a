package trackers

import "github.com/consentkit/consentkit/internal/bytescan"

// DotChunk is the most bytes one call of DotCandidates looks at, and so the
// most dots it can return.
const DotChunk = bytescan.Chunk

// DotCandidates finds, 64 bytes at a time from b[from:], the dots of b whose
// next three bytes pass MayBeginEnd, writing their indexes to out and
// returning how many and the index of the first byte it did not look at.
// It looks at no more than DotChunk bytes, and stops up to 66 bytes before
// the end of b, so that the bytes after every dot it reads are in b: the
// caller reads the rest, from next, a dot at a time. Without the vector
// body of bytescan it reads nothing and returns from.
//
// A text scanner's dots are most of its calls of bytes.IndexByte, one every
// fifty-odd bytes of script, each followed by a branch on MayBeginEnd that
// the data decides (16% pass). Here bytescan writes every dot's index, and
// each is kept or not without a branch: stored whatever its bits say, the
// count moved on by the bit.
func (f *HostFilter) DotCandidates(b []byte, from int, out *[DotChunk]int32) (n, next int) {
	if len(b) < 3 {
		return 0, from
	}
	cnt, next := bytescan.Indexes(b[:len(b)-3], from, '.', out)
	for _, d := range out[:cnt] {
		a := b[d+1:][:3] // the three bytes, their bounds checked once
		k := top3Key(a[0], a[1], a[2])
		out[n&(DotChunk-1)] = d // the mask, which changes nothing, spares a bounds check
		n += int(f.top3[k/64] >> (k % 64) & 1)
	}
	return n, next
}
