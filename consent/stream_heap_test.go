package consent

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestHugeHTMLStreamsInBoundedMemory pushes 256 MiB of HTML through the
// whole middleware (wrapper, banner, rewriter) and samples the live heap
// while it streams: no whole-body buffering, ever.
func TestHugeHTMLStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 256 MiB")
	}
	m := fuzzManager(t)
	chunk := []byte(strings.Repeat(`<p class="c">Harbour news, <a href="/x">more</a>.</p><script src="https://www.google-analytics.com/a.js"></script>`+"\n", 300))
	const total = 256 << 20
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<!doctype html><html><head><title>big</title></head><body>")
		for n := 0; n < total; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, "</body></html>")
	}))
	out := &countingWriter{h: http.Header{}}
	runtime.GC()
	base := liveHeap()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if v := liveHeap(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	h.ServeHTTP(out, httptest.NewRequest(http.MethodGet, "/", nil))
	close(stop)
	<-done
	grown := int64(peak.Load()) - int64(base)
	t.Logf("streamed %d MiB; heap grew by at most %.2f MiB over %.2f MiB at start", out.n>>20, float64(grown)/(1<<20), float64(base)/(1<<20))
	assert.Greater(t, out.n, int64(total))
	assert.Less(t, grown, int64(16<<20), "peak heap growth must stay under 16 MiB")
}

type countingWriter struct {
	h http.Header
	n int64
}

func (c *countingWriter) Header() http.Header         { return c.h }
func (c *countingWriter) WriteHeader(int)             {}
func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// liveHeap reads the heap in use by objects (live and not yet swept).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
