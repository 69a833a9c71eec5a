package consentmux

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/internal/frameworktest"
)

// notFound is the app's own not-found page; it sets the suite's tracker
// cookie, as an app's error page that includes analytics would.
func notFound(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: frameworktest.CookieName, Value: "1"})
	http.NotFound(w, r)
}

// app builds the suite's routes the gorilla/mux way; with cm set, it is
// registered as router middleware, with the not-found and
// method-not-allowed handlers wrapped as the package documentation says.
func app(h frameworktest.Hooks, cm *consent.Manager) *mux.Router {
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(notFound)
	if cm != nil {
		r.Use(cm.Handler)
		r.NotFoundHandler = cm.Handler(r.NotFoundHandler)
		r.MethodNotAllowedHandler = cm.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}))
	}
	r.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: frameworktest.CookieName, Value: "1"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, frameworktest.Page)
	}).Methods(http.MethodGet)
	r.HandleFunc("/state", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, frameworktest.StateText(consent.FromRequest(r)))
	}).Methods(http.MethodGet)
	r.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		h.Stream(w, func() { _ = http.NewResponseController(w).Flush() })
	}).Methods(http.MethodGet)
	r.HandleFunc(frameworktest.DataPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, frameworktest.DataBody)
	}).Methods(http.MethodGet)
	return r
}

func TestWrapRouter(t *testing.T) {
	frameworktest.Run(t, frameworktest.Target{
		Name:    "gorilla/mux wrapped by cm.Handler",
		Streams: true,
		Build: func(t testing.TB, cm *consent.Manager, h frameworktest.Hooks) http.Handler {
			if cm == nil {
				return app(h, nil)
			}
			return cm.Handler(app(h, nil))
		},
	})
}

func TestMiddleware(t *testing.T) {
	frameworktest.Run(t, frameworktest.Target{
		Name:    "gorilla/mux r.Use(cm.Handler) with wrapped not-found handlers",
		Streams: true,
		Build: func(t testing.TB, cm *consent.Manager, h frameworktest.Hooks) http.Handler {
			return app(h, cm)
		},
	})
}

// TestUseAloneIsNotEnough documents the known-wrong placement: with only
// r.Use(cm.Handler), gorilla/mux skips the middleware when no route
// matches, so the decision endpoint is a 404 and the not-found page's
// Set-Cookie escapes the filter. If this test starts failing, gorilla/mux
// changed and the package documentation must follow.
func TestUseAloneIsNotEnough(t *testing.T) {
	cm := frameworktest.NewManager(t)
	r := app(frameworktest.Hooks{}, nil)
	r.Use(cm.Handler)
	if err := frameworktest.CheckProtected(t, r); err != nil {
		t.Fatalf("matched routes must be protected: %v", err)
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/missing", nil))
	if !strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), ";"), frameworktest.CookieName+"=") {
		t.Error("the not-found page's Set-Cookie was filtered with r.Use alone: gorilla/mux now runs middleware for unmatched routes")
	}
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/consent/decision", strings.NewReader("action=accept_all"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("decision endpoint with r.Use alone: status %d, want the router's 404", rec.Code)
	}
}

func BenchmarkGorillaMux(b *testing.B) {
	cm := frameworktest.NewManager(b)
	cookie := frameworktest.ConsentCookie(b, cm)
	b.Run("bare", func(b *testing.B) {
		frameworktest.Benchmark(b, app(frameworktest.Hooks{}, nil), frameworktest.DataPath, nil)
	})
	b.Run("wrapped", func(b *testing.B) {
		frameworktest.Benchmark(b, cm.Handler(app(frameworktest.Hooks{}, nil)), frameworktest.DataPath, cookie)
	})
	b.Run("middleware", func(b *testing.B) {
		frameworktest.Benchmark(b, app(frameworktest.Hooks{}, cm), frameworktest.DataPath, cookie)
	})
}
