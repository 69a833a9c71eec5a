//go:build !amd64

package rewrite

// haveParenCands and haveParenVector: parenCandidates has a vector body on
// amd64 only.
var haveParenCands, haveParenVector = false, false

// parenCandidates finds the '(' of b that snippetCategory must look at a
// block at a time where there is a vector body for it (amd64); here it
// reads nothing and returns from, and the caller reads b a '(' at a time.
func parenCandidates(b []byte, from int, out *[parenChunk]int32) (n, next int) {
	return 0, from
}
