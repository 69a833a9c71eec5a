package frameworktest

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/consentkit/consentkit/consent"
)

// serveMux builds the Target routes on net/http's ServeMux: the reference
// the framework modules are compared with.
func serveMux(h Hooks) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "1"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, Page)
	})
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, StateText(consent.FromRequest(r)))
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		h.Stream(w, func() { _ = http.NewResponseController(w).Flush() })
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "1"})
		http.NotFound(w, r)
	})
	return mux
}

func TestServeMux(t *testing.T) {
	Run(t, Target{
		Name:    "net/http ServeMux",
		Streams: true,
		Build: func(t testing.TB, cm *consent.Manager, h Hooks) http.Handler {
			if cm == nil {
				return serveMux(h)
			}
			return cm.Handler(serveMux(h))
		},
	})
}

// TestCheckProtected proves the check can fail: the bare mux, and a mux
// whose handler runs beside the middleware instead of through it (the shape
// of the silent framework adapters), are reported as not protected.
func TestCheckProtected(t *testing.T) {
	cm := NewManager(t)
	if err := CheckProtected(t, cm.Handler(serveMux(Hooks{}))); err != nil {
		t.Errorf("wrapped mux: %v", err)
	}
	beside := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Runs the middleware with a throw-away writer, then the app on the
		// real one: what an adapter that ignores the writer it is handed does.
		cm.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(discard{w.Header()}, r)
		serveMux(Hooks{}).ServeHTTP(w, r)
	})
	for name, h := range map[string]http.Handler{"bare": serveMux(Hooks{}), "beside": beside} {
		if err := CheckProtected(t, h); !errors.Is(err, ErrNotProtected) {
			t.Errorf("%s: CheckProtected = %v, want ErrNotProtected", name, err)
		}
	}
}

func TestSameApartFromSnippets(t *testing.T) {
	const want = `<html><head><title>x</title></head><body><p>y</p></body></html>`
	for name, tc := range map[string]struct {
		got string
		ok  bool
	}{
		"snippets":     {`<html><head><script src="/consent/assets/ck.1.js"></script><title>x</title></head><body><p>y</p><a id="ck-open" href="/consent/preferences">s</a></body></html>`, true},
		"page changed": {`<html><head><script src="/consent/assets/ck.1.js"></script><title>x</title></head><body><p>z</p><a id="ck-open" href="/consent/preferences">s</a></body></html>`, false},
		"foreign run":  {`<html><head><script src="/x.js"></script><title>x</title></head><body><p>y</p><a id="ck-open" href="/consent/preferences">s</a></body></html>`, false},
		"no snippets":  {want, false},
		"body dropped": {`<html><head><script src="/consent/assets/ck.1.js"></script><title>x</title></head><body><a id="ck-open" href="/consent/preferences">s</a></body></html>`, false},
	} {
		if err := sameApartFromSnippets(tc.got, want); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", name, err, tc.ok)
		}
	}
}

type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
