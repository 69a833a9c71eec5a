package trackers

// HostCache remembers the answers for the last few hosts looked up through
// it: a page names the same few hosts (its CDN, its image server, its
// analytics) over and over, and a hit costs a short comparison instead of
// the filter and the map lookups of every parent domain. The zero value is
// ready to use. A HostCache is for one goroutine, such as the rewrite of one
// response; it answers exactly as the table it is given would.
type HostCache struct {
	t    *Table
	ents [hostCacheSize]hostCacheEntry

	// prefix[:pn] is the start of the last URL read by lookupURLFast, up
	// to the end of its authority ("https://cdn.example.com"), and pcat,
	// pok the answer for its host. On the corpus three URLs in four name
	// the host of the URL before, and a URL that begins with the same bytes
	// followed by '/', '?', '#' or its end has that host: it is answered
	// with one comparison, without reading the host again.
	pn     int
	pcat   string
	pok    bool
	prefix [len("https://") + hostCacheLen]byte
}

// hostCacheSize and hostCacheLen bound the cache: sixteen hosts of up to
// 48 bytes, each in the entry its hash picks, cover the repeated hosts of
// most pages (on the corpus, four answered 64% of the lookups), and a
// longer host is looked up every time.
const (
	hostCacheBits = 4
	hostCacheSize = 1 << hostCacheBits
	hostCacheLen  = 48
)

type hostCacheEntry struct {
	hash uint64 // hostHash of host
	n    uint8  // length of host; 0 marks an empty entry
	ok   bool
	cat  string
	host [hostCacheLen]byte
}

// LookupURLBytes is [Table.LookupURLBytes], answered from the cache when
// the URL's host was among the last ones looked up in t.
func (c *HostCache) LookupURLBytes(t *Table, rawURL []byte) (category string, ok bool) {
	return lookupURL(t, rawURL, c)
}

// LookupHostBytes is [Table.LookupHostBytes], answered from the cache when
// the host was among the last ones looked up in t.
func (c *HostCache) LookupHostBytes(t *Table, host []byte) (category string, ok bool) {
	return lookupAuthority(t, host, c)
}

// NoTracker reports whether rawURL certainly names no host of t, as far as
// the quick path for ordinary URLs ("https://host/…", "//host/…", "/path",
// "path") can tell, through the cache. false means "ask LookupURLBytes":
// the URL names a tracker, or it needs the general parser. It reads no more
// of the URL than its scheme and authority (or its first two bytes for a
// relative one), so that a caller may ask before resolving character
// references in the URL when those bytes hold no '&': no reference can then
// change what it reads.
func (c *HostCache) NoTracker(t *Table, rawURL []byte) bool {
	_, ok, done := lookupURLFast(t, rawURL, c)
	return done && !ok
}

// suffixLookup is t.suffixLookup through the cache; c may be nil. h is a
// normalised host.
func (c *HostCache) suffixLookup(t *Table, h []byte) (string, bool) {
	if c == nil || len(h) == 0 || len(h) > hostCacheLen {
		return t.suffixLookup(h)
	}
	if c.t != t {
		*c = HostCache{t: t}
	}
	// One entry to compare, picked by the host's hash, which the table's
	// index needs anyway: comparing the host with each of eight entries
	// in turn cost more than the table's own lookup of most hosts.
	hh := hostHash(h)
	e := &c.ents[hh>>(64-hostCacheBits)]
	if e.hash == hh && int(e.n) == len(h) && string(e.host[:e.n]) == string(h) {
		return e.cat, e.ok
	}
	cat, ok := t.suffixLookupHash(h, hh)
	e.hash = hh
	e.n = uint8(copy(e.host[:], h))
	e.cat, e.ok = cat, ok
	return cat, ok
}
