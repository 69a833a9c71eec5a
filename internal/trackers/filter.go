package trackers

import (
	"math/bits"
	"strings"
)

// HostFilter answers, without a map lookup and without allocating, whether
// a host may be in the table: every host of the table has at least two
// labels, so a host whose last two labels ("google-analytics.com") are not
// those of any table host cannot match. False positives happen (about one
// in 15 for unrelated hosts), false negatives never; a positive answer is
// confirmed with a lookup. Text scanners call it for every word pair they
// meet, so its bits are a fixed-size array read inline.
type HostFilter struct {
	bits [filterBits / 64]uint64
	// topLens has a bit per length of the hosts' last labels, top3 a bit
	// per run of their first three bytes (labelCode's numbers; the third 0
	// for a label of two), and tops a bit per hash of their length, first
	// two bytes and last byte (topKey): most words after a dot in code
	// fail one of them. top3 is tested before the word is read, topLens
	// and tops after.
	topLens uint64
	top3    [1 << 15 / 64]uint64
	tops    [topBits / 64]uint64
	// MaxTop is the length of the longest last label: a scanner can stop
	// reading a word after a dot once it is longer.
	MaxTop int
}

// MayEnd reports whether some table host may end in the label (its top-level
// domain, such as "com"), any letter case.
func (f *HostFilter) MayEnd(label []byte) bool {
	if len(label) < 2 || len(label) > 63 || f.topLens&(1<<len(label)) == 0 {
		return false
	}
	k := topKey(label[0], label[1], label[len(label)-1], len(label))
	return f.tops[k/64]&(1<<(k%64)) != 0
}

// topBits is the size of the top-label set in bits, for about 120 top
// labels in the built-in table: the words of code that share a bit with one
// are about one in thirty.
const topBits = 1 << 12

// topKey hashes a top label by its length and its first two and last bytes
// (any letter case) into the top-label set: "com", "net", "de" pass, and so
// would "cdm"; "console", "cookie", "onload" and "async" do not, which
// the first two bytes let through.
func topKey(c0, c1, last byte, n int) uint {
	x := uint32(labelCode[c0])<<15 | uint32(labelCode[c1])<<10 | uint32(labelCode[last])<<5 | uint32(n&31)
	return uint(x * 0x27d4eb2f >> (32 - 12))
}

// MayBeginEnd reports whether some table host's last label may begin with
// the bytes c0 c1 c2, any letter case, where c2 is any byte that no label
// holds (such as 0) for a label of two bytes. It is for a text scanner to
// test on the bytes after a dot before it reads the rest of the word, since
// most words after a dot in code fail it. The bytes no label holds
// (anything but ASCII letters, digits and '-') all count as one, which no
// top label of the built-in table begins with, so a scanner need not test
// for them first.
func (f *HostFilter) MayBeginEnd(c0, c1, c2 byte) bool {
	k := top3Key(c0, c1, c2)
	return f.top3[k/64]&(1<<(k%64)) != 0
}

func top3Key(c0, c1, c2 byte) uint {
	// labelCode's numbers have five bits: the mask only tells the
	// compiler so, sparing MayBeginEnd a bounds check.
	return (uint(labelCode[c0])<<10 | uint(labelCode[c1])<<5 | uint(labelCode[c2])) & (1<<15 - 1)
}

// labelCode numbers the bytes of host labels in five bits: letters in
// either case 1-26, digits and '-' 27-31 (some sharing a number), any
// other byte 0.
var labelCode = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = uint8(c-'a'+1), uint8(c-'a'+1)
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(27 + (c-'0')%5)
	}
	t['-'] = 31
	return t
}()

// filterBits is the size of the filter in bits: 8 KiB, sixteen bits per
// table host.
const filterBits = 1 << 16

// MayMatch reports whether a host ending in last2 (its last two labels,
// any letter case) may be in the table.
func (f *HostFilter) MayMatch(last2 []byte) bool {
	k := last2Key(last2)
	return f.bits[k/64]&(1<<(k%64)) != 0
}

func (f *HostFilter) add(last2 string) {
	k := last2Key(last2)
	f.bits[k/64] |= 1 << (k % 64)
}

// last2Key hashes the last two labels of a host into the filter by their
// length and their first and last eight bytes (all of them when shorter),
// in two loads and no loop: a loop over the bytes costs its exit's
// misprediction, after as many bytes as the host has. OR-ing 0x20 into
// every byte folds the letters' case and leaves the other bytes of host
// names (digits, '-', '.') as they are.
func last2Key[T string | []byte](b T) uint {
	const fold = 0x2020202020202020
	n := len(b)
	var x, y uint64
	if n >= 8 {
		x = load64(b[:8]) | fold
		y = load64(b[n-8:]) | fold
	} else {
		for k := range n {
			x |= uint64(b[k]|0x20) << (8 * k)
		}
	}
	h := (x*0x9e3779b97f4a7c15 ^ y*0xc2b2ae3d27d4eb4f ^ uint64(n)) * 0x165667b19e3779f9
	return uint(h >> (64 - 16))
}

// load64 reads eight bytes, little-endian.
func load64[T string | []byte](b T) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// MayMatchHost is MayMatch for a whole host, trailing dots dropped.
func (f *HostFilter) MayMatchHost(host []byte) bool {
	for len(host) > 0 && host[len(host)-1] == '.' {
		host = host[:len(host)-1]
	}
	return f.MayMatch(lastTwo(host))
}

// Filter returns the table's HostFilter, built on first use. The same
// pointer is returned every time; it must not be modified.
func (t *Table) Filter() *HostFilter {
	t.filterOnce.Do(func() {
		f := new(HostFilter)
		for h := range t.hosts {
			f.add(lastTwo(h))
			top := h[strings.LastIndexByte(h, '.')+1:]
			if len(top) >= 2 && len(top) <= 63 {
				f.topLens |= 1 << len(top)
				f.MaxTop = max(f.MaxTop, len(top))
				c2 := byte(0)
				if len(top) > 2 {
					c2 = top[2]
				}
				k := top3Key(top[0], top[1], c2)
				f.top3[k/64] |= 1 << (k % 64)
				k = topKey(top[0], top[1], top[len(top)-1], len(top))
				f.tops[k/64] |= 1 << (k % 64)
			}
		}
		t.filter = f
		t.index = newHostIndex(t.hosts)
	})
	return t.filter
}

// hostIndex is the table's hosts in an open-addressing hash table keyed by
// hostHash, for suffixLookup: a Go map hashes the whole key with its seeded
// hash and costs about 130 instructions a lookup, this one a third of that.
// It answers exactly as the map does.
type hostIndex struct {
	shift uint // 64 - log2(len(slots))
	slots []hostSlot
	ents  []hostEnt
	// single is whether some host of the table has one label: without
	// one, a host's last label alone is never looked up.
	single bool
}

// hostSlot is a slot of hostIndex: idx is 1 + the index of its entry in
// ents (0 for an empty slot), tag the low bits of the entry's hash.
type hostSlot struct{ tag, idx uint32 }

type hostEnt struct{ host, cat string }

func newHostIndex(hosts map[string]string) hostIndex {
	n := 8
	for n < 2*len(hosts) {
		n *= 2
	}
	x := hostIndex{shift: uint(64 - bits.Len(uint(n-1))), slots: make([]hostSlot, n), ents: make([]hostEnt, 0, len(hosts))}
	for h, c := range hosts {
		x.ents = append(x.ents, hostEnt{h, c})
		x.single = x.single || !strings.Contains(h, ".")
		hh := hostHash(h)
		i := hh >> x.shift
		for x.slots[i].idx != 0 {
			i = (i + 1) & uint64(n-1)
		}
		x.slots[i] = hostSlot{uint32(hh), uint32(len(x.ents))}
	}
	return x
}

// getHash returns the category of host h (normalised), whose hostHash is
// hh, if the table holds it.
func (x *hostIndex) getHash(h []byte, hh uint64) (string, bool) {
	mask := uint64(len(x.slots) - 1)
	for i := hh >> x.shift; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s.idx == 0 {
			return "", false
		}
		if s.tag == uint32(hh) {
			if e := &x.ents[s.idx-1]; e.host == string(h) {
				return e.cat, true
			}
		}
	}
}

// hostHash hashes a host by its length and its first and last eight bytes
// (all of them when shorter), as last2Key does.
func hostHash[T string | []byte](b T) uint64 {
	n := len(b)
	var x, y uint64
	if n >= 8 {
		x = load64(b[:8])
		y = load64(b[n-8:])
	} else {
		for k := range n {
			x |= uint64(b[k]) << (8 * k)
		}
	}
	return (x*0x9e3779b97f4a7c15 ^ y*0xc2b2ae3d27d4eb4f ^ uint64(n)) * 0x165667b19e3779f9
}

// lastTwo returns the last two labels of a host, or the host itself when it
// has fewer.
func lastTwo[T string | []byte](h T) T {
	// Eight bytes a step from the end: the byte loop below costs about
	// seven instructions a byte of the host, and hosts are 10-30 bytes.
	end := len(h) // h[end:] has been searched
	dots := 0
	for end >= 8 {
		x := load64(h[end-8:end]) ^ 0x2e2e2e2e2e2e2e2e // '.' becomes 0
		// A bit in the high bit of each zero byte of x, exactly (without
		// the borrows (x - 0x01…) would carry into the byte above one).
		m := ^((x&0x7f7f7f7f7f7f7f7f + 0x7f7f7f7f7f7f7f7f) | x | 0x7f7f7f7f7f7f7f7f)
		for m != 0 {
			// The highest dot of the word: the last one of h left.
			i := end - 8 + (bits.Len64(m)-1)/8
			if dots++; dots == 2 {
				return h[i+1:]
			}
			m &^= 1 << (bits.Len64(m) - 1)
		}
		end -= 8
	}
	h0 := h
	h = h[:end]
	for i := len(h) - 1; i >= 0; i-- {
		if h[i] == '.' {
			if dots++; dots == 2 {
				return h0[i+1:]
			}
		}
	}
	return h0
}
