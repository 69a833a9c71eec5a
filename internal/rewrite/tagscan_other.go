//go:build !amd64

package rewrite

// haveTagVec: the vector body is for amd64 only.
const haveTagVec = false

func scanTagVec(p []byte, i int, asked *uint32) (end int, st state, seen uint64) { return -1, 0, 0 }
