package consentchi

import (
	"io"
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/internal/frameworktest"
)

// app builds the suite's routes the chi way, with mw (nil: none) as the
// router's first middleware.
func app(h frameworktest.Hooks, mw func(http.Handler) http.Handler) *chi.Mux {
	r := chi.NewRouter()
	if mw != nil {
		r.Use(mw)
	}
	r.Get("/page", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: frameworktest.CookieName, Value: "1"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, frameworktest.Page)
	})
	r.Get("/state", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, frameworktest.StateText(consent.FromRequest(r)))
	})
	r.Get("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		h.Stream(w, func() { _ = http.NewResponseController(w).Flush() })
	})
	r.Get(frameworktest.DataPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, frameworktest.DataBody)
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: frameworktest.CookieName, Value: "1"})
		http.NotFound(w, r)
	})
	return r
}

func TestWrapRouter(t *testing.T) {
	frameworktest.Run(t, frameworktest.Target{
		Name:    "chi wrapped by cm.Handler",
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
		Name:    "chi r.Use(cm.Handler)",
		Streams: true,
		Build: func(t testing.TB, cm *consent.Manager, h frameworktest.Hooks) http.Handler {
			if cm == nil {
				return app(h, nil)
			}
			return app(h, cm.Handler)
		},
	})
}

// TestMountedInSubrouterOnly documents the wrong way: middleware on a
// sub-router (r.With, r.Group or r.Route) protects only those routes; /page
// here is outside it and is served unprotected.
func TestMountedInSubrouterOnly(t *testing.T) {
	cm := frameworktest.NewManager(t)
	r := app(frameworktest.Hooks{}, nil)
	r.With(cm.Handler).Get("/account", func(w http.ResponseWriter, r *http.Request) {})
	if err := frameworktest.CheckProtected(t, r); err == nil {
		t.Fatal("CheckProtected passed a router whose /page is outside the consentkit group")
	}
	if err := frameworktest.CheckProtected(t, app(frameworktest.Hooks{}, cm.Handler)); err != nil {
		t.Fatalf("r.Use(cm.Handler): %v", err)
	}
}

func BenchmarkChi(b *testing.B) {
	cm := frameworktest.NewManager(b)
	cookie := frameworktest.ConsentCookie(b, cm)
	b.Run("bare", func(b *testing.B) {
		frameworktest.Benchmark(b, app(frameworktest.Hooks{}, nil), frameworktest.DataPath, nil)
	})
	b.Run("wrapped", func(b *testing.B) {
		frameworktest.Benchmark(b, cm.Handler(app(frameworktest.Hooks{}, nil)), frameworktest.DataPath, cookie)
	})
	b.Run("middleware", func(b *testing.B) {
		frameworktest.Benchmark(b, app(frameworktest.Hooks{}, cm.Handler), frameworktest.DataPath, cookie)
	})
}
