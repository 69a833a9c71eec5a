package consentgin

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/internal/frameworktest"
)

func init() { gin.SetMode(gin.TestMode) }

// app builds the suite's routes the Gin way, with mw (nil: none) as the
// first middleware. Its NoRoute handler sets the tracker cookie and leaves
// the body to Gin's default 404 page.
func app(h frameworktest.Hooks, mw gin.HandlerFunc) *gin.Engine {
	e := gin.New()
	if mw != nil {
		e.Use(mw)
	}
	e.Use(gin.Recovery())
	e.GET("/page", func(c *gin.Context) {
		c.SetCookie(frameworktest.CookieName, "1", 0, "", "", false, false)
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(frameworktest.Page))
	})
	e.GET("/state", func(c *gin.Context) {
		c.String(http.StatusOK, frameworktest.StateText(consent.FromRequest(c.Request)))
	})
	e.GET("/stream", func(c *gin.Context) {
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Status(http.StatusOK)
		h.Stream(c.Writer, c.Writer.Flush)
	})
	e.GET(frameworktest.DataPath, func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", []byte(frameworktest.DataBody))
	})
	e.GET("/notfound", func(c *gin.Context) {
		c.SetCookie(frameworktest.CookieName, "1", 0, "", "", false, false)
		c.HTML(http.StatusNotFound, "", nil)
	})
	e.NoRoute(func(c *gin.Context) {
		c.SetCookie(frameworktest.CookieName, "1", 0, "", "", false, false)
	})
	return e
}

func TestWrapEngine(t *testing.T) {
	frameworktest.Run(t, frameworktest.Target{
		Name:    "gin wrapped by cm.Handler",
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
		Name:    "gin engine.Use(consentgin.Middleware(cm))",
		Streams: true,
		Build: func(t testing.TB, cm *consent.Manager, h frameworktest.Hooks) http.Handler {
			if cm == nil {
				return app(h, nil)
			}
			return app(h, Middleware(cm))
		},
	})
}

// commonAdapter is how func(http.Handler) http.Handler middleware is
// usually adapted to Gin: c.Next() runs inside the wrapped handler, but on
// Gin's c.Writer, not on the writer the middleware passed down.
func commonAdapter(mw func(http.Handler) http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
	}
}

// TestCommonAdapterIsSilent is why Middleware exists: mounted through the
// common adapter, consentkit runs, sees nothing written, and the page goes
// out with its tracker live and its cookie set, without any error.
func TestCommonAdapterIsSilent(t *testing.T) {
	cm := frameworktest.NewManager(t)
	err := frameworktest.CheckProtected(t, app(frameworktest.Hooks{}, commonAdapter(cm.Handler)))
	if !errors.Is(err, frameworktest.ErrNotProtected) {
		t.Fatalf("the common adapter: CheckProtected = %v, want ErrNotProtected", err)
	}
	t.Log(err)
	if err := frameworktest.CheckProtected(t, app(frameworktest.Hooks{}, Middleware(cm))); err != nil {
		t.Fatalf("Middleware: %v", err)
	}
}

// TestEndpointsAbortTheChain checks that a request consentkit answers (its
// assets, its decision endpoint) does not also run the app's handlers.
func TestEndpointsAbortTheChain(t *testing.T) {
	cm := frameworktest.NewManager(t)
	ran := false
	e := gin.New()
	e.Use(Middleware(cm))
	e.NoRoute(func(c *gin.Context) { ran = true })
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, cm.Prefix()+"/preferences", nil))
	if rec.Code != http.StatusOK || ran {
		t.Errorf("GET %s/preferences: status %d, app handler ran: %v; want 200 from consentkit alone", cm.Prefix(), rec.Code, ran)
	}
}

// TestWriterBookkeeping checks what Gin code reads back from c.Writer
// behind Middleware: the held status, the size, Written.
func TestWriterBookkeeping(t *testing.T) {
	cm := frameworktest.NewManager(t)
	e := gin.New()
	e.Use(Middleware(cm))
	var before, after [3]any
	e.GET("/", func(c *gin.Context) {
		c.Status(http.StatusAccepted)
		before = [3]any{c.Writer.Status(), c.Writer.Size(), c.Writer.Written()}
		c.Data(http.StatusCreated, "application/json", []byte(frameworktest.DataBody))
		after = [3]any{c.Writer.Status(), c.Writer.Size(), c.Writer.Written()}
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if want := [3]any{http.StatusAccepted, -1, false}; before != want {
		t.Errorf("before writing: status, size, written = %v, want %v", before, want)
	}
	if want := [3]any{http.StatusCreated, len(frameworktest.DataBody), true}; after != want {
		t.Errorf("after writing: status, size, written = %v, want %v", after, want)
	}
	if rec.Code != http.StatusCreated || rec.Body.String() != frameworktest.DataBody {
		t.Errorf("response %d %q", rec.Code, rec.Body)
	}
}

// TestStateFromContext reads the visitor's State through Gin's context, the
// way the package documentation says.
func TestStateFromContext(t *testing.T) {
	cm := frameworktest.NewManager(t)
	var got *consent.State
	e := gin.New()
	e.Use(Middleware(cm))
	e.GET("/", func(c *gin.Context) {
		got = consent.FromRequest(c.Request)
		c.Status(http.StatusNoContent)
	})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(frameworktest.ConsentCookie(t, cm))
	e.ServeHTTP(httptest.NewRecorder(), req)
	if !got.Decided() || !got.Allowed("analytics") {
		t.Errorf("consent.FromRequest(c.Request) = decided %v, granted %v; want the accepted cookie's state", got.Decided(), got.Granted())
	}
}

func BenchmarkGin(b *testing.B) {
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

// TestHijack checks that a handler behind Middleware can still take over the
// connection (WebSocket libraries do), through consentkit's writer.
func TestHijack(t *testing.T) {
	cm := frameworktest.NewManager(t)
	e := gin.New()
	e.Use(Middleware(cm))
	e.GET("/ws", func(c *gin.Context) {
		conn, buf, err := c.Writer.Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nraw ok")
		_ = buf.Flush()
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "raw ok" {
		t.Errorf("body %q, want the hijacked connection's %q", b, "raw ok")
	}
}
