package locales

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

// testBundle builds a bundle from synthetic catalogs with the given tags, so
// matching rules can be tested against a known set whatever files exist.
func testBundle(t testing.TB, tags ...string) *bundle {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, tag := range tags {
		fsys["messages/"+tag+".json"] = &fstest.MapFile{
			Data: fmt.Appendf(nil, `{"_name": "name %s", "_dir": "ltr", "banner.title": "title %s"}`, tag, tag),
		}
	}
	b := newBundle(fsys)
	require.Empty(t, b.errs)
	require.Len(t, b.locales, len(tags))
	return b
}

type matchCase struct {
	name      string
	header    string
	preferred []string
	want      string
}

// matchCases hold for any catalog set that has every tag they expect.
var matchCases = []matchCase{
	{name: "exact", header: "fr", want: "fr"},
	{name: "en-GB falls back to en", header: "en-GB", want: "en"},
	{name: "de-AT falls back to de", header: "de-AT", want: "de"},
	{name: "pt-BR has its own", header: "pt-BR", want: "pt-BR"},
	{name: "pt-PT uses pt", header: "pt-PT", want: "pt"},
	{name: "pt-AO uses pt", header: "pt-AO", want: "pt"},
	{name: "es-MX uses es-419", header: "es-MX", want: "es-419"},
	{name: "es-AR uses es-419", header: "es-AR", want: "es-419"},
	{name: "es-ES uses es", header: "es-ES", want: "es"},
	{name: "zh-TW uses zh-Hant", header: "zh-TW", want: "zh-Hant"},
	{name: "zh-HK uses zh-Hant", header: "zh-HK", want: "zh-Hant"},
	{name: "zh-CN uses zh-Hans", header: "zh-CN", want: "zh-Hans"},
	{name: "zh uses zh-Hans", header: "zh", want: "zh-Hans"},
	{name: "nb", header: "nb-NO", want: "nb"},
	{name: "no means Bokmal", header: "no", want: "nb"},
	{name: "sr-Latn uses the Cyrillic sr", header: "sr-Latn", want: "sr"},
	{name: "sr-Latn beats a lower English", header: "sr-Latn-RS, en;q=0.5", want: "sr"},
	{name: "sh is sr-Latn", header: "sh", want: "sr"},
	{name: "q-values order", header: "fr;q=0.1, de;q=0.9", want: "de"},
	{name: "q=0 refuses", header: "fr;q=0, de;q=0.1", want: "de"},
	{name: "browser header", header: "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", want: "de"},
	{name: "unsupported first", header: "tlh, it;q=0.5", want: "it"},
	{name: "private use skipped", header: "x-klingon, it", want: "it"},
	{name: "star", header: "*", want: "en"},
	{name: "empty", header: "", want: "en"},
	{name: "garbage", header: "!!!@@@ ;;; ,,,", want: "en"},
	{name: "one bad entry", header: "de, !!!, fr", want: "de"},
	{name: "unknown language entry", header: "qqq-bogus-x, fr", want: "fr"},
	{name: "bad q", header: "fr;q=abc, de;q=0.5", want: "de"},
	{name: "very long header keeps its head", header: "de;q=0.9, " + strings.Repeat("x-a, ", 5000), want: "de"},
	{name: "very long header drops its tail", header: strings.Repeat("x-a, ", 5000) + "de", want: "en"},
	{name: "one huge token", header: strings.Repeat("a", 1<<20), want: "en"},
	{name: "many dashes", header: strings.Repeat("de-", 100000), want: "en"},
	{name: "preferred wins", header: "de", preferred: []string{"fr"}, want: "fr"},
	{name: "preferred in order", header: "de", preferred: []string{"it", "fr"}, want: "it"},
	{name: "empty and invalid preferred skipped", header: "de", preferred: []string{"", "not a tag!", "fr"}, want: "fr"},
	{name: "unsupported preferred skipped", header: "de", preferred: []string{"tlh", "yo"}, want: "de"},
	{name: "regional preferred", header: "de", preferred: []string{"fr-CA"}, want: "fr"},
	{name: "preferred sr-Latn", header: "de", preferred: []string{"sr-Latn"}, want: "sr"},
	{name: "preferred with spaces", header: "", preferred: []string{"  it  "}, want: "it"},
	{name: "huge preferred ignored", header: "de", preferred: []string{strings.Repeat("a", 1000)}, want: "de"},
	{name: "preferred and garbage header", header: "@@@", preferred: []string{"pt-PT"}, want: "pt"},
}

func TestMatchRules(t *testing.T) {
	t.Parallel()
	b := testBundle(t, "en", "de", "fr", "it", "es", "es-419", "pt", "pt-BR", "zh-Hans", "zh-Hant", "nb", "nn", "sr", "hr", "ca")
	for _, tt := range matchCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Twice: the second call is served from the cache.
			for range 2 {
				assert.Equal(t, tt.want, b.match(tt.header, tt.preferred...).Tag.String())
			}
		})
	}
}

// TestMatchRealCatalogs runs the same cases against the embedded catalogs.
func TestMatchRealCatalogs(t *testing.T) {
	t.Parallel()
	have := map[string]bool{}
	for _, l := range Locales() {
		have[l.Tag.String()] = true
	}
	for _, tt := range matchCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !have[tt.want] {
				t.Skipf("no %s catalog yet", tt.want)
			}
			assert.Equal(t, tt.want, Match(tt.header, tt.preferred...).Tag.String())
		})
	}
}

// TestMatchNorwegianVariants covers the ways the Norwegian catalogs may be
// filed: x/text alone would serve nb from Danish when the file is "no".
func TestMatchNorwegianVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tags   []string
		header string
		want   string
	}{
		{"nb asked, no filed", []string{"en", "da", "no"}, "nb", "no"},
		{"nn asked, no filed", []string{"en", "da", "no"}, "nn-NO", "no"},
		{"no asked, no filed", []string{"en", "da", "no"}, "no", "no"},
		{"nn asked, nb filed", []string{"en", "da", "nb"}, "nn", "nb"},
		{"no asked, nb filed", []string{"en", "da", "nb"}, "no", "nb"},
		{"nb asked, nn filed", []string{"en", "da", "nn"}, "nb", "nn"},
		{"nn asked, both filed", []string{"en", "nb", "nn"}, "nn", "nn"},
		{"Danish still Danish", []string{"en", "da", "nb"}, "da", "da"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := testBundle(t, tt.tags...)
			assert.Equal(t, tt.want, b.match(tt.header).Tag.String())
		})
	}
}

func TestMatchSerbianLatinCatalog(t *testing.T) {
	t.Parallel()
	b := testBundle(t, "en", "sr", "sr-Latn")
	assert.Equal(t, "sr-Latn", b.match("sr-Latn").Tag.String(), "a Latin catalog, once there, is used")
	assert.Equal(t, "sr", b.match("sr-Cyrl-RS").Tag.String())
}

func TestMatchEveryCatalogMatchesItself(t *testing.T) {
	t.Parallel()
	for _, l := range Locales() {
		t.Run(l.Tag.String(), func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, l, Match(l.Tag.String()), "as the header")
			assert.Equal(t, l, Match("tlh", l.Tag.String()), "as a preferred value")
		})
	}
}

func TestMatchCacheBounded(t *testing.T) {
	t.Parallel()
	b := testBundle(t, "en", "de")
	for i := range 3 * cacheCap {
		require.Equal(t, "de", b.match(fmt.Sprintf("de, x-%d", i)).Tag.String())
		require.Equal(t, "en", b.match("", fmt.Sprintf("x-%d", i)).Tag.String())
	}
	assert.Equal(t, cacheCap, b.headers.len())
	assert.Equal(t, cacheCap, b.preferred.len())

	long := "de, " + strings.Repeat("x-a, ", maxCachedKeyLen)
	b2 := testBundle(t, "en", "de")
	assert.Equal(t, "de", b2.match(long).Tag.String())
	assert.Zero(t, b2.headers.len(), "long headers are not kept")
}

func TestMatchCacheHitAllocationFree(t *testing.T) {
	const header = "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"
	Match(header)
	Match(header, "fr-CA")
	assert.Zero(t, testing.AllocsPerRun(100, func() { Match(header) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { Match(header, "", "fr-CA") }))
}

func TestMatchConcurrent(t *testing.T) {
	t.Parallel()
	b := testBundle(t, "en", "de", "fr")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2 * cacheCap {
				want := "de"
				if i%2 == 0 {
					want = "fr"
				}
				h := fmt.Sprintf("%s, x-%d-%d", want, g, i%(cacheCap/2))
				assert.Equal(t, want, b.match(h).Tag.String())
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, b.headers.len(), cacheCap)
}

func FuzzMatch(f *testing.F) {
	f.Add("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "")
	f.Add("fr;q=0.1, de;q=0.9", "pt-PT")
	f.Add("*", "sr-Latn")
	f.Add("de, !!!, fr", "not a tag!")
	f.Add("zh-HK", "nn-NO")
	f.Add("x-klingon;q=abc", "en-u-co-phonebk-x-a")
	b := load()
	f.Fuzz(func(t *testing.T, header, pref string) {
		l := Match(header, pref)
		i, ok := b.index[l.Tag]
		require.True(t, ok, "Match returned %v, which has no catalog", l.Tag)
		assert.Equal(t, b.locales[i], l)
		if strings.TrimSpace(pref) == "" {
			assert.Equal(t, b.locales[b.matchHeader(header)], l, "cached and uncached agree")
		}
	})
}

// benchHeader is what a German Chrome sends.
const benchHeader = "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"

// BenchmarkMatch is the hot path: a header already seen.
func BenchmarkMatch(b *testing.B) {
	Match(benchHeader)
	b.ReportAllocs()
	for b.Loop() {
		Match(benchHeader)
	}
}

// BenchmarkMatchParallel is BenchmarkMatch from every core at once, which is
// what the read lock is for.
func BenchmarkMatchParallel(b *testing.B) {
	Match(benchHeader)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			Match(benchHeader)
		}
	})
}

// BenchmarkMatchMiss is a header never seen before: our normalisation and
// tolerant parsing on top of x/text.
func BenchmarkMatchMiss(b *testing.B) {
	bn := load()
	b.ReportAllocs()
	for b.Loop() {
		bn.matchHeader(benchHeader)
	}
}

// BenchmarkMatchUncached is the baseline: the plain x/text matcher, parsing
// the header on every call.
func BenchmarkMatchUncached(b *testing.B) {
	m := load().matcher
	b.ReportAllocs()
	for b.Loop() {
		language.MatchStrings(m, benchHeader)
	}
}

func BenchmarkLookup(b *testing.B) {
	l := Match(benchHeader)
	b.ReportAllocs()
	for b.Loop() {
		l.Text("banner.accept_all")
	}
}
