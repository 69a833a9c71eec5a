package ckfiber_test

import (
	"bufio"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/consentkit/consentkit/consent"
	ckfiber "github.com/consentkit/consentkit/frameworks/fiber"
	"github.com/consentkit/consentkit/internal/frameworktest"
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"
)

// suiteApp builds the shared suite's routes the Fiber way, with mount (nil:
// none) as the app's first middleware.
func suiteApp(h frameworktest.Hooks, mount fiber.Handler) *fiber.App {
	app := fiber.New(fiber.Config{
		ErrorHandler: func(c fiber.Ctx, err error) error {
			c.Cookie(&fiber.Cookie{Name: frameworktest.CookieName, Value: "1"})
			return fiber.DefaultErrorHandler(c, err)
		},
	})
	if mount != nil {
		app.Use(mount)
	}
	app.Get("/page", func(c fiber.Ctx) error {
		c.Cookie(&fiber.Cookie{Name: frameworktest.CookieName, Value: "1"})
		return c.Type("html").SendString(frameworktest.Page)
	})
	app.Get("/state", func(c fiber.Ctx) error {
		return c.SendString(frameworktest.StateText(ckfiber.FromCtx(c)))
	})
	app.Get("/stream", func(c fiber.Ctx) error {
		c.Type("html")
		return ckfiber.SendStreamWriter(c, func(w *bufio.Writer) {
			h.Stream(w, func() { _ = w.Flush() })
		})
	})
	app.Get(frameworktest.DataPath, func(c fiber.Ctx) error {
		c.Type("json")
		return c.SendString(frameworktest.DataBody)
	})
	return app
}

// TestSuite runs the shared scenarios against app.Use(ckfiber.New(cm)).
// /stream streams with ckfiber.SendStreamWriter; a page streamed with
// Fiber's own c.SendStreamWriter is read to its end instead (TestMaxBody).
func TestSuite(t *testing.T) {
	frameworktest.Run(t, frameworktest.Target{
		Name:    "fiber app.Use(ckfiber.New(cm))",
		Streams: true,
		Start: func(t testing.TB, cm *consent.Manager, h frameworktest.Hooks) string {
			if cm == nil {
				return start(t, suiteApp(h, nil))
			}
			return start(t, suiteApp(h, middleware(t, cm, ckfiber.Options{})))
		},
	})
}

// TestSuiteWrongMount: the shared protection check, through a reverse proxy
// to the real Fiber server, catches adaptor.HTTPMiddleware(cm.Handler) and
// passes ckfiber.
func TestSuiteWrongMount(t *testing.T) {
	cm := frameworktest.NewManager(t)
	proxy := func(base string) *httputil.ReverseProxy {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		return httputil.NewSingleHostReverseProxy(u)
	}
	wrong := proxy(start(t, suiteApp(frameworktest.Hooks{}, adaptor.HTTPMiddleware(cm.Handler))))
	if err := frameworktest.CheckProtected(t, wrong); !errors.Is(err, frameworktest.ErrNotProtected) {
		t.Fatalf("adaptor.HTTPMiddleware(cm.Handler): CheckProtected = %v, want ErrNotProtected", err)
	}
	right := proxy(start(t, suiteApp(frameworktest.Hooks{}, middleware(t, cm, ckfiber.Options{}))))
	if err := frameworktest.CheckProtected(t, right); err != nil {
		t.Fatalf("ckfiber: %v", err)
	}
}

// TestWrappedEngine pins why the README does not offer the other placement
// for Fiber: cm.Handler(adaptor.FiberApp(app)) on a net/http server
// protects the pages, but Fiber's adaptor does not pass the request's
// context on, so handlers never see the visitor's choice (and Fiber then
// runs on net/http through a conversion per request).
func TestWrappedEngine(t *testing.T) {
	cm := frameworktest.NewManager(t)
	h := cm.Handler(adaptor.FiberApp(suiteApp(frameworktest.Hooks{}, nil)))
	if err := frameworktest.CheckProtected(t, h); err != nil {
		t.Fatalf("cm.Handler(adaptor.FiberApp(app)): %v", err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := client(t)
	if resp := frameworktest.PostDecision(t, c, srv.URL, srv.URL); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: status %d", resp.StatusCode)
	}
	if _, state := get(t, c, srv.URL+"/state"); state != "decided=false granted=necessary" {
		t.Fatalf("/state after accepting = %q: the adaptor now passes the context on; offer this placement in the README", state)
	}
}
