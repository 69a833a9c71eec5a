package trackers

import "strings"

// HostFilter answers, without a map lookup and without allocating, whether
// a host may be in the table: every host of the table has at least two
// labels, so a host whose last two labels ("google-analytics.com") are not
// those of any table host cannot match. False positives happen (about one
// in 15 for unrelated hosts), false negatives never; a positive answer is
// confirmed with a lookup. Text scanners call it for every word pair they
// meet, so its bits are a fixed-size array read inline.
type HostFilter struct {
	bits [filterBits / 64]uint64
	// topLens has a bit per length of the hosts' last labels, top2 a bit
	// per pair of their first letters: most words after a dot in code
	// fail one of them.
	topLens uint64
	top2    [1024 / 64]uint64
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
	return f.MayBeginEnd(label[0], label[1])
}

// MayBeginEnd reports whether some table host's last label may begin with
// the two bytes c0 c1, any letter case: it is the first test of MayEnd, for
// a text scanner to make on the two bytes after a dot before it reads the
// rest of the word, since most words after a dot in code fail it.
func (f *HostFilter) MayBeginEnd(c0, c1 byte) bool {
	k := uint(c0&31)<<5 | uint(c1&31)
	return f.top2[k/64]&(1<<(k%64)) != 0
}

// filterBits is the size of the filter in bits: 8 KiB, sixteen bits per
// table host.
const filterBits = 1 << 16

// MayMatch reports whether a host ending in last2 (its last two labels,
// any letter case) may be in the table.
func (f *HostFilter) MayMatch(last2 []byte) bool {
	h := uint32(2166136261)
	for _, c := range last2 {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint32(c)) * 16777619
	}
	h %= filterBits
	return f.bits[h/64]&(1<<(h%64)) != 0
}

func (f *HostFilter) add(last2 string) {
	h := uint32(2166136261)
	for i := 0; i < len(last2); i++ {
		h = (h ^ uint32(last2[i])) * 16777619
	}
	h %= filterBits
	f.bits[h/64] |= 1 << (h % 64)
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
				k := uint(top[0]&31)<<5 | uint(top[1]&31)
				f.top2[k/64] |= 1 << (k % 64)
			}
		}
		t.filter = f
	})
	return t.filter
}

// lastTwo returns the last two labels of a host, or the host itself when it
// has fewer.
func lastTwo[T string | []byte](h T) T {
	dots := 0
	for i := len(h) - 1; i >= 0; i-- {
		if h[i] == '.' {
			if dots++; dots == 2 {
				return h[i+1:]
			}
		}
	}
	return h
}
