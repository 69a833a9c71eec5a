package ckfiber_test

import (
	"bufio"
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/consent"
	ckfiber "github.com/consentkit/consentkit/frameworks/fiber"
	"github.com/consentkit/consentkit/internal/frameworktest"
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"
	"github.com/gofiber/fiber/v3/middleware/compress"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	cm := newManager(t, nil)
	for _, tc := range []struct {
		name string
		cm   *consent.Manager
		o    ckfiber.Options
	}{
		{"nil manager", nil, ckfiber.Options{}},
		{"negative MaxBody", cm, ckfiber.Options{MaxBody: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mw, err := ckfiber.New(tc.cm, tc.o)
			assert.ErrorIs(t, err, ckfiber.ErrBadOptions)
			assert.Nil(t, mw)
		})
	}
}

// checkProtectedPage reports what leaked on GET /page for an undecided
// visitor; empty when the page is protected.
func checkProtectedPage(tb testing.TB, base string) []string {
	resp, body := get(tb, client(tb), base+"/page")
	var leaks []string
	if resp.StatusCode != http.StatusOK {
		leaks = append(leaks, "status "+resp.Status)
	}
	if !strings.Contains(body, `id="ck-banner"`) {
		leaks = append(leaks, "no banner")
	}
	if strings.Contains(body, `<script src="`+trackerSrc+`"`) || !strings.Contains(body, `data-ck-src="`+trackerSrc+`"`) {
		leaks = append(leaks, "tracker live")
	}
	if frameworktest.SetsCookie(resp, gaCookie) {
		leaks = append(leaks, "Set-Cookie "+gaCookie)
	}
	return leaks
}

func TestUndecidedVisitorIsProtected(t *testing.T) {
	t.Parallel()
	base := start(t, newApp(middleware(t, newManager(t, nil), ckfiber.Options{})))
	assert.Empty(t, checkProtectedPage(t, base))

	resp, body := get(t, client(t), base+"/data.json")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"ok":true}`, body)
	assert.False(t, frameworktest.SetsCookie(resp, gaCookie), "non-HTML responses are filtered too")
}

// TestWrongMountIsNotProtected is why this package exists: Fiber's own
// adaptor for net/http middleware serves the page with no banner, its
// tracker live and its cookie set, without any error.
func TestWrongMountIsNotProtected(t *testing.T) {
	t.Parallel()
	cm := newManager(t, nil)
	base := start(t, newApp(adaptor.HTTPMiddleware(cm.Handler)))
	leaks := checkProtectedPage(t, base)
	assert.Contains(t, leaks, "no banner")
	assert.Contains(t, leaks, "tracker live")
	assert.Contains(t, leaks, "Set-Cookie "+gaCookie)
}

func TestErrorPagePassesThroughConsentkit(t *testing.T) {
	t.Parallel()
	base := start(t, newApp(middleware(t, newManager(t, nil), ckfiber.Options{})))
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/missing", http.StatusNotFound},
		{"/boom", http.StatusInternalServerError},
	} {
		resp, body := get(t, client(t), base+tc.path)
		assert.Equal(t, tc.status, resp.StatusCode, tc.path)
		assert.Contains(t, body, "<h1>Error</h1>", "%s: the app's ErrorHandler wrote the page", tc.path)
		assert.False(t, frameworktest.SetsCookie(resp, gaCookie), "%s: the error page's %s was let through", tc.path, gaCookie)
	}
}

func TestDecisionEndpoint(t *testing.T) {
	t.Parallel()
	store := &memStore{}
	base := start(t, newApp(middleware(t, newManager(t, store), ckfiber.Options{})))
	c := client(t)

	resp := frameworktest.PostDecision(t, c, base, "https://attacker.example")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "cross-origin post")
	assert.Empty(t, resp.Cookies(), "cross-origin post set a cookie")
	assert.Zero(t, store.len(), "cross-origin post was logged")

	resp = frameworktest.PostDecision(t, c, base, base)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "same-origin post")
	assert.Equal(t, "/page", resp.Header.Get("Location"))
	assert.Equal(t, 1, store.len())

	_, state := get(t, c, base+"/state")
	assert.Equal(t, "decided=true granted=necessary,preferences,analytics,marketing", state)

	resp, body := get(t, c, base+"/page")
	assert.True(t, frameworktest.SetsCookie(resp, gaCookie), "granted analytics: %s passes", gaCookie)
	assert.NotContains(t, body, `id="ck-banner"`)
	assert.Contains(t, body, `<script src="`+trackerSrc+`" async></script>`, "granted: the tracker runs as written")
	assert.Contains(t, body, `id="ck-open"`, "the settings control is still injected")
}

func TestStateVisibleBeforeTheHandler(t *testing.T) {
	t.Parallel()
	app := newApp(middleware(t, newManager(t, nil), ckfiber.Options{}))
	var sawRequest bool
	app.Get("/req", func(c fiber.Ctx) error {
		r := ckfiber.Request(c)
		sawRequest = r != nil && consent.FromRequest(r) == ckfiber.FromCtx(c)
		return c.SendString("ok")
	})
	base := start(t, app)
	_, state := get(t, client(t), base+"/state")
	assert.Equal(t, "decided=false granted=necessary", state)
	get(t, client(t), base+"/req")
	assert.True(t, sawRequest, "Request(c) carries the same state as FromCtx(c)")

	bare := fiber.New()
	bare.Get("/", func(c fiber.Ctx) error {
		assert.Nil(t, ckfiber.Request(c))
		assert.False(t, ckfiber.FromCtx(c).Decided())
		return nil
	})
	_, err := bare.Test(mustRequest(t, http.MethodGet, "/"))
	require.NoError(t, err)
}

func TestMaxBody(t *testing.T) {
	t.Parallel()
	const max = 1 << 10
	var logs bytes.Buffer
	cm := newManager(t, nil)
	mw, err := ckfiber.New(cm, ckfiber.Options{MaxBody: max, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	big := testPage[:len(testPage)-len("</body></html>")] + strings.Repeat("<p>filler</p>", max/10) + "</body></html>"
	app := newApp(mw)
	app.Get("/big", func(c fiber.Ctx) error { return c.Type("html").SendString(big) })
	app.Get("/big-stream", func(c fiber.Ctx) error {
		c.Type("html")
		return c.SendStreamWriter(func(w *bufio.Writer) { _, _ = w.WriteString(big) })
	})
	app.Get("/big.txt", func(c fiber.Ctx) error { return c.SendString(big) })
	app.Get("/small-stream", func(c fiber.Ctx) error {
		c.Type("html")
		return c.SendStreamWriter(func(w *bufio.Writer) { _, _ = w.WriteString(testPage) })
	})
	base := start(t, app)

	for _, path := range []string{"/big", "/big-stream"} {
		resp, body := get(t, client(t), base+path)
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode, "%s: a page over MaxBody fails closed", path)
		assert.NotContains(t, body, trackerSrc, path)
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), path)
	}
	assert.Contains(t, logs.String(), "raise MaxBody")

	resp, body := get(t, client(t), base+"/big.txt")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "not HTML: no bound")
	assert.Equal(t, big, body)

	resp, body = get(t, client(t), base+"/small-stream")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `id="ck-banner"`, "a streamed page under MaxBody is rewritten")
	assert.Contains(t, body, `data-ck-src="`+trackerSrc+`"`)
}

// TestNonHTMLStreamStreams: a body stream that is not a page goes out as it
// is written, its first bytes before the handler has finished.
func TestNonHTMLStreamStreams(t *testing.T) {
	t.Parallel()
	release, finished := make(chan struct{}), make(chan struct{})
	app := newApp(middleware(t, newManager(t, nil), ckfiber.Options{}))
	app.Get("/events", func(c fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "text/event-stream")
		c.Cookie(&fiber.Cookie{Name: gaCookie, Value: "1"})
		return c.SendStreamWriter(func(w *bufio.Writer) {
			defer close(finished)
			_, _ = w.WriteString("data: first\n\n")
			_ = w.Flush()
			<-release
			_, _ = w.WriteString("data: last\n\n")
		})
	})
	base := start(t, app)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	resp, err := client(t).Get(base + "/events")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.False(t, frameworktest.SetsCookie(resp, gaCookie), "the stream's headers are filtered")
	assert.Empty(t, resp.Header.Get("Content-Encoding"))
	br := bufio.NewReader(resp.Body)
	first, err := readUntil(br, "data: first\n\n")
	require.NoError(t, err, "read %q", first)
	select {
	case <-finished:
		t.Fatal("the handler finished before it was released: the first event was not streamed")
	default:
	}
	close(release)
	rest, err := readUntil(br, "data: last\n\n")
	require.NoError(t, err, "read %q", rest)
}

// TestCompressMiddlewareInside: Fiber's compress middleware below ours finds
// no Accept-Encoding, so the page reaches consentkit readable; consentkit
// gzips its own output.
func TestCompressMiddlewareInside(t *testing.T) {
	t.Parallel()
	app := fiber.New()
	app.Use(middleware(t, newManager(t, nil), ckfiber.Options{}))
	app.Use(compress.New())
	page := strings.Replace(testPage, "</body>", strings.Repeat("<p>long enough to compress</p>", 100)+"</body>", 1)
	app.Get("/page", func(c fiber.Ctx) error { return c.Type("html").SendString(page) })
	base := start(t, app)
	for _, ae := range []string{"gzip", "br"} {
		req, err := http.NewRequest(http.MethodGet, base+"/page", nil)
		require.NoError(t, err)
		req.Header.Set("Accept-Encoding", ae)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, ae)
		want := map[string]string{"gzip": "gzip", "br": ""}[ae]
		assert.Equal(t, want, resp.Header.Get("Content-Encoding"), "Accept-Encoding %s", ae)
	}
	// The transport decodes gzip itself: the page was rewritten.
	_, body := get(t, client(t), base+"/page")
	assert.Contains(t, body, `data-ck-src="`+trackerSrc+`"`)
}

// TestHeadersOfOuterMiddleware: headers set before the middleware runs
// survive on pages and on consentkit's own endpoints.
func TestHeadersOfOuterMiddleware(t *testing.T) {
	t.Parallel()
	app := fiber.New()
	app.Use(func(c fiber.Ctx) error {
		c.Set("X-Request-Id", "abc")
		return c.Next()
	})
	app.Use(middleware(t, newManager(t, nil), ckfiber.Options{}))
	app.Get("/page", func(c fiber.Ctx) error { return c.Type("html").SendString(testPage) })
	base := start(t, app)
	for _, path := range []string{"/page", "/consent/preferences"} {
		resp, _ := get(t, client(t), base+path)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Equal(t, "abc", resp.Header.Get("X-Request-Id"), path)
	}
}

func TestUnreadableRequestTargetIsBadRequest(t *testing.T) {
	t.Parallel()
	app := newApp(middleware(t, newManager(t, nil), ckfiber.Options{}))
	req := mustRequest(t, http.MethodGet, "/page")
	req.RequestURI = ""
	req.URL.Opaque = "//x/%zz" // fasthttp takes it; net/url does not
	resp, err := app.Test(req)
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func mustRequest(tb testing.TB, method, target string) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, "http://example.com"+target, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

func TestSendStreamWriter(t *testing.T) {
	t.Parallel()
	app := newApp(middleware(t, newManager(t, nil), ckfiber.Options{}))
	app.Get("/streamed", func(c fiber.Ctx) error {
		c.Cookie(&fiber.Cookie{Name: gaCookie, Value: "1"})
		c.Type("html")
		return ckfiber.SendStreamWriter(c, func(w *bufio.Writer) {
			half := len(testPage) / 2
			_, _ = w.WriteString(testPage[:half])
			_ = w.Flush()
			_, _ = w.WriteString(testPage[half:])
		})
	})
	app.Get("/empty", func(c fiber.Ctx) error {
		return ckfiber.SendStreamWriter(c, func(*bufio.Writer) {})
	})
	app.Get("/fails", func(c fiber.Ctx) error {
		_ = ckfiber.SendStreamWriter(c, func(w *bufio.Writer) { _, _ = w.WriteString("never sent") })
		return fiber.ErrTeapot
	})
	base := start(t, app)

	resp, body := get(t, client(t), base+"/streamed")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `id="ck-banner"`)
	assert.Contains(t, body, `data-ck-src="`+trackerSrc+`"`)
	assert.NotContains(t, body, `<script src="`+trackerSrc+`"`)
	assert.False(t, frameworktest.SetsCookie(resp, gaCookie), "the streamed page's cookie is filtered")

	resp, body = get(t, client(t), base+"/empty")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body)

	resp, body = get(t, client(t), base+"/fails")
	assert.Equal(t, http.StatusTeapot, resp.StatusCode, "an error after SendStreamWriter: the error page")
	assert.NotContains(t, body, "never sent")
}

// TestSizedStreamKeepsItsLength: a download sent with c.SendStream and a
// known size keeps its Content-Length and its bytes.
func TestSizedStreamKeepsItsLength(t *testing.T) {
	t.Parallel()
	app := newApp(middleware(t, newManager(t, nil), ckfiber.Options{}))
	data := strings.Repeat("0123456789", 1000)
	app.Get("/file.bin", func(c fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/octet-stream")
		return c.SendStream(strings.NewReader(data), len(data))
	})
	base := start(t, app)
	resp, body := get(t, client(t), base+"/file.bin")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, int64(len(data)), resp.ContentLength)
	assert.Equal(t, data, body)
}
