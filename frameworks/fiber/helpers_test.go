package ckfiber_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
	ckfiber "github.com/consentkit/consentkit/frameworks/fiber"
	"github.com/gofiber/fiber/v3"
)

// trackerSrc is a script consentkit knows by its host: an undecided
// visitor's copy of testPage must come back with it neutralised.
const trackerSrc = "https://www.google-analytics.com/analytics.js"

const testPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fiber page</title>
<script src="` + trackerSrc + `" async></script>
</head><body><h1>Hello</h1><p>A page written by Fiber.</p></body></html>`

// gaCookie is declared under analytics: dropped until the visitor grants it.
const gaCookie = "_ga"

var testKey = []byte("ckfiber-test-0123456789abcdef!!!")

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

func (s *memStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}

func newManager(tb testing.TB, store consent.Store) *consent.Manager {
	tb.Helper()
	if store == nil {
		store = &memStore{}
	}
	cm, err := consent.New(consent.Config{
		Keys:    []consent.KeyPair{{HashKey: testKey}},
		Cookie:  consent.Cookie{Insecure: true},
		Cookies: []consent.CookieSpec{{Name: gaCookie, Category: "analytics", Provider: "Google Analytics", Lifetime: 390 * 24 * time.Hour}},
		Store:   store,
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return cm
}

// errPage is what the app's ErrorHandler renders: a page with a tracker and
// a cookie, so that the error page is checked like any other.
func errorHandler(c fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code = fe.Code
	}
	c.Cookie(&fiber.Cookie{Name: gaCookie, Value: "1"})
	return c.Status(code).Type("html").SendString(`<!doctype html><html><head><title>Error</title>` +
		`<script src="` + trackerSrc + `"></script></head><body><h1>Error</h1></body></html>`)
}

// newApp returns a Fiber app with the test routes, and mount (the middleware
// under test, or nothing) registered first.
func newApp(mount fiber.Handler) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler})
	if mount != nil {
		app.Use(mount)
	}
	app.Get("/page", func(c fiber.Ctx) error {
		c.Cookie(&fiber.Cookie{Name: gaCookie, Value: "1"})
		return c.Type("html").SendString(testPage)
	})
	app.Get("/state", func(c fiber.Ctx) error {
		s := ckfiber.FromCtx(c)
		return c.SendString("decided=" + map[bool]string{true: "true", false: "false"}[s.Decided()] +
			" granted=" + strings.Join(s.Granted(), ","))
	})
	app.Get("/data.json", func(c fiber.Ctx) error {
		c.Cookie(&fiber.Cookie{Name: gaCookie, Value: "1"})
		return c.JSON(fiber.Map{"ok": true})
	})
	app.Get("/boom", func(fiber.Ctx) error { return errors.New("boom") })
	return app
}

func middleware(tb testing.TB, cm *consent.Manager, o ckfiber.Options) fiber.Handler {
	tb.Helper()
	mw, err := ckfiber.New(cm, o)
	if err != nil {
		tb.Fatal(err)
	}
	return mw
}

// start serves app on 127.0.0.1 until the test ends and returns its URL.
func start(tb testing.TB, app *fiber.App) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	}()
	tb.Cleanup(func() {
		_ = app.Shutdown()
		<-done
	})
	return "http://" + ln.Addr().String()
}

func client(tb testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func get(tb testing.TB, c *http.Client, u string) (*http.Response, string) {
	tb.Helper()
	resp, err := c.Get(u)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	return resp, string(b)
}

// readUntil reads from br until s has been read, and returns what it read.
func readUntil(br *bufio.Reader, s string) (string, error) {
	var sb strings.Builder
	for !strings.Contains(sb.String(), s) {
		b, err := br.ReadByte()
		if err != nil {
			return sb.String(), err
		}
		sb.WriteByte(b)
	}
	return sb.String(), nil
}
