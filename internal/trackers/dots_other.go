//go:build !amd64

package trackers

// DotCandidates finds, in 32-byte blocks from b[from:], the dots of b whose
// next three bytes pass MayBeginEnd, writing their indexes to out and
// returning how many and the index of the first byte it did not look at.
// It has a vector body on amd64 only: here it reads nothing and returns
// from, and the caller reads b a dot at a time.
func (f *HostFilter) DotCandidates(b []byte, from int, out *[DotChunk]int32) (n, next int) {
	return 0, from
}

// SetVectorScan would turn DotCandidates' vector body on or off; there is
// none here. It returns false.
func SetVectorScan(on bool) (was bool) { return false }
