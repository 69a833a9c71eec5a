package frameworktest

import (
	"net/http"
	"testing"
)

// DataPath is the non-HTML route benchmarks request: a framework module's app
// serves a small JSON body there, which consentkit must pass through
// untouched, so the benchmark measures the middleware's fixed cost per
// request.
const DataPath = "/data"

// DataBody is what DataPath serves, with Content-Type application/json.
const DataBody = `{"ok":true,"items":[1,2,3]}`

// Benchmark serves GET path from h b.N times, with cookie when it is not nil
// (a repeat visitor's consent cookie, from ConsentCookie). Call it with the
// bare app and with the app behind consentkit, in the same file, to report
// the overhead; run with -benchmem.
func Benchmark(b *testing.B, h http.Handler, path string, cookie *http.Cookie) {
	req, err := http.NewRequest(http.MethodGet, "http://example.com"+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	if cookie != nil {
		req.AddCookie(cookie)
	}
	w := &benchWriter{h: http.Header{}}
	// One request outside the timer: it must succeed, so a broken mounting
	// is not measured as a fast one.
	h.ServeHTTP(w, req)
	if w.code != http.StatusOK || w.n != len(DataBody) {
		b.Fatalf("GET %s: status %d, %d bytes; want 200 and %d bytes", path, w.code, w.n, len(DataBody))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		w.code, w.n = 0, 0
		h.ServeHTTP(w, req)
	}
}

// benchWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the app and the middleware, not a recorder's buffer.
type benchWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *benchWriter) Header() http.Header { return w.h }

func (w *benchWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func (w *benchWriter) Flush() {}
