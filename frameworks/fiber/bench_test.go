package ckfiber_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/consent"
	ckfiber "github.com/consentkit/consentkit/frameworks/fiber"
	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
)

// BenchmarkFiber compares a bare Fiber route with the same route behind
// ckfiber, served by the app's fasthttp handler without a network: what
// the middleware adds to each request. Run with -benchmem.
func BenchmarkFiber(b *testing.B) {
	cm := newManager(b, nil)
	cookie := consentCookie(b, cm)
	for _, tc := range []struct {
		name, path, dest, cookie string
	}{
		{"page/repeat-visitor", "/page", "document", cookie},
		{"page/undecided", "/page", "document", ""},
		{"json/repeat-visitor", "/data.json", "empty", cookie},
	} {
		b.Run(tc.name+"/consentkit-nethttp", func(b *testing.B) {
			// consentkit's own cost on the same request and body, under
			// net/http: what ckfiber adds is ckfiber minus bare minus this.
			benchNetHTTP(b, cm, tc.path, tc.dest, tc.cookie)
		})
		for _, mounted := range []bool{false, true} {
			name := tc.name + "/bare"
			var mw fiber.Handler
			if mounted {
				name = tc.name + "/ckfiber"
				mw = middleware(b, cm, ckfiber.Options{})
			}
			b.Run(name, func(b *testing.B) {
				h := newApp(mw).Handler()
				var req fasthttp.Request
				req.SetRequestURI(tc.path) // origin form, as browsers send it
				req.Header.SetHost("example.com")
				req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
				req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
				req.Header.Set("Accept-Language", "en-US,en;q=0.9")
				req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/140.0")
				req.Header.Set("Sec-Fetch-Dest", tc.dest)
				if tc.cookie != "" {
					req.Header.Set("Cookie", tc.cookie)
				}
				var ctx fasthttp.RequestCtx
				ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234}, nil)
				b.ReportAllocs()
				for b.Loop() {
					req.CopyTo(&ctx.Request)
					ctx.Response.Reset()
					h(&ctx)
				}
				if ctx.Response.StatusCode() != http.StatusOK {
					b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
				}
				body, err := ctx.Response.BodyUncompressed()
				if err != nil {
					b.Fatal(err)
				}
				if mounted && tc.path == "/page" && !strings.Contains(string(body), "/consent/assets/") {
					b.Fatalf("the page was not rewritten: %s", body)
				}
			})
		}
	}
}

// consentCookie returns the Cookie header of a visitor who accepted all.
func consentCookie(tb testing.TB, cm *consent.Manager) string {
	tb.Helper()
	form := url.Values{"action": {"accept_all"}}
	req := httptest.NewRequest(http.MethodPost, "http://example.com/consent/decision", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	rec := httptest.NewRecorder()
	cm.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if strings.HasSuffix(c.Name, "consent") {
			return c.Name + "=" + c.Value
		}
	}
	tb.Fatalf("accepting all set no consent cookie (status %d)", rec.Code)
	return ""
}

// benchNetHTTP serves the same route as newApp with net/http, behind
// cm.Handler, into a writer that discards.
func benchNetHTTP(b *testing.B, cm *consent.Manager, path, dest, cookie string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: gaCookie, Value: "1"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(testPage))
	})
	mux.HandleFunc("GET /data.json", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: gaCookie, Value: "1"})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	h := cm.Handler(mux)
	req := httptest.NewRequest(http.MethodGet, "http://example.com"+path, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/140.0")
	req.Header.Set("Sec-Fetch-Dest", dest)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	w := &discardWriter{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = 0
		h.ServeHTTP(w, req)
	}
	if w.code != http.StatusOK {
		b.Fatalf("status %d", w.code)
	}
}

type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}
