package consent

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/stretchr/testify/require"
)

// gobState is what a typical securecookie user would store: the same
// information as our payload, as a struct encoded with gob.
type gobState struct {
	ID        string
	Revision  string
	DecidedAt time.Time
	Granted   []string
	Method    string
}

func benchCookie(b *testing.B) (*Manager, string) {
	m := fuzzManager(b)
	st := &State{method: MethodForm, granted: 0b1011, rev: m.rev, decidedAt: m.cfg.Now(), decided: true, set: m.set}
	st.id, _ = newID(time.Now())
	v, err := m.codec.encode(marshalPayload(st))
	require.NoError(b, err)
	return m, v
}

// BenchmarkDecodeCookie is this package's verify and decode of a consent
// cookie: "cached" is what a repeat visitor costs, "uncached" the first
// request with a given cookie (full HMAC check).
func BenchmarkDecodeCookie(b *testing.B) {
	m, v := benchCookie(b)
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.decodeCached(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.decodeValue(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeSecurecookieGob is the baseline: securecookie's defaults
// (gob serializer) decoding an equivalent state.
func BenchmarkDecodeSecurecookieGob(b *testing.B) {
	sc := securecookie.New(testKey1, nil)
	in := gobState{ID: "0123456789abcdef0123456789abcdef", Revision: "0123456789abcdef", DecidedAt: time.Now(),
		Granted: []string{"necessary", "preferences", "marketing"}, Method: "form"}
	v, err := sc.Encode("consent", in)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		var out gobState
		if err := sc.Decode("consent", v, &out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(v)), "cookie-bytes")
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"ok":true}`))
})

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

func benchRequest(b *testing.B, cookie string) (*http.Request, *discardWriter) {
	req := httptest.NewRequest(http.MethodGet, "/api/items", nil)
	req.Header.Set("User-Agent", "Mozilla/5.0")
	req.Header.Set("Accept", "application/json")
	if cookie != "" {
		req.Header.Set("Cookie", "_session=abc123; "+hostConsent+"="+cookie+"; theme=dark")
	}
	return req, &discardWriter{h: http.Header{}}
}

// serveLoop serves req with h b.N times, clearing the response headers
// between rounds as a fresh ResponseWriter would have them.
func serveLoop(b *testing.B, h http.Handler, req *http.Request, w *discardWriter) {
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// BenchmarkBareHandler is the baseline of BenchmarkHandlerRepeatVisitor: the
// same handler, unwrapped.
func BenchmarkBareHandler(b *testing.B) {
	_, v := benchCookie(b)
	req, w := benchRequest(b, v)
	serveLoop(b, okHandler, req, w)
}

// BenchmarkHandlerRepeatVisitor is a repeat visitor with a valid cookie
// requesting a non-HTML response through the middleware.
func BenchmarkHandlerRepeatVisitor(b *testing.B) {
	m, v := benchCookie(b)
	req, w := benchRequest(b, v)
	serveLoop(b, m.Handler(okHandler), req, w)
}

// BenchmarkHandlerRepeatVisitorRegions is BenchmarkHandlerRepeatVisitor
// with every region preset configured and the visitor located by a geo
// header: the cost of Regions on every request (locate, match, the State
// copy that carries the region). Each sub-benchmark is one model.
func BenchmarkHandlerRepeatVisitorRegions(b *testing.B) {
	_, v := benchCookie(b)
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog,
		Now:     func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) },
		Regions: Regions{Rules: allPresets(), Locate: LocateHeaders(GeoHeaders{Cloudflare: true})}})
	require.NoError(b, err)
	h := m.Handler(okHandler)
	for _, where := range []struct{ name, country, region string }{
		{"opt-in DE", "DE", ""}, {"opt-out US-CA", "US", "CA"}, {"unknown", "", ""}} {
		b.Run(where.name, func(b *testing.B) {
			req, w := benchRequest(b, v)
			if where.country != "" {
				req.Header.Set("CF-IPCountry", where.country)
			}
			if where.region != "" {
				req.Header.Set("CF-Region-Code", where.region)
			}
			serveLoop(b, h, req, w)
		})
	}
}

// BenchmarkHandlerFirstVisit is a visitor without a cookie.
func BenchmarkHandlerFirstVisit(b *testing.B) {
	m, _ := benchCookie(b)
	req, w := benchRequest(b, "")
	serveLoop(b, m.Handler(okHandler), req, w)
}

// articlePage is a ~100 KB article page with a few tags to block.
var articlePage = func() []byte {
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Story</title>
<script src="https://www.googletagmanager.com/gtag/js?id=G-1" async></script>
<script data-consent="marketing">fbq('init','1');</script></head><body><article>`)
	for b.Len() < 100<<10 {
		b.WriteString(`<p class="para">The harbour authority confirmed on Monday that the island ferry will run every ninety minutes, <a href="/more">more</a>.</p>` + "\n")
	}
	b.WriteString(`</article><iframe src="https://www.youtube.com/embed/x"></iframe></body></html>`)
	return []byte(b.String())
}()

var htmlHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(articlePage)
})

// BenchmarkBarePage is the baseline of BenchmarkHandlerPage: the page
// served without the middleware.
func BenchmarkBarePage(b *testing.B) {
	req, w := benchRequest(b, "")
	b.SetBytes(int64(len(articlePage)))
	serveLoop(b, htmlHandler, req, w)
}

// BenchmarkHandlerPage is a whole HTML page through the middleware: banner
// rendered and injected, trackers blocked, for an undecided and a decided
// visitor.
func BenchmarkHandlerPage(b *testing.B) {
	m, v := benchCookie(b)
	h := m.Handler(htmlHandler)
	for name, cookie := range map[string]string{"undecided": "", "decided": v} {
		b.Run(name, func(b *testing.B) {
			req, w := benchRequest(b, cookie)
			req.Header.Set("Accept-Language", "de-DE,de;q=0.9,en;q=0.8")
			b.SetBytes(int64(len(articlePage)))
			serveLoop(b, h, req, w)
		})
	}
}
