package trackers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHostCacheAnswersAsTheTable looks a stream of URLs up through one
// cache, with more distinct hosts than it holds, hosts too long for it,
// hosts that differ only in length or letter case, and a switch to a table
// that says otherwise about a cached host: every answer must be the table's.
func TestHostCacheAnswersAsTheTable(t *testing.T) {
	t.Parallel()
	def := Default()
	mine := def.With(map[string]string{"doubleclick.net": "", "example.org": "marketing"})
	long := "https://" + strings.Repeat("a", hostCacheLen) + ".doubleclick.net/x"
	urls := []string{
		"https://ad.doubleclick.net/x", "https://example.org/a", "https://ad.doubleclick.net/y",
		"//www.google-analytics.com/a.js", "https://cdn.example.com/1.png", "https://ad.doubleclick.net.",
		"https://AD.DoubleClick.NET/z", "https://d.doubleclick.net/", "https://example.org/b", long, long,
		"https://connect.facebook.net/x", "https://cdn.example.com/2.png", "https://ad.doubleclick.ne/",
		"https://a.example.org/", "/relative", "https://ad.doubleclick.net/y",
		// URLs that begin with the last one's scheme and authority but
		// name another host, or the same one another way.
		"https://example.org", "https://example.org.doubleclick.net/", "https://example.org?q", "https://example.org#f",
		"https://example.org", "https://example.org:443/", "https://example.org", "https://example.orgx.doubleclick.net/",
		"https://example.org", "https://example.org./", "https://example.org", "https://example.org\\doubleclick.net/",
		"//ad.doubleclick.net", "//ad.doubleclick.net@example.org/", "//ad.doubleclick.net", "//ad.doubleclick.net/",
	}
	for k := range 2 * hostCacheSize { // more hosts than the cache holds
		urls = append(urls, fmt.Sprintf("https://h%d.doubleclick.net/", k), fmt.Sprintf("https://h%d.example.net/", k))
	}
	var hc HostCache
	for round := range 3 {
		for _, tab := range []*Table{def, def, mine, def} {
			for _, u := range urls {
				wantC, wantOK := tab.LookupURL(u)
				c, ok := hc.LookupURLBytes(tab, []byte(u))
				assert.Equal(t, wantC, c, "round %d: %s", round, u)
				assert.Equal(t, wantOK, ok, "round %d: %s", round, u)
				host := strings.TrimPrefix(strings.TrimPrefix(u, "https:"), "//")
				host, _, _ = strings.Cut(host, "/")
				wantC, wantOK = tab.Lookup(host)
				c, ok = hc.LookupHostBytes(tab, []byte(host))
				assert.Equal(t, wantC, c, "round %d: host %s", round, host)
				assert.Equal(t, wantOK, ok, "round %d: host %s", round, host)
			}
		}
	}
}

// TestHostCacheTableSwitch looks the same URL up in two tables one after
// the other: the answer remembered for the URL's start is the first
// table's, and must not be the second's.
func TestHostCacheTableSwitch(t *testing.T) {
	t.Parallel()
	def := Default()
	mine := def.With(map[string]string{"doubleclick.net": "", "example.org": "marketing"})
	var hc HostCache
	for _, u := range []string{"https://example.org/a", "https://ad.doubleclick.net/x"} {
		for _, tab := range []*Table{def, mine, def, mine} {
			wantC, wantOK := tab.LookupURL(u)
			c, ok := hc.LookupURLBytes(tab, []byte(u))
			assert.Equal(t, wantC, c, u)
			assert.Equal(t, wantOK, ok, u)
		}
	}
}

// BenchmarkLookupURLCached is BenchmarkLookupURL's URLs through a HostCache,
// as the rewriter looks them up; the table alone is the baseline.
func BenchmarkLookupURLCached(b *testing.B) {
	tab := Default()
	urls := [][]byte{
		[]byte("https://cdn.example.com/img/1.png"), []byte("https://cdn.example.com/img/2.png"),
		[]byte("https://www.google-analytics.com/analytics.js"), []byte("https://cdn.example.com/img/3.png"),
	}
	b.Run("table", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, u := range urls {
				tab.LookupURLBytes(u)
			}
		}
	})
	b.Run("cache", func(b *testing.B) {
		var hc HostCache
		b.ReportAllocs()
		for b.Loop() {
			for _, u := range urls {
				hc.LookupURLBytes(tab, u)
			}
		}
	})
}

// TestNoTrackerAgreesWithTheTable holds HostCache.NoTracker to the table:
// it may only say true for a URL the table does not match, and it must say
// true for the ordinary URLs it exists for (a path that begins with a
// letter might be a scheme: the general parser decides).
func TestNoTrackerAgreesWithTheTable(t *testing.T) {
	t.Parallel()
	tab := Default()
	var hc HostCache
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://cdn.example.com/a.png", true}, {"//cdn.example.com", true}, {"/a.png", true},
		{"a.png", false}, {"https://cdn.example.com?x", true}, {"https://cdn.example.com/b.png", true},
		{"https://ad.doubleclick.net/x", false}, {"//ad.doubleclick.net", false},
		{"https://ad.doubleclick.net/y", false}, // the remembered start
		{"https://ad&#46;doubleclick.net/x", false}, {"//x", true}, {" //ad.doubleclick.net", false},
		{"https:\\\\ad.doubleclick.net", false}, {"HTTPS://ad.doubleclick.net", false}, {"/\\ad.doubleclick.net", false},
	} {
		got := hc.NoTracker(tab, []byte(tc.url))
		assert.Equal(t, tc.want, got, tc.url)
		if _, ok := tab.LookupURL(tc.url); got && ok {
			t.Errorf("NoTracker(%q) is true but the table matches it", tc.url)
		}
	}
}

// TestHostIndexAnswersAsTheMap holds the table's hash index (and the
// HostCache over it) to its map: every host of the table, its parents and
// children, hosts that share a hash's inputs (length, first and last eight
// bytes) with a table host, and a table with one-label hosts, whose last
// labels must then be looked up too.
func TestHostIndexAnswersAsTheMap(t *testing.T) {
	t.Parallel()
	mapLookup := func(tab *Table, h string) (string, bool) {
		if !tab.Filter().MayMatchHost([]byte(h)) {
			return "", false
		}
		return mapSuffixLookup(tab, h)
	}
	def := Default()
	mid := def.With(map[string]string{"aaaaaaaa.x.bbbbbbbb.com": "marketing", "com": "analytics", "localhost": "x"})
	var hosts []string
	for h := range def.hosts {
		hosts = append(hosts, h, "a."+h, h[1:], h[:len(h)-1], "x"+h[1:])
		if i := strings.IndexByte(h, '.'); i >= 0 {
			hosts = append(hosts, h[i+1:])
		}
	}
	hosts = append(hosts, "aaaaaaaa.x.bbbbbbbb.com", "aaaaaaaa.y.bbbbbbbb.com", "q.aaaaaaaa.x.bbbbbbbb.com",
		"example.com", "com", "localhost", "a.localhost", "", "x")
	for _, tab := range []*Table{def, mid} {
		var hc HostCache
		for round := range 2 {
			for _, h := range hosts {
				wantC, wantOK := mapLookup(tab, h)
				if c, ok := tab.suffixLookup([]byte(h)); c != wantC || ok != wantOK {
					t.Errorf("index, round %d: %q: %q %v, the map: %q %v", round, h, c, ok, wantC, wantOK)
				}
				if c, ok := hc.suffixLookup(tab, []byte(h)); c != wantC || ok != wantOK {
					t.Errorf("cache, round %d: %q: %q %v, the map: %q %v", round, h, c, ok, wantC, wantOK)
				}
			}
		}
	}
	assert.False(t, def.index.single, "the built-in table has a host of one label")
	assert.True(t, mid.index.single)
}
