package rewrite_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/consentkit/consentkit/internal/bytescan"
	"github.com/consentkit/consentkit/internal/rewrite"
	"github.com/consentkit/consentkit/internal/trackers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
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
	// The built-in tracker table and its filter are built once per process,
	// on first use: build them here, so that a one-pass measurement (such as
	// a callgrind run with -test.benchtime 1x) counts a pass and not the
	// process's start-up.
	trackers.Default().Filter()
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

// BenchmarkRewriteCorpusNoSettingsWatch is the baseline of the look for
// the page's own settings control (rewrite.SettingsAttr) on every start tag.
func BenchmarkRewriteCorpusNoSettingsWatch(b *testing.B) {
	cfg := benchCfg
	cfg.Settings = nil
	benchCorpus(b, func(page []byte) error { return rewriteStream(io.Discard, page, cfg) })
}

func BenchmarkRewriteCorpusXNetHTML(b *testing.B) {
	tab := trackers.Default()
	var buf bytes.Buffer
	benchCorpus(b, func(page []byte) error { return xnetStream(io.Discard, page, tab, &buf) })
}

// BenchmarkRewriteCorpusRatio measures the goal's ratio itself: each
// iteration is one corpus pass of the rewriter and one of the x/net/html
// baseline, their order alternating, so that the machine's drift over
// seconds (a shared VM's neighbours, frequency) falls on both alike. Run
// one after the other, the benchmarks above can differ by 10% from run to
// run on the same code. It reports each side's MB/s and the ratio of their
// total times, "x-baseline"; ns/op is the two passes together.
//
// Both get each page in the same 4 KiB writes, as a middleware gets it
// from a handler. The rewriter streams them. The baseline's tokenizer pulls
// from a reader, so it has to be fed in one of two ways, a sub-benchmark
// each:
//   - "gathered": the writes gathered into a reused buffer and the whole
//     tokenized (xnetStream). The faster way, and the goal's figure; it
//     holds the whole page and sends nothing before its end.
//   - "streaming": each piece read as it comes (chunkReader), which streams
//     as the rewriter does. The tokenizer then moves every long token (a
//     60 KB script) to the front of its buffer at each refill.
//
// "whole" hands the baseline each page whole, a bytes.Reader of the corpus
// page, without the writes: the figure of the sessions before the baseline
// took the same input. Each sub-benchmark times only its own two sides:
// with every baseline in one loop, their passes back to back, each ran
// 10-15% slower than alongside the rewriter alone.
func BenchmarkRewriteCorpusRatio(b *testing.B) {
	pages := corpusPages(b)
	tab := trackers.Default()
	tab.Filter()
	total := 0
	for _, p := range pages {
		total += len(p)
	}
	var gathered bytes.Buffer
	for _, base := range []struct {
		name   string
		theirs func(page []byte) error
	}{
		{"gathered", func(page []byte) error { return xnetStream(io.Discard, page, tab, &gathered) }},
		{"streaming", func(page []byte) error { return xnetRewrite(io.Discard, &chunkReader{p: page}, benchCfg, tab) }},
		{"whole", func(page []byte) error { return xnetRewrite(io.Discard, bytes.NewReader(page), benchCfg, tab) }},
	} {
		b.Run(base.name, func(b *testing.B) {
			pass := func(rewrite func(page []byte) error, cpu *time.Duration) time.Duration {
				c0 := processCPU()
				start := time.Now()
				for _, p := range pages {
					if err := rewrite(p); err != nil {
						b.Fatal(err)
					}
				}
				d := time.Since(start)
				*cpu += processCPU() - c0
				return d
			}
			ours := func(page []byte) error { return rewriteStream(io.Discard, page, benchCfg) }
			theirs := base.theirs
			var tOurs, tTheirs, cOurs, cTheirs time.Duration
			// One pass of each, untimed, first: the baseline's first
			// passes in a process fault in the heap it then reuses, and
			// ran 5-8% slower, which flattered the ratio of a short run
			// (10.4-10.5x, then 9.7-10.0x in the same process).
			var warm time.Duration
			pass(theirs, &warm)
			pass(ours, &warm)
			odd := false
			for b.Loop() {
				if odd {
					tTheirs += pass(theirs, &cTheirs)
					tOurs += pass(ours, &cOurs)
				} else {
					tOurs += pass(ours, &cOurs)
					tTheirs += pass(theirs, &cTheirs)
				}
				odd = !odd
			}
			mb := float64(total) * float64(b.N) / 1e6
			b.ReportMetric(mb/tOurs.Seconds(), "MB/s-rewriter")
			b.ReportMetric(mb/tTheirs.Seconds(), "MB/s-baseline")
			b.ReportMetric(float64(tTheirs)/float64(tOurs), "x-baseline")
			if cOurs > 0 {
				b.ReportMetric(float64(cTheirs)/float64(cOurs), "x-baseline-cpu")
			}
		})
	}
}

// TestBaselineAgreesOnCorpus keeps the goal's ratio like for like: on every
// corpus page the baseline blocks the same elements as the rewriter, for the
// same categories and URLs. Each output is read back with x/net/html, and
// every start tag carrying data-ck-blocked counts once by its name, its
// categories and the first URL it holds back.
func TestBaselineAgreesOnCorpus(t *testing.T) {
	t.Parallel()
	tab := trackers.Default()
	blocked := func(out []byte) map[string]int {
		m := map[string]int{}
		z := html.NewTokenizer(bytes.NewReader(out))
		for {
			switch z.Next() {
			case html.ErrorToken:
				return m
			case html.StartTagToken, html.SelfClosingTagToken:
				tok := z.Token()
				cats, url := "", ""
				for _, a := range tok.Attr {
					switch {
					case a.Key == "data-ck-blocked":
						cats = a.Val
					case url == "" && strings.HasPrefix(a.Key, "data-ck-") && a.Key != "data-ck-type" && a.Key != "data-ck-style":
						url = a.Val
					}
				}
				if cats != "" {
					m[tok.Data+" "+cats+" "+url]++
				}
			}
		}
	}
	total := 0
	for i, p := range corpusPages(t) {
		var ours, theirs bytes.Buffer
		require.NoError(t, rewriteStream(&ours, p, benchCfg))
		require.NoError(t, xnetStream(&theirs, p, tab, new(bytes.Buffer)))
		o, th := blocked(ours.Bytes()), blocked(theirs.Bytes())
		for k, n := range o {
			total += n
			assert.Equal(t, n, th[k], "page %d: %s", i, k)
		}
		for k, n := range th {
			assert.Equal(t, n, o[k], "page %d: %s", i, k)
		}
	}
	assert.Greater(t, total, 2000, "blocked elements on the corpus")
}

// TestCorpusSteadyStateAllocs checks the zero-allocation promise on the
// world's markup: a reused Rewriter rewrites every corpus page, trackers,
// inline scripts, CSS and noscript included, without allocating once its
// buffers have grown.
func TestCorpusSteadyStateAllocs(t *testing.T) {
	pages := corpusPages(t)
	r := rewrite.Get(io.Discard, benchCfg)
	defer r.Put()
	run := func() {
		for _, p := range pages {
			r.Reset(io.Discard, benchCfg)
			if err := writeChunks(r, p); err != nil {
				t.Fatal(err)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	run() // grow the buffers once
	if n := testing.AllocsPerRun(3, run); n != 0 {
		t.Errorf("%v allocations per pass over %d pages", n, len(pages))
	}
}

// TestCorpusRecordedAttrs holds the attributes recorded while a tag is first
// scanned to what parseTag finds in it, on every judged tag of the corpus
// and the test pages, written whole and in pieces of odd sizes (a tag split
// across Writes is parsed again instead).
func TestCorpusRecordedAttrs(t *testing.T) {
	t.Parallel()
	pages := corpusPages(t)
	for _, name := range []string{"article.html", "trackers.html"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, b)
	}
	for _, chunk := range []int{1 << 30, 4096, 997} {
		for _, page := range pages {
			r := rewrite.Get(io.Discard, benchCfg)
			r.SetCheckRecorded()
			for p := page; len(p) > 0; {
				n := min(chunk, len(p))
				if _, err := r.Write(p[:n]); err != nil {
					t.Fatal(err)
				}
				p = p[n:]
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			r.Put()
		}
	}
}

// BenchmarkRewriteCorpusCacheStates splits the corpus ratio by where a
// page is when it is rewritten. "cold" is BenchmarkRewriteCorpusRatio's
// case: each page read from the 31 MB corpus in memory, out of the
// processor's caches. "warm": the page copied, untimed, into a buffer just
// before, as a handler's output is when it reaches the middleware. "hot":
// the same page rewritten a second time, its bytes cached and the branch
// predictor trained on them (an upper bound, not a case of its own). Each
// side is timed page by page; the metrics are milliseconds a pass and the
// baseline's time over the rewriter's in each state.
func BenchmarkRewriteCorpusCacheStates(b *testing.B) {
	pages := corpusPages(b)
	tab := trackers.Default()
	tab.Filter()
	ours := func(page []byte) error { return rewriteStream(io.Discard, page, benchCfg) }
	var gathered bytes.Buffer
	theirs := func(page []byte) error { return xnetStream(io.Discard, page, tab, &gathered) }
	largest := 0
	for _, p := range pages {
		largest = max(largest, len(p))
	}
	buf := make([]byte, largest)
	var cold, warm, hot [2]time.Duration // [0] the rewriter, [1] the baseline
	timed := func(f func([]byte) error, p []byte) time.Duration {
		start := time.Now()
		if err := f(p); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for b.Loop() {
		for side, f := range []func([]byte) error{ours, theirs} {
			for _, p := range pages {
				cold[side] += timed(f, p)
				hot[side] += timed(f, p)
			}
			for _, p := range pages {
				w := buf[:len(p)]
				copy(w, p)
				warm[side] += timed(f, w)
			}
		}
	}
	for _, s := range []struct {
		name string
		d    [2]time.Duration
	}{{"cold", cold}, {"warm", warm}, {"hot", hot}} {
		b.ReportMetric(float64(s.d[0].Microseconds())/1e3/float64(b.N), "ms-rewriter-"+s.name)
		b.ReportMetric(float64(s.d[1].Microseconds())/1e3/float64(b.N), "ms-baseline-"+s.name)
		b.ReportMetric(float64(s.d[1])/float64(s.d[0]), "x-baseline-"+s.name)
	}
}

// TestCorpusScriptsVectorMatchesDotByDot judges every inline script of the
// corpus with its dots and '(' read a block at a time (where the processor
// can) and one at a time, and wants the same category from both.
func TestCorpusScriptsVectorMatchesDotByDot(t *testing.T) {
	pages := corpusPages(t)
	sc := rewrite.NewScanner(trackers.Default())
	scripts, found := 0, 0
	for _, page := range pages {
		for rest := page; ; {
			i := bytes.Index(rest, []byte("<script"))
			if i < 0 {
				break
			}
			rest = rest[i:]
			gt := bytes.IndexByte(rest, '>')
			end := bytes.Index(rest, []byte("</script"))
			if gt < 0 || end < gt {
				rest = rest[len("<script"):]
				continue
			}
			text := rest[gt+1 : end]
			rest = rest[end:]
			vector := sc.Script(text)
			was := bytescan.SetVector(false)
			scalar := sc.Script(text)
			bytescan.SetVector(was)
			if vector != scalar {
				t.Fatalf("script of %d bytes: %q a block at a time, %q a dot at a time", len(text), vector, scalar)
			}
			scripts++
			if vector != "" {
				found++
			}
		}
	}
	t.Logf("%d scripts, %d of them a tracker's, judged alike", scripts, found)
}
