package trackers

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"testing"
)

// benchHosts mixes tracker hosts (matched directly or through a parent) with
// the first-party and CDN hosts a page loads far more often, which walk every
// parent domain and miss.
var benchHosts = []string{
	"www.googletagmanager.com",
	"connect.facebook.net",
	"static.hotjar.com",
	"securepubads.g.doubleclick.net",
	"www.google-analytics.com",
	"cdn.example.com",
	"ajax.googleapis.com",
	"fonts.gstatic.com",
	"static.example.org",
	"images.news-site.co.uk",
}

// BenchmarkLookupHost compares Table.Lookup on bare hosts with the floor:
// a plain map index of the same, already normalised hosts, with the same
// parent-domain walk.
func BenchmarkLookupHost(b *testing.B) {
	tab := Default()
	b.Run("table", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, h := range benchHosts {
				tab.Lookup(h)
			}
		}
	})
	b.Run("baseline-plain-map", func(b *testing.B) {
		m := make(map[string]string, len(tab.hosts))
		for h, c := range tab.hosts {
			m[h] = c
		}
		b.ReportAllocs()
		for b.Loop() {
			for _, h := range benchHosts {
				plainMapLookup(m, h)
			}
		}
	})
}

// BenchmarkLookupHostSlowPath is the path for hosts that are percent-encoded
// or not ASCII (UTS #46 mapping); the ASCII spelling is the baseline.
func BenchmarkLookupHostSlowPath(b *testing.B) {
	tab := Default()
	for _, tt := range []struct{ name, host string }{
		{"ascii-baseline", "www.google-analytics.com"},
		{"percent-encoded", "www.google-analytics%2ecom"},
		{"ideographic-full-stop", "www.google-analytics\u3002com"},
		{"full-width", "\uff57\uff57\uff57.google-analytics.com"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := tab.Lookup(tt.host); !ok {
					b.Fatal("not found")
				}
			}
		})
	}
}

// BenchmarkBuildDefault measures what the first Default call costs: parsing
// the generated data and building the map. retained-B is the heap the table
// keeps (its host strings point into the data constant, outside the heap).
func BenchmarkBuildDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		runtime.KeepAlive(builtinHosts())
	}
	b.StopTimer()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	h := builtinHosts()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "retained-B")
	b.ReportMetric(float64(len(h)), "hosts")
	runtime.KeepAlive(h)
}

func plainMapLookup(m map[string]string, h string) (string, bool) {
	for {
		if c, ok := m[h]; ok {
			return c, true
		}
		i := 0
		for i < len(h) && h[i] != '.' {
			i++
		}
		if i == len(h) {
			return "", false
		}
		h = h[i+1:]
	}
}

// BenchmarkLookupCorpusURLs looks up every absolute src and href URL of the
// real-page corpus, the mix the rewriter sees.
func BenchmarkLookupCorpusURLs(b *testing.B) {
	urls := corpusURLs(b)
	tab := Default()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, u := range urls {
			tab.LookupURLBytes(u)
		}
	}
	b.ReportMetric(float64(len(urls)), "urls/op")
}

// BenchmarkLookupCorpusURLsGoogleTag is BenchmarkLookupCorpusURLs with the
// advanced Consent Mode table: its check runs on tracker hits only.
func BenchmarkLookupCorpusURLsGoogleTag(b *testing.B) {
	urls := corpusURLs(b)
	tab := Default().WithGoogleTag()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, u := range urls {
			tab.LookupURLBytes(u)
		}
	}
	b.ReportMetric(float64(len(urls)), "urls/op")
}

var (
	corpusOnce sync.Once
	corpusList [][]byte
)

var srcAttr = regexp.MustCompile(`(?i)\s(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)`)

// corpusURLs returns the absolute and protocol-relative src and href values
// of ../shared/corpus/pages, skipping when the corpus is absent.
func corpusURLs(tb testing.TB) [][]byte {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "pages")
	files, _ := filepath.Glob(filepath.Join(dir, "*.html.gz"))
	if len(files) == 0 {
		tb.Skipf("no corpus at %s", dir)
	}
	corpusOnce.Do(func() {
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				continue
			}
			page, _ := io.ReadAll(zr)
			for _, m := range srcAttr.FindAllSubmatch(page, -1) {
				corpusList = append(corpusList, m[1])
			}
		}
	})
	return corpusList
}
