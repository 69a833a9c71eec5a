package consentecho

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/internal/frameworktest"
)

var errBroken = errors.New("broken handler")

// app builds the suite's routes the Echo way, with mw (nil: none) as the
// first middleware. Its error handler sets the tracker cookie before Echo's
// default page, as an error page that includes analytics would.
func app(h frameworktest.Hooks, mw echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard) // Recover logs the /panic route's stack
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if !c.Response().Committed {
			c.SetCookie(&http.Cookie{Name: frameworktest.CookieName, Value: "1"})
		}
		e.DefaultHTTPErrorHandler(err, c)
	}
	if mw != nil {
		e.Use(mw)
	}
	e.Use(middleware.Recover())
	e.GET("/page", func(c echo.Context) error {
		c.SetCookie(&http.Cookie{Name: frameworktest.CookieName, Value: "1"})
		return c.HTML(http.StatusOK, frameworktest.Page)
	})
	e.GET("/state", func(c echo.Context) error {
		return c.String(http.StatusOK, frameworktest.StateText(consent.FromRequest(c.Request())))
	})
	e.GET("/stream", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		c.Response().WriteHeader(http.StatusOK)
		h.Stream(c.Response(), c.Response().Flush)
		return nil
	})
	e.GET(frameworktest.DataPath, func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte(frameworktest.DataBody))
	})
	e.GET("/fail", func(c echo.Context) error { return errBroken })
	e.GET("/panic", func(c echo.Context) error { panic("broken handler") })
	return e
}

func TestWrapEngine(t *testing.T) {
	frameworktest.Run(t, frameworktest.Target{
		Name:    "echo wrapped by cm.Handler",
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
		Name:    "echo e.Use(consentecho.Middleware(cm))",
		Streams: true,
		Build: func(t testing.TB, cm *consent.Manager, h frameworktest.Hooks) http.Handler {
			if cm == nil {
				return app(h, nil)
			}
			return app(h, Middleware(cm))
		},
	})
}

// TestErrorPages checks the pages Echo's HTTPErrorHandler writes (a missing
// route, a handler's error, a recovered panic) behind Middleware, and
// documents why Middleware exists: with echo.WrapMiddleware(cm.Handler) the
// error reaches the error handler after consentkit has finished the
// response, and a browser (which sends Accept-Encoding) gets an empty 200
// instead of the error page. If
// the second half starts failing, Echo or consentkit changed and the package
// documentation must follow.
func TestErrorPages(t *testing.T) {
	cm := frameworktest.NewManager(t)
	pages := []struct {
		path   string
		status int
		body   string
	}{
		{"/missing", http.StatusNotFound, "Not Found"},
		{"/fail", http.StatusInternalServerError, "Internal Server Error"},
		{"/panic", http.StatusInternalServerError, "Internal Server Error"},
	}
	for _, p := range pages {
		rec := httptest.NewRecorder()
		app(frameworktest.Hooks{}, Middleware(cm)).ServeHTTP(rec, browserGet(p.path))
		if rec.Code != p.status || !strings.Contains(rec.Body.String(), p.body) {
			t.Errorf("Middleware: GET %s = %d %q, want %d with %q", p.path, rec.Code, rec.Body, p.status, p.body)
		}
		if sc := rec.Header().Values("Set-Cookie"); len(sc) > 0 {
			t.Errorf("Middleware: GET %s sets %q for an undecided visitor", p.path, sc)
		}
	}
	wrong := app(frameworktest.Hooks{}, echo.WrapMiddleware(cm.Handler))
	for _, p := range pages[:2] { // a panic is committed by Recover, inside the chain
		rec := httptest.NewRecorder()
		wrong.ServeHTTP(rec, browserGet(p.path))
		if rec.Code == p.status && strings.Contains(rec.Body.String(), p.body) {
			t.Errorf("echo.WrapMiddleware: GET %s now serves its error page (%d %q): Echo commits errors inside the middleware; revisit Middleware", p.path, rec.Code, rec.Body)
		}
	}
}

// browserGet is a GET as browsers send it: with Accept-Encoding, which lets
// consentkit compress and so hold back a small response's headers until it
// ends.
func browserGet(path string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	return req
}

// TestStateFromContext reads the visitor's State through Echo's context in a
// handler, the way the package documentation says.
func TestStateFromContext(t *testing.T) {
	cm := frameworktest.NewManager(t)
	var got *consent.State
	e := echo.New()
	e.Use(Middleware(cm))
	e.GET("/", func(c echo.Context) error {
		got = consent.FromRequest(c.Request())
		return c.NoContent(http.StatusNoContent)
	})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(frameworktest.ConsentCookie(t, cm))
	e.ServeHTTP(httptest.NewRecorder(), req)
	if !got.Decided() || !got.Allowed("analytics") {
		t.Errorf("consent.FromRequest(c.Request()) = decided %v, granted %v; want the accepted cookie's state", got.Decided(), got.Granted())
	}
}

func BenchmarkEcho(b *testing.B) {
	cm := frameworktest.NewManager(b)
	cookie := frameworktest.ConsentCookie(b, cm)
	b.Run("bare", func(b *testing.B) {
		frameworktest.Benchmark(b, app(frameworktest.Hooks{}, nil), frameworktest.DataPath, nil)
	})
	b.Run("wrapped", func(b *testing.B) {
		frameworktest.Benchmark(b, cm.Handler(app(frameworktest.Hooks{}, nil)), frameworktest.DataPath, cookie)
	})
	b.Run("middleware", func(b *testing.B) {
		frameworktest.Benchmark(b, app(frameworktest.Hooks{}, Middleware(cm)), frameworktest.DataPath, cookie)
	})
}
