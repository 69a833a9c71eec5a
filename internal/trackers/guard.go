package trackers

import (
	"math/bits"
	"slices"
	"strings"
)

// GuardHash is the 32-bit FNV-1a hash of a lower-case ASCII host, the key of
// GuardSet.
func GuardHash(host string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(host); i++ {
		h ^= uint32(host[i])
		h *= 16777619
	}
	return h
}

// GuardSet is the table as Golomb-Rice coded hash sets, one per category, for
// the browser's runtime guard: it answers "is this host, or a parent domain,
// in the table, and in which category?" without shipping host names.
//
// Each set holds the sorted, distinct GuardHash values of the category's
// hosts (lower-case ASCII, IDNs in their "xn--" form). Data encodes the
// deltas between consecutive values (the first from 0) as Golomb-Rice codes
// with parameter K: for a delta d, d>>K one-bits, a zero-bit, then the low K
// bits of d, most significant first. Bits are packed most significant bit
// first; the last byte is padded with zero bits, so a decoder reads exactly
// N values. K = floor(log2(2^32 / number of hosts in the table)), clamped to
// [8, 24], the same for every set.
//
// A host matches like [Table.Lookup]: hash the host, then each parent domain
// (drop the first label) down to the last label; the first hash found in any
// set gives its category. A host outside the table matches by accident with
// a probability of about (hosts in the table)/2^32 per hash.
type GuardSet struct {
	K    uint8
	Sets []GuardCategory // sorted by Category
}

// GuardCategory is the coded hash set of one category.
type GuardCategory struct {
	Category string
	N        int    // number of hashes
	Data     []byte // Golomb-Rice coded deltas
}

// GuardSet encodes t for the browser. It costs a sort of the table's hashes;
// compute it once per table.
func (t *Table) GuardSet() GuardSet {
	byCat := map[string][]uint32{}
	for h, c := range t.hosts {
		byCat[c] = append(byCat[c], GuardHash(h))
	}
	gs := GuardSet{K: guardK(len(t.hosts))}
	for c, hashes := range byCat {
		slices.Sort(hashes)
		hashes = slices.Compact(hashes)
		gs.Sets = append(gs.Sets, GuardCategory{Category: c, N: len(hashes), Data: riceEncode(hashes, gs.K)})
	}
	slices.SortFunc(gs.Sets, func(a, b GuardCategory) int { return strings.Compare(a.Category, b.Category) })
	return gs
}

// guardK is floor(log2(2^32/n)) clamped to [8, 24]: the Rice parameter that
// keeps codes near their optimum for n hashes spread over 32 bits.
func guardK(n int) uint8 {
	if n <= 0 {
		return 24
	}
	k := bits.Len64((1<<32)/uint64(n)) - 1
	return uint8(min(max(k, 8), 24))
}

// riceEncode codes the deltas of the sorted values.
func riceEncode(sorted []uint32, k uint8) []byte {
	var w bitWriter
	prev := uint32(0)
	for _, v := range sorted {
		d := v - prev
		prev = v
		for q := d >> k; q > 0; q-- {
			w.bit(1)
		}
		w.bit(0)
		for i := int(k) - 1; i >= 0; i-- {
			w.bit(byte(d>>uint(i)) & 1)
		}
	}
	return w.buf
}

// bitWriter packs bits most significant first.
type bitWriter struct {
	buf []byte
	n   uint // bits written
}

func (w *bitWriter) bit(b byte) {
	if w.n%8 == 0 {
		w.buf = append(w.buf, 0)
	}
	w.buf[len(w.buf)-1] |= b << (7 - w.n%8)
	w.n++
}
