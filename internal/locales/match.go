package locales

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Limits on attacker-controlled input. Real Accept-Language headers are well
// under 200 bytes and real tags under 40.
const (
	// maxHeaderLen bounds the work one header can cause: the rest is cut at
	// the last comma before it, since later entries matter least anyway.
	maxHeaderLen = 1024
	// maxTagLen rejects absurd "tags" before x/text parses them.
	maxTagLen = 128
	// maxCachedKeyLen keeps odd long strings out of the caches, so they hold
	// at most cacheCap*maxCachedKeyLen bytes of keys each.
	maxCachedKeyLen = 256
	// cacheCap bounds the entries of each cache: headers come from anyone,
	// and an unbounded map keyed by them would be a memory leak on demand.
	cacheCap = 512
)

// Match returns the locale to show a visitor. Each non-empty preferred value
// (a visitor's explicit choice, the page's lang, a developer option) is tried
// in order and wins if a catalog serves it, exactly or as a regional or
// script variant (de-AT is served by de); invalid values are ignored. Then
// the Accept-Language header decides through the x/text matcher, with
// English as the default. Match never fails: garbage gives English.
//
// Results are cached per string in small bounded caches, so the repeated
// headers of real traffic cost a map lookup and no allocation.
func Match(acceptLanguage string, preferred ...string) Locale {
	return load().match(acceptLanguage, preferred...)
}

func (b *bundle) match(acceptLanguage string, preferred ...string) Locale {
	for _, p := range preferred {
		if i := b.preferredIndex(p); i >= 0 {
			return b.locales[i]
		}
	}
	return b.locales[b.headerIndex(acceptLanguage)]
}

// preferredIndex returns the catalog serving the single tag p, or -1.
func (b *bundle) preferredIndex(p string) int {
	p = strings.TrimSpace(p)
	if p == "" || len(p) > maxTagLen {
		return -1
	}
	if i, ok := b.preferred.get(p); ok {
		return i
	}
	i := -1
	if tag, err := language.Parse(p); err == nil {
		if j, ok := b.matchTag(tag); ok {
			i = j
		}
	}
	b.preferred.put(p, i)
	return i
}

// matchTag finds the catalog for one tag. Only a catalog in the same
// language counts, in any region or script: x/text rates English a good
// match for Yoruba and Spanish for Galician, which suits a header, but an
// explicit choice of Yoruba should fall through to the visitor's header
// rather than land on a language they did not pick.
func (b *bundle) matchTag(tag language.Tag) (int, bool) {
	tag = b.norm.normalize(tag)
	_, i, conf := b.matcher.Match(tag)
	if conf < language.High {
		return 0, false
	}
	want, _ := tag.Base()
	got, _ := b.locales[i].Tag.Base()
	return i, want == got
}

// headerIndex returns the catalog for an Accept-Language value, English when
// nothing matches.
func (b *bundle) headerIndex(h string) int {
	if i, ok := b.headers.get(h); ok {
		return i
	}
	i := b.matchHeader(h)
	b.headers.put(h, i)
	return i
}

// matchHeader is headerIndex without the cache.
func (b *bundle) matchHeader(h string) int {
	tags := parseAcceptLanguage(truncateHeader(h))
	for i, t := range tags {
		tags[i] = b.norm.normalize(t)
	}
	_, i, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return 0
	}
	return i
}

// truncateHeader cuts h to at most maxHeaderLen bytes at an entry boundary.
func truncateHeader(h string) string {
	if len(h) <= maxHeaderLen {
		return h
	}
	h = h[:maxHeaderLen]
	if i := strings.LastIndexByte(h, ','); i >= 0 {
		return h[:i]
	}
	return h
}

// parseAcceptLanguage returns the header's tags in order of preference.
// x/text rejects a whole header for one malformed entry; browsers,
// extensions and proxies do send odd entries, so on error the entries are
// parsed one by one and the good ones kept.
func parseAcceptLanguage(h string) []language.Tag {
	tags, _, err := language.ParseAcceptLanguage(h)
	if err == nil {
		return tags
	}
	type entry struct {
		tag language.Tag
		q   float32
	}
	var entries []entry
	for part := range strings.SplitSeq(h, ",") {
		ts, qs, err := language.ParseAcceptLanguage(part)
		if err != nil {
			continue
		}
		for i := range ts {
			entries = append(entries, entry{ts[i], qs[i]})
		}
	}
	// Stable, so entries of equal weight keep the visitor's order.
	slices.SortStableFunc(entries, func(x, y entry) int { return cmp.Compare(y.q, x.q) })
	tags = make([]language.Tag, len(entries))
	for i, e := range entries {
		tags[i] = e.tag
	}
	return tags
}

// Subtags the normalizer rewrites.
var (
	baseSR     = language.MustParseBase("sr")
	scriptLatn = language.MustParseScript("Latn")
	regionZZ   = language.MustParseRegion("ZZ")
	// norwegian lists the Norwegian codes in the order a catalog is chosen
	// among them: "no" means Bokmål in practice, and readers of Nynorsk read
	// Bokmål as well.
	norwegian = []language.Base{
		language.MustParseBase("nb"),
		language.MustParseBase("no"),
		language.MustParseBase("nn"),
	}
)

// normalizer rewrites requested tags where the x/text matcher's data does
// not give what visitors expect from the catalogs we actually have: it
// scores sr-Latn against the Cyrillic sr catalog as a weak match that loses
// to any other header entry, and it serves nb from Danish when the Norwegian
// catalog is filed as "no".
type normalizer struct {
	srLatn    bool // a Serbian Latin catalog exists: leave sr-Latn alone
	bases     map[language.Base]bool
	norwegian language.Base // the Norwegian code that has a catalog
	hasNorw   bool
}

func newNormalizer(supported []language.Tag) normalizer {
	n := normalizer{bases: make(map[language.Base]bool)}
	for _, t := range supported {
		base, script, _ := t.Raw()
		n.bases[base] = true
		if base == baseSR && script == scriptLatn {
			n.srLatn = true
		}
	}
	for _, nb := range norwegian {
		if n.bases[nb] {
			n.norwegian, n.hasNorw = nb, true
			break
		}
	}
	return n
}

func (n normalizer) normalize(t language.Tag) language.Tag {
	base, script, region := t.Raw()
	switch {
	case base == baseSR && script == scriptLatn && !n.srLatn:
		return compose(t, base, region)
	case n.hasNorw && !n.bases[base] && slices.Contains(norwegian, base):
		return compose(t, n.norwegian, region)
	}
	return t
}

// compose builds base[-region], keeping t if x/text refuses the result.
func compose(t language.Tag, base language.Base, region language.Region) language.Tag {
	parts := []any{base}
	if region != regionZZ {
		parts = append(parts, region)
	}
	c, err := language.Compose(parts...)
	if err != nil {
		return t
	}
	return c
}

// cache is a small bounded map from input strings to catalog indexes.
// A read lock keeps hits cheap and allocation-free; when full, an arbitrary
// entry (Go's map order is randomised) makes room, which needs no
// bookkeeping and cannot be steered by an attacker into evicting a chosen key.
type cache struct {
	mu sync.RWMutex
	m  map[string]int
}

func (c *cache) init() { c.m = make(map[string]int, cacheCap) }

func (c *cache) get(key string) (int, bool) {
	c.mu.RLock()
	v, ok := c.m[key]
	c.mu.RUnlock()
	return v, ok
}

func (c *cache) put(key string, v int) {
	if len(key) > maxCachedKeyLen {
		return
	}
	// Clone so the cache never pins a larger buffer the key was cut from.
	key = strings.Clone(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok && len(c.m) >= cacheCap {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[key] = v
}

func (c *cache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
