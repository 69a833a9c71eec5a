package consent

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/internal/corpustest"
)

// browserAE is what a browser sends.
const browserAE = "gzip, deflate, br, zstd"

// decodeAsBrowser undoes a response's Content-Encoding as a browser does,
// last coding first. It fails on a coding it cannot undo, which a browser
// could (br, zstd): no such response may reach a test.
func decodeAsBrowser(t *testing.T, h http.Header, body []byte) []byte {
	t.Helper()
	var codings []string
	for _, v := range h.Values("Content-Encoding") {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" {
				codings = append(codings, strings.ToLower(c))
			}
		}
	}
	for i := len(codings) - 1; i >= 0; i-- {
		switch codings[i] {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(bytes.NewReader(body))
			require.NoError(t, err)
			body, err = io.ReadAll(zr)
			require.NoError(t, err, "a whole gzip stream")
		case "deflate":
			zr := flate.NewReader(bytes.NewReader(body))
			var err error
			body, err = io.ReadAll(zr)
			require.NoError(t, err)
		case "identity":
		default:
			require.Failf(t, "unexpected coding", "Content-Encoding %q", codings[i])
		}
	}
	return body
}

// assertBlocked checks a page as a browser would run it: banner shown, no
// live tracker.
func assertBlocked(t *testing.T, page []byte) {
	t.Helper()
	assert.Contains(t, string(page), `id="ck-banner"`, "banner")
	assert.Empty(t, corpustest.Check(page, "https://news.example/"), "no live tracker")
	assert.Contains(t, string(page), "<h1>Hello</h1>", "the page itself")
}

// gzipAlways is a handler that compresses whatever Accept-Encoding says, the
// case the middleware cannot prevent by hiding the header.
func gzipAlways(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		defer zw.Close()
		next.ServeHTTP(gzipRW{w, zw}, r)
	})
}

// stdGzip is the minimal hand-written gzip middleware a site might have: it
// honours Accept-Encoding and a Content-Encoding already set, at level 5,
// with pooled writers. It is also the baseline of BenchmarkCompress.
func stdGzip(next http.Handler) http.Handler {
	pool := sync.Pool{New: func() any { zw, _ := gzip.NewWriterLevel(io.Discard, 5); return zw }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			next.ServeHTTP(w, r)
			return
		}
		g := &lazyGzip{ResponseWriter: w, pool: &pool}
		next.ServeHTTP(g, r)
		g.close()
	})
}

type lazyGzip struct {
	http.ResponseWriter
	pool    *sync.Pool
	zw      *gzip.Writer
	decided bool
}

func (g *lazyGzip) WriteHeader(code int) {
	if !g.decided {
		g.decided = true
		h := g.Header()
		if h.Get("Content-Encoding") == "" && code == http.StatusOK {
			h.Set("Content-Encoding", "gzip")
			h.Del("Content-Length")
			h.Add("Vary", "Accept-Encoding")
			g.zw = g.pool.Get().(*gzip.Writer)
			g.zw.Reset(g.ResponseWriter)
		}
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *lazyGzip) Write(p []byte) (int, error) {
	if !g.decided {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw != nil {
		return g.zw.Write(p)
	}
	return g.ResponseWriter.Write(p)
}

func (g *lazyGzip) close() {
	if g.zw != nil {
		_ = g.zw.Close()
		g.pool.Put(g.zw)
	}
}

type gzipRW struct {
	http.ResponseWriter
	zw *gzip.Writer
}

func (g gzipRW) Write(p []byte) (int, error) { return g.zw.Write(p) }

// plainPage is testPage without Content-Length or ETag.
var plainPage = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, testPage)
})

// TestCompressionOrderDoesNotMatter is issue 18 item 1: with a compressor
// inside the consent middleware, every client sending Accept-Encoding used
// to get the page with GA and YouTube live and no banner. Each setup is
// asked by a browser-like client and its answer decoded as a browser would.
func TestCompressionOrderDoesNotMatter(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	chiApp := func(outer, inner func(http.Handler) http.Handler) http.Handler {
		r := chi.NewRouter()
		r.Use(outer, inner) // chi: the first is the outermost
		r.Get("/", plainPage)
		return r
	}
	setups := map[string]http.Handler{
		"chi Compress outside":          chiApp(middleware.Compress(5), m.Handler),
		"chi Compress inside":           chiApp(m.Handler, middleware.Compress(5)),
		"net/http gzip inside":          m.Handler(stdGzip(plainPage)),
		"net/http gzip outside":         stdGzip(m.Handler(plainPage)),
		"inner gzip ignoring the rules": m.Handler(gzipAlways(plainPage)),
	}
	for name, h := range setups {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(h)
			defer srv.Close()
			tr := &http.Transport{DisableCompression: true} // decode by hand, as a browser
			defer tr.CloseIdleConnections()
			for _, ae := range []string{"gzip, br", browserAE, ""} {
				req, err := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
				require.NoError(t, err)
				if ae != "" {
					req.Header.Set("Accept-Encoding", ae)
				}
				resp, err := tr.RoundTrip(req)
				require.NoError(t, err)
				body := []byte(readAll(t, resp))
				require.Equal(t, http.StatusOK, resp.StatusCode, ae)
				if ae != "" {
					assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"), "compressed once, by gzip (%s)", ae)
					assert.Contains(t, resp.Header.Values("Vary"), "Accept-Encoding")
				} else {
					assert.Empty(t, resp.Header.Get("Content-Encoding"))
				}
				assertBlocked(t, decodeAsBrowser(t, resp.Header, body))
			}
		})
	}
}

// TestOwnGzipIsTheRewrittenPage: the middleware's compressed output decodes
// to exactly what it sends uncompressed, whole or written in two pieces
// split at every position; a gzip body from inside, split anywhere, too.
func TestOwnGzipIsTheRewrittenPage(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	page := []byte(testPage + strings.Repeat("<p>filler paragraph</p>\n", 80)) // past MinSize before the banner
	serve := func(h http.Handler, ae string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	split := func(i int, body []byte, encoding string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			if encoding != "" {
				w.Header().Set("Content-Encoding", encoding)
			}
			_, _ = w.Write(body[:i])
			if i%7 == 3 { // a flush between the pieces now and then
				require.NoError(t, http.NewResponseController(w).Flush())
			}
			_, _ = w.Write(body[i:])
		})
	}
	want := serve(m.Handler(split(0, page, "")), "").Body.Bytes()
	assertBlocked(t, want)

	for i := 0; i <= len(page); i++ {
		rec := serve(m.Handler(split(i, page, "")), "gzip")
		require.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
		if got := decodeAsBrowser(t, rec.Header(), rec.Body.Bytes()); !bytes.Equal(want, got) {
			t.Fatalf("split at %d: decoded page differs from the rewritten page", i)
		}
	}

	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = zw.Write(page)
	require.NoError(t, zw.Close())
	for i := 0; i <= zb.Len(); i++ {
		for _, ae := range []string{"", "gzip"} {
			rec := serve(m.Handler(split(i, zb.Bytes(), "gzip")), ae)
			if got := decodeAsBrowser(t, rec.Header(), rec.Body.Bytes()); !bytes.Equal(want, got) {
				t.Fatalf("gzip from inside split at %d, Accept-Encoding %q: decoded page differs from the rewritten page", i, ae)
			}
		}
	}
}

// TestEncodedHTMLFromInsideIsNotServed: HTML in a coding the middleware
// cannot decode is replaced by an error, never passed on with its trackers
// live; the explanation is for the developer's own browser only.
func TestEncodedHTMLFromInsideIsNotServed(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	payload := "\x8b\x1f<script src=https://www.googletagmanager.com/gtag/js></script>" // stands for compressed bytes
	for _, ce := range []string{"br", "zstd", "deflate", "gzip, br", "compress", "gzip\nbr"} {
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for _, c := range strings.Split(ce, "\n") { // several header lines
				w.Header().Add("Content-Encoding", c)
			}
			w.Header().Set("Content-Length", "62")
			w.Header().Set("ETag", `"v1"`)
			_, _ = io.WriteString(w, payload[:20])
			_, _ = io.WriteString(w, payload[20:])
		}))
		t.Run(ce+" from afar", func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "https://news.example/", nil)
			req.Header.Set("Accept-Encoding", "gzip, br")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, http.StatusInternalServerError, rec.Code)
			assert.Equal(t, "Internal Server Error\n", rec.Body.String(), "nothing about the setup")
			assert.Empty(t, rec.Header().Get("Content-Encoding"))
			assert.Empty(t, rec.Header().Get("ETag"))
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
		})
		t.Run(ce+" on localhost", func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, err := http.NewRequest(http.MethodGet, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Encoding", "br")
			resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
			require.NoError(t, err)
			body := readAll(t, resp)
			assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			assert.NotContains(t, body, "googletagmanager")
			assert.Contains(t, body, "Put the compression middleware outside the consent middleware")
			assert.Contains(t, body, strings.ReplaceAll(ce, "\n", ", "))
			assert.Empty(t, resp.Header.Get("Content-Encoding"))
		})
	}
	assert.Equal(t, 12, strings.Count(logs.String(), "level=ERROR msg=\"consent: refused an HTML response compressed"), "one error per response: %s", logs.String())
}

// TestGzipFromInsideWarnsOnce: decoding works, and tells the developer
// once that it costs a decompression.
func TestGzipFromInsideWarnsOnce(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	h := m.Handler(gzipAlways(plainPage))
	for range 3 {
		rec := get(t, h, "/")
		assertBlocked(t, decodeAsBrowser(t, rec.Header(), rec.Body.Bytes()))
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "arrived gzip-compressed"), logs.String())
	assert.NotContains(t, logs.String(), "ERROR")
}

// TestCorruptGzipFromInside: a body labelled gzip that is not gzip is not
// passed on as it is.
func TestCorruptGzipFromInside(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	var werr error
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		_, werr = io.WriteString(w, testPage)
	}))
	rec := get(t, h, "/")
	assert.ErrorIs(t, werr, errGunzipStopped)
	assert.NotContains(t, rec.Body.String(), "googletagmanager")
	assert.Empty(t, rec.Header().Get("Content-Encoding"))
	assert.Contains(t, logs.String(), "could not decode a gzip-encoded HTML response")
}

// TestGunzipEndsWithTheRequest: when the handler never finishes its body
// (it panicked), the decoder's goroutine ends with the request's context.
func TestGunzipEndsWithTheRequest(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
	rw := &respWriter{w: httptest.NewRecorder(), r: req, m: m, st: &undecided}
	g := newGunzipHTML(nopStream{}, rw)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = io.WriteString(zw, testPage)
	require.NoError(t, zw.Flush())
	_, err := g.Write(zb.Bytes())
	require.NoError(t, err)
	cancel()
	select {
	case <-g.done:
	case <-time.After(10 * time.Second): // a hang guard, not a timing check
		t.Fatal("the decoder outlived its request")
	}
}

type nopStream struct{}

func (nopStream) Write(p []byte) (int, error) { return len(p), nil }
func (nopStream) Flush() error                { return nil }
func (nopStream) Close() error                { return nil }

func TestParseAcceptEncoding(t *testing.T) {
	t.Parallel()
	const gz, noID = acceptGzip, acceptNoIdentity
	tests := map[string]struct {
		in   []string
		want uint8
	}{
		"browser":                  {[]string{browserAE}, gz},
		"gzip only":                {[]string{"gzip"}, gz},
		"x-gzip":                   {[]string{"x-gzip"}, gz},
		"upper case, spaces":       {[]string{" GZip ; Q=0.8 "}, gz},
		"gzip refused":             {[]string{"gzip;q=0, br"}, 0},
		"gzip q=0.000":             {[]string{"gzip;q=0.000"}, 0},
		"br only":                  {[]string{"br"}, 0},
		"empty":                    {[]string{""}, 0},
		"star":                     {[]string{"*"}, gz},
		"star refused":             {[]string{"*;q=0"}, noID},
		"star refused, gzip named": {[]string{"gzip, *;q=0"}, gz | noID},
		"identity refused":         {[]string{"gzip, identity;q=0"}, gz | noID},
		"identity preferred":       {[]string{"identity, gzip;q=0.5"}, 0},
		"identity less wanted":     {[]string{"identity;q=0.5, gzip"}, gz},
		"gzip at low q":            {[]string{"gzip;q=0.001"}, gz},
		"malformed q":              {[]string{"gzip;q=high"}, 0},
		"q above 1":                {[]string{"gzip;q=2"}, 0},
		"two header lines":         {[]string{"br", "gzip"}, gz},
		"later duplicate kept max": {[]string{"gzip;q=0, gzip;q=1"}, gz},
		"other params":             {[]string{"gzip;level=9;q=1"}, gz},
		"trailing commas":          {[]string{",,gzip,,"}, gz},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseAcceptEncoding(tt.in))
		})
	}
}

func FuzzParseAcceptEncoding(f *testing.F) {
	for _, s := range []string{browserAE, "gzip;q=0", "*;q=0, identity;q=0.5", "gzip;q=1.000", ";;,=q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := parseAcceptEncoding([]string{s})
		if a&acceptGzip != 0 && !strings.Contains(strings.ToLower(s), "gzip") && !strings.Contains(s, "*") {
			t.Fatalf("gzip accepted from %q", s)
		}
	})
}

// TestCompressDecisions: what the middleware gzips and what it leaves.
func TestCompressDecisions(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	big := strings.Repeat(`{"k":"value"},`, 200)
	tests := map[string]struct {
		ae, method string
		status     int
		hdr        map[string]string
		body       string
		gzipped    bool
		page       bool // rewritten: the banner added to the body
	}{
		"json":                {ae: "gzip", hdr: map[string]string{"Content-Type": "application/json"}, body: big, gzipped: true},
		"small json":          {ae: "gzip", hdr: map[string]string{"Content-Type": "application/json"}, body: `{"a":1}`},
		"small, identity;q=0": {ae: "gzip, identity;q=0", hdr: map[string]string{"Content-Type": "application/json"}, body: `{"a":1}`, gzipped: true},
		"gzip;q=0":            {ae: "gzip;q=0, br", hdr: map[string]string{"Content-Type": "application/json"}, body: big},
		"no Accept-Encoding":  {hdr: map[string]string{"Content-Type": "application/json"}, body: big},
		"png":                 {ae: "gzip", hdr: map[string]string{"Content-Type": "image/png"}, body: big},
		"no Content-Type":     {ae: "gzip", status: 404, body: big, gzipped: true}, // sniffed as text/plain, as a 200's is
		"404 page":            {ae: "gzip", status: 404, hdr: map[string]string{"Content-Type": "text/html"}, body: big, gzipped: true, page: true},
		"HEAD":                {ae: "gzip", method: http.MethodHead, hdr: map[string]string{"Content-Type": "application/json"}},
		"204":                 {ae: "gzip", status: 204, hdr: map[string]string{"Content-Type": "application/json"}},
		"304":                 {ae: "gzip", status: 304, hdr: map[string]string{"Content-Type": "application/json"}},
		"206":                 {ae: "gzip", status: 206, hdr: map[string]string{"Content-Type": "text/css", "Content-Range": "bytes 0-2799/5000"}, body: big},
		"encoded json":        {ae: "gzip, br", hdr: map[string]string{"Content-Type": "application/json", "Content-Encoding": "br"}, body: big},
		"no-transform":        {ae: "gzip", hdr: map[string]string{"Content-Type": "text/css", "Cache-Control": "public, no-transform"}, body: big},
		"event stream":        {ae: "gzip", hdr: map[string]string{"Content-Type": "text/event-stream"}, body: big},
		"small by length":     {ae: "gzip", hdr: map[string]string{"Content-Type": "text/css", "Content-Length": "7"}, body: "a{b:c} "},
		"large by length": {ae: "gzip", hdr: map[string]string{"Content-Type": "text/css", "Content-Length": "2800", "ETag": `"e"`, "Accept-Ranges": "bytes"},
			body: big, gzipped: true},
		"svg": {ae: "gzip", hdr: map[string]string{"Content-Type": "image/svg+xml"}, body: big, gzipped: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.hdr {
					w.Header().Set(k, v)
				}
				if tt.status != 0 {
					w.WriteHeader(tt.status)
				}
				_, _ = io.WriteString(w, tt.body[:len(tt.body)/2])
				_, _ = io.WriteString(w, tt.body[len(tt.body)/2:])
			}))
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, "/x", nil)
			if tt.ae != "" {
				req.Header.Set("Accept-Encoding", tt.ae)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if tt.status != 0 {
				assert.Equal(t, tt.status, rec.Code)
			}
			if !tt.gzipped {
				assert.NotEqual(t, "gzip", rec.Header().Get("Content-Encoding"))
				assert.NotContains(t, rec.Header().Values("Vary"), "Accept-Encoding")
				if method != http.MethodHead && tt.status != 204 && tt.status != 304 {
					assert.Equal(t, tt.body, rec.Body.String())
				}
				return
			}
			assert.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
			assert.Contains(t, rec.Header().Values("Vary"), "Accept-Encoding")
			assert.Empty(t, rec.Header().Get("Content-Length"))
			assert.Empty(t, rec.Header().Get("Accept-Ranges"))
			if et := rec.Header().Get("ETag"); et != "" {
				assert.Equal(t, `W/"e"`, et, "a strong ETag names the uncompressed bytes")
			}
			body := string(decodeAsBrowser(t, rec.Header(), rec.Body.Bytes()))
			if tt.page {
				assert.Contains(t, body, tt.body)
				assert.Contains(t, body, `id="ck-banner"`, "a 404 page is rewritten as a 200's")
				return
			}
			assert.Equal(t, tt.body, body)
		})
	}
}

// TestCompressionDisabled: no gzip of its own, and still no compressed
// page from inside.
func TestCompressionDisabled(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog, Compression: Compression{Disabled: true}})
	require.NoError(t, err)
	srv := httptest.NewServer(chiWith(m.Handler, middleware.Compress(5)))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	require.NoError(t, err)
	body := readAll(t, resp)
	assert.Empty(t, resp.Header.Get("Content-Encoding"))
	assertBlocked(t, []byte(body))
}

func chiWith(mws ...func(http.Handler) http.Handler) http.Handler {
	r := chi.NewRouter()
	r.Use(mws...)
	r.Get("/", plainPage)
	return r
}

// TestAcceptEncodingHiddenOnlyDownstream: handlers inside do not see
// Accept-Encoding on requests that may produce a page; middlewares outside
// still do, after the handler too; requests for subresources keep it.
func TestAcceptEncodingHiddenOnlyDownstream(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	for name, tt := range map[string]struct{ dest, accept, wantInside string }{
		"no hints":          {},
		"navigation":        {dest: "document", accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"iframe":            {dest: "iframe", accept: "text/html"},
		"fetch":             {dest: "empty", accept: "*/*"},
		"htmx":              {dest: "empty", accept: "text/html, */*"},
		"text wildcard":     {accept: "TEXT/*"},
		"unknown dest":      {dest: "webidentity"},
		"script":            {dest: "script", accept: "*/*", wantInside: "gzip"},
		"image":             {dest: "image", accept: "image/avif,image/webp,*/*", wantInside: "gzip"},
		"style":             {dest: "style", accept: "text/css,*/*;q=0.1", wantInside: "gzip"},
		"json API":          {dest: "empty", accept: "application/json"},
		"json API, no dest": {accept: "application/json"},
	} {
		dest, wantInside := tt.dest, tt.wantInside
		t.Run(name, func(t *testing.T) {
			var inside, outsideBefore, outsideAfter string
			h := func(w http.ResponseWriter, r *http.Request) {
				outsideBefore = r.Header.Get("Accept-Encoding")
				m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					inside = r.Header.Get("Accept-Encoding")
					r.Header.Set("X-Inner", "1") // an inner handler's edits stay inside
				})).ServeHTTP(w, r)
				outsideAfter = r.Header.Get("Accept-Encoding")
				if wantInside == "" {
					assert.Empty(t, r.Header.Get("X-Inner"), "the inner request has a map of its own")
				}
			}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			if dest != "" {
				req.Header.Set("Sec-Fetch-Dest", dest)
			}
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			h(httptest.NewRecorder(), req)
			assert.Equal(t, wantInside, inside)
			assert.Equal(t, "gzip", outsideBefore)
			assert.Equal(t, "gzip", outsideAfter)
		})
	}
}

// TestFlushThroughGzip: a flush reaches the client through the gzip stream,
// for a rewritten page and for a plain text stream, before the handler ends.
func TestFlushThroughGzip(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	for _, ct := range []string{"text/html", "text/plain", "text/html gzipped inside"} {
		t.Run(ct, func(t *testing.T) {
			release := make(chan struct{})
			var stuck atomic.Bool // the first part never came before the rest was released
			srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var out io.Writer = w
				flush := func() {}
				if typ, ok := strings.CutSuffix(ct, " gzipped inside"); ok {
					w.Header().Set("Content-Type", typ)
					w.Header().Set("Content-Encoding", "gzip")
					zw := gzip.NewWriter(w)
					defer zw.Close()
					out, flush = zw, func() { require.NoError(t, zw.Flush()) }
				} else {
					w.Header().Set("Content-Type", ct)
				}
				_, _ = io.WriteString(out, "<!doctype html><html><head><title>t</title></head><body><p>first</p>\n")
				flush()
				require.NoError(t, http.NewResponseController(w).Flush())
				select {
				case <-release:
				case <-time.After(10 * time.Second): // a deadlock guard, not a timing check
					stuck.Store(true)
				}
				_, _ = io.WriteString(out, "<p>second</p></body></html>")
			})))
			defer srv.Close()
			req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
			zr, err := gzip.NewReader(resp.Body)
			require.NoError(t, err)
			br := bufio.NewReader(zr)
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			assert.Contains(t, line, "<p>first</p>", "flushed bytes decode before the handler finishes")
			close(release)
			rest, err := io.ReadAll(br)
			require.NoError(t, err)
			assert.Contains(t, string(rest), "<p>second</p>")
			assert.False(t, stuck.Load(), "the flushed part arrived only with the rest")
		})
	}
}

// TestHeadersAfterWriteHeaderStayFiltered: holding the status while the
// body reaches MinSize must not let a Set-Cookie added after WriteHeader
// (which net/http ignores) through unfiltered.
func TestHeadersAfterWriteHeaderStayFiltered(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		http.SetCookie(w, &http.Cookie{Name: "_fbp", Value: "late"})
		_, _ = io.WriteString(w, strings.Repeat(`{"k":"v"},`, 300))
	}))
	rec := get(t, h, "/", "Accept-Encoding", "gzip")
	assert.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
	assert.Empty(t, rec.Header().Values("Set-Cookie"))
}

func TestCompressionConfig(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		z    Compression
		want error
	}{
		"defaults":  {Compression{}, nil},
		"level 1":   {Compression{Level: 1}, nil},
		"level 10":  {Compression{Level: 10}, ErrBadConfig},
		"level -1":  {Compression{Level: -1}, ErrBadConfig},
		"negative":  {Compression{MinSize: -1}, ErrBadConfig},
		"min 1":     {Compression{MinSize: 1}, nil},
		"disabled":  {Compression{Disabled: true}, nil},
		"large min": {Compression{MinSize: 1 << 20}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog, Compression: tt.z})
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				assert.Contains(t, err.Error(), "Compression.")
				return
			}
			require.NoError(t, err)
			assert.NotZero(t, m.cfg.Compression.Level)
			assert.NotZero(t, m.cfg.Compression.MinSize)
		})
	}
}
