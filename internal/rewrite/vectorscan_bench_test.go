package rewrite_test

import (
	"io"
	"testing"
	"time"

	"github.com/consentkit/consentkit/internal/bytescan"
	"github.com/consentkit/consentkit/internal/trackers"
)

// BenchmarkRewriteCorpusVectorScan measures what reading the dots of inline
// scripts (trackers.HostFilter.DotCandidates) and the '(' of small ones
// (parenCandidates), both on bytescan, a block at a time gains over reading them one at a
// time, the way the in-process A/B comparisons of
// docs/PERFORMANCE.md are made: one binary, the two settings alternating
// pass by pass, the processor's caches flushed by a 96 MiB write before
// each pass, so that both read the corpus from memory as the ratio
// benchmark does. "x-dot-at-a-time" is the dot-at-a-time passes' time over
// the vector's; it is 1 where the processor has no vector body.
func BenchmarkRewriteCorpusVectorScan(b *testing.B) {
	pages := corpusPages(b)
	trackers.Default().Filter()
	evict := make([]byte, 96<<20)
	was := bytescan.SetVector(true)
	defer bytescan.SetVector(was)
	pass := func(vector bool) time.Duration {
		bytescan.SetVector(vector)
		for i := range evict {
			evict[i] = byte(i)
		}
		start := time.Now()
		for _, p := range pages {
			if err := rewriteStream(io.Discard, p, benchCfg); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var scalar, vector time.Duration
	odd := false
	for b.Loop() {
		if odd {
			vector += pass(true)
			scalar += pass(false)
		} else {
			scalar += pass(false)
			vector += pass(true)
		}
		odd = !odd
	}
	b.ReportMetric(float64(scalar)/float64(vector), "x-dot-at-a-time")
	b.ReportMetric(float64(scalar.Microseconds())/1e3/float64(b.N), "ms-dot-at-a-time")
	b.ReportMetric(float64(vector.Microseconds())/1e3/float64(b.N), "ms-vector")
}
