package frameworktest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
)

// Page is the body GET /page serves: a known tracker (TrackerSrc, which
// consentkit recognises by host without any data-consent attribute) in the
// head, so an undecided visitor's copy must come back neutralised.
const Page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Framework page</title>
<script src="` + TrackerSrc + `" async></script>
</head><body><h1>Hello</h1><p>A page written by the framework.</p></body></html>`

// TrackerSrc is the tracker script in Page.
const TrackerSrc = "https://www.google-analytics.com/analytics.js"

// CookieName is the cookie /page and the error page set: declared by
// NewManager under "analytics", so consentkit must drop it until the visitor
// grants analytics.
const CookieName = "_ga"

// streamFirst and streamLast are the two halves of the /stream page.
const (
	streamFirst = `<!doctype html><html><head><title>Stream</title></head><body><p>first part</p>`
	streamLast  = `<p>last part</p></body></html>`
)

// Target is one way of mounting consentkit in one framework.
type Target struct {
	// Name names the target in test output, such as "gin middleware".
	Name string
	// Build returns the framework's app serving the routes of the package
	// documentation, with cm mounted the way under test; with a nil cm, the
	// same app without consentkit.
	Build func(t testing.TB, cm *consent.Manager, h Hooks) http.Handler
	// Start is the alternative to Build for frameworks that do not serve
	// net/http: it starts the app on 127.0.0.1, stops it with t.Cleanup, and
	// returns its base URL ("http://127.0.0.1:port").
	Start func(t testing.TB, cm *consent.Manager, h Hooks) string
	// Streams says the framework can deliver a flushed part of a response
	// before the handler returns; without it the streaming scenario is
	// skipped, which the framework's documentation must then say.
	Streams bool
}

// Hooks connects the routes a Target builds to the running scenario. The
// zero value is valid: Stream then writes the whole page without waiting,
// which is what benchmarks and examples want.
type Hooks struct {
	release <-chan struct{}
	done    func()
}

// Stream writes the /stream page: its first part, a flush, then, once the
// suite has seen the first part (or given up), the rest. Call it from the
// /stream route with the framework's writer and its flush.
func (h Hooks) Stream(w io.Writer, flush func()) {
	if h.done != nil {
		defer h.done()
	}
	_, _ = io.WriteString(w, streamFirst)
	flush()
	if h.release != nil {
		<-h.release
	}
	_, _ = io.WriteString(w, streamLast)
}

// StateText is what GET /state writes: the consent state the handler sees,
// as one line.
func StateText(s *consent.State) string {
	return "decided=" + map[bool]string{true: "true", false: "false"}[s.Decided()] +
		" granted=" + strings.Join(s.Granted(), ",")
}

// testKey signs the suite's consent cookies; a fixed key keeps benchmark
// cookies valid across managers.
var testKey = []byte("frameworktest-0123456789abcdef!!")

// NewManager returns the Manager the suite mounts: the default categories,
// CookieName declared under analytics, cookies without Secure (the suite
// serves plain HTTP on loopback), and an in-memory consent log.
func NewManager(tb testing.TB) *consent.Manager {
	tb.Helper()
	cm, err := consent.New(consent.Config{
		Keys:   []consent.KeyPair{{HashKey: testKey}},
		Cookie: consent.Cookie{Insecure: true},
		Cookies: []consent.CookieSpec{
			{Name: CookieName, Category: "analytics", Provider: "Google Analytics", Lifetime: 390 * 24 * time.Hour},
		},
		Store:  &memStore{},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatalf("frameworktest: consent.New: %v", err)
	}
	return cm
}

// memStore keeps decisions in memory: the suite checks the middleware, not
// the log.
type memStore struct {
	mu   sync.Mutex
	recs []consent.Record
}

func (s *memStore) Record(_ context.Context, rec consent.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, rec)
	return nil
}

// ConsentCookie returns the consent cookie cm sets when a visitor accepts
// all, for benchmarks of a repeat visitor.
func ConsentCookie(tb testing.TB, cm *consent.Manager) *http.Cookie {
	tb.Helper()
	form := url.Values{"action": {"accept_all"}}
	req := httptest.NewRequest(http.MethodPost, "http://example.com"+cm.Prefix()+"/decision", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	rec := httptest.NewRecorder()
	cm.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if strings.HasSuffix(c.Name, "consent") {
			return c
		}
	}
	tb.Fatalf("frameworktest: accepting all set no consent cookie (status %d)", rec.Code)
	return nil
}
