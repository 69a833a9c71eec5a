// Package bytescan finds every occurrence of a byte in a text 64 bytes at a
// time, for scanners that look at each occurrence (the dots of inline
// scripts, the '(' of their calls) and would otherwise call bytes.IndexByte
// once per occurrence, with a branch on what follows each that the data
// decides.
//
// Indexes writes the occurrences' indexes to a buffer: per 64-byte block,
// two AVX2 compares give a mask, and four indexes are written whatever the
// mask holds (TZCNT and BLSR, the rare fifth and later one at a time), so
// that no branch depends on where the byte is. The caller then filters the
// indexes, again without a branch a byte. Where the processor lacks AVX2,
// BMI1 or POPCNT, or off amd64, Indexes reads nothing, and callers read the
// text one occurrence at a time as they did before.
package bytescan
