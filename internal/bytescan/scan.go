package bytescan

// Chunk is the most bytes one call of Indexes looks at, and so the most
// indexes it can write.
const Chunk = 2048

// Indexes writes to out the index in b of every byte equal to c in the
// 64-byte blocks of b from from on, and returns how many it wrote and the
// index of the first byte it did not look at. It looks at whole blocks
// only, no more than Chunk bytes, so that next may be up to 63 bytes short
// of len(b): the caller reads the rest itself. Where there is no vector
// body (see the package documentation) it reads nothing and returns from.
func Indexes(b []byte, from int, c byte, out *[Chunk]int32) (n, next int) {
	if !vector || from < 0 || len(b)-from < 64 {
		return 0, from
	}
	return indexes(b, from, c, out)
}

// SetVector turns the vector body off or back on (where the processor has
// it), so that tests can compare it with a reading one byte at a time and
// benchmarks can measure it. It returns the previous setting. It is not
// safe to call while Indexes runs.
func SetVector(on bool) (was bool) {
	was = vector
	vector = on && haveVector
	return was
}

// Vector reports whether Indexes uses the vector body.
func Vector() bool { return vector }

// vector is whether Indexes uses the vector body.
var vector = haveVector
