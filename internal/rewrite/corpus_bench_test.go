package rewrite_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/consentkit/consentkit/internal/trackers"
)

// corpusPages reads the real-page corpus (../shared/corpus/pages from the
// repository root, gzipped HTML), or skips when it is absent.
func corpusPages(tb testing.TB) [][]byte {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("real-page corpus not found: no go.mod above the test")
		}
		dir = parent
	}
	names, _ := filepath.Glob(filepath.Join(dir, "..", "shared", "corpus", "pages", "*.html.gz"))
	if len(names) == 0 {
		tb.Skip("real-page corpus not found at ../shared/corpus/pages: skipping")
	}
	sort.Strings(names)
	pages := make([][]byte, 0, len(names))
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			tb.Fatal(name, err)
		}
		b, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			tb.Fatal(name, err)
		}
		pages = append(pages, b)
	}
	return pages
}

// benchCorpus runs rewrite over every corpus page once per iteration, so the
// figure is the throughput on the world's markup rather than ours.
func benchCorpus(b *testing.B, rewrite func(page []byte) error) {
	pages := corpusPages(b)
	total := 0
	for _, p := range pages {
		total += len(p)
	}
	b.ReportAllocs()
	b.SetBytes(int64(total))
	for b.Loop() {
		for _, p := range pages {
			if err := rewrite(p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pages)), "ns/page")
}

func BenchmarkRewriteCorpus(b *testing.B) {
	benchCorpus(b, func(page []byte) error { return rewriteStream(io.Discard, page, benchCfg) })
}

func BenchmarkRewriteCorpusXNetHTML(b *testing.B) {
	tab := trackers.Default()
	benchCorpus(b, func(page []byte) error { return xnetRewrite(io.Discard, bytes.NewReader(page), benchCfg, tab) })
}
