package rewrite

import "github.com/consentkit/consentkit/internal/bytescan"

// parenCandidates finds, 64 bytes at a time from b[from:], the '(' of b
// that snippetCategory must look at (parenKeys: the pair before it may end
// a name of snippetNames, or its byte before is a space), writing their
// indexes to out and returning how many and the index of the first byte it
// did not look at: no more than parenChunk bytes after from, and up to 63
// bytes before the end of b, which the caller reads a '(' at a time. A '('
// at 0 or 1, which snippetCategory never looks at, is not returned. Without
// the vector body of bytescan it reads nothing and returns from.
func parenCandidates(b []byte, from int, out *[parenChunk]int32) (n, next int) {
	start := max(from, 2)
	cnt, next := bytescan.Indexes(b, start, '(', out)
	if next == start {
		return 0, from
	}
	for _, p := range out[:cnt] {
		a := b[p-2:][:2] // the two bytes, their bounds checked once
		k := parenKey(a[0], a[1])
		out[n&(parenChunk-1)] = p // the mask, which changes nothing, spares a bounds check
		n += int(parenKeys[k/64&uint(len(parenKeys)-1)] >> (k % 64) & 1)
	}
	return n, next
}
