//go:build !amd64

package bytescan

// haveVector: the vector body is for amd64 only.
const haveVector = false

func indexes(b []byte, from int, c byte, out *[Chunk]int32) (n, next int) { return 0, from }
