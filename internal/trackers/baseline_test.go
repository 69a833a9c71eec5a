package trackers

import (
	"net/url"
	"strings"
)

// baselineLookup is the straightforward implementation the benchmark compares
// against: parse with net/url, lower-case, walk parent domains.
func baselineLookup(t *Table, raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", false
	}
	return mapSuffixLookup(t, strings.ToLower(u.Hostname()))
}

// mapSuffixLookup is the obvious suffix walk over the table's map: h and
// each parent domain of h, most specific first.
func mapSuffixLookup(t *Table, h string) (string, bool) {
	for h != "" {
		if c, ok := t.hosts[h]; ok {
			return c, true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return "", false
}
