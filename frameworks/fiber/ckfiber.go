// Package ckfiber runs consentkit in a Fiber (v3) app: a Fiber middleware
// that gives handlers the visitor's consent state, serves consentkit's
// endpoints (the decision post, the preferences page, the assets), and
// applies consentkit's rewrite and Set-Cookie filter to what the rest of the
// chain wrote, error pages included.
//
//	cm, err := consent.New(consent.Config{Keys: keys})
//	...
//	mw, err := ckfiber.New(cm, ckfiber.Options{})
//	...
//	app := fiber.New()
//	app.Use(mw) // first, before the routes and any middleware that writes
//	app.Get("/", func(c fiber.Ctx) error {
//		if ckfiber.FromCtx(c).Allowed("analytics") { ... }
//		return c.Type("html").SendString(page)
//	})
//
// # Why an adapter
//
// Fiber runs on fasthttp, not net/http. Its adaptor.HTTPMiddleware(cm.Handler)
// compiles and serves, but protects nothing: it throws away the
// http.ResponseWriter the middleware passes down and runs the rest of the
// chain after the middleware has returned, so the page goes out with no
// banner, its trackers live and every Set-Cookie let through, without any
// error. The tests prove it (TestWrongMountIsNotProtected).
//
// # How it works, and what it costs
//
// The middleware converts the fasthttp request into an *http.Request once,
// runs cm.Handler over it, and inside that handler calls c.Next() with the
// consent state in c.Context(). When the chain returns (an error is handed
// to the app's ErrorHandler right there, so error pages pass through
// consentkit too, their Set-Cookie headers filtered),
// the status, headers and body Fiber holds are written through consentkit's
// writer and the result is copied back into the fasthttp response.
//
// Fiber builds whole bodies in memory, so the rewrite works on a buffered
// body, bounded by Options.MaxBody (default 8 MiB). An HTML page larger than
// that is never sent unrewritten: the visitor gets a 500 and the log an
// error naming the fix. Other responses of any size pass through consentkit
// as they are (gzip-compressed by it where the client accepts gzip).
//
// Streaming: a response body set with c.SendStreamWriter or c.SendStream
// that is not HTML (event streams, downloads, files) passes through as a
// stream, its headers filtered. An HTML page streamed with
// c.SendStreamWriter is read to its end (up to MaxBody) and rewritten as a
// whole: its first bytes reach the visitor only when the stream has ended.
// A page that must reach the visitor as it is written uses
// ckfiber.SendStreamWriter instead: it streams through consentkit, flush by
// flush, without bound.
//
// Compression: consentkit gzips its own output and hides Accept-Encoding
// from the chain, so Fiber's compress middleware, wherever it is registered,
// has nothing to do; leave it out (a page it compressed with br or zstd
// anyway is refused by consentkit rather than served with live trackers).
package ckfiber

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/consentkit/consentkit/consent"
	"github.com/gofiber/fiber/v3"
)

// DefaultMaxBody is the default of Options.MaxBody: larger than the HTML
// pages of real sites by two orders of magnitude, small enough that a few
// hundred concurrent pages fit in memory.
const DefaultMaxBody = 8 << 20

// ErrBadOptions is wrapped by every error New returns.
var ErrBadOptions = errors.New("ckfiber: bad options")

// Options configures the middleware. The zero value is the defaults.
type Options struct {
	// MaxBody bounds, in bytes, the HTML body the middleware holds in
	// memory to rewrite, including a streamed one it reads to the end.
	// An HTML response over it is replaced by a 500 (never sent
	// unrewritten); other responses are not bounded. Default is
	// DefaultMaxBody (8 MiB).
	MaxBody int
	// Logger receives the error logged when a page is over MaxBody.
	// Default is slog.Default().
	Logger *slog.Logger
}

// New returns the Fiber middleware that runs cm in front of the rest of the
// chain. Register it with app.Use before the routes and before any
// middleware that writes a response, so that what they write passes through
// it.
func New(cm *consent.Manager, o Options) (fiber.Handler, error) {
	if cm == nil {
		return nil, fmt.Errorf("%w: nil *consent.Manager; build one with consent.New", ErrBadOptions)
	}
	if o.MaxBody < 0 {
		return nil, fmt.Errorf("%w: MaxBody %d is negative; use a size in bytes, or 0 for the default", ErrBadOptions, o.MaxBody)
	}
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	m := &middleware{cm: cm, max: o.MaxBody, log: o.Logger}
	m.h = cm.Handler(http.HandlerFunc(m.serve))
	return m.handle, nil
}

// exchangeKey is the Locals key of the request's exchange.
type exchangeKey struct{}

func exchangeFor(c fiber.Ctx) *exchange {
	x, _ := c.RequestCtx().UserValue(exchangeKey{}).(*exchange)
	return x
}

// FromCtx returns the consent state of the request c serves, as
// consent.FromRequest does for net/http: what the visitor granted, or the
// undecided state when c did not pass through the middleware. It reads
// c.Context(), so consent.FromContext(c.Context()) is the same.
func FromCtx(c fiber.Ctx) *consent.State {
	return consent.FromContext(c.Context())
}

// Request returns the *http.Request the middleware handed to consentkit for
// c, with the consent state in its context, for the consent package's
// helpers that take one (cm.TemplateFuncsFor, cm.CookieTable). It is nil
// when c did not pass through the middleware. Like c itself it is valid
// only until the handler returns.
func Request(c fiber.Ctx) *http.Request {
	if x := exchangeFor(c); x != nil {
		return x.r
	}
	return nil
}

// SendStreamWriter is c.SendStreamWriter for HTML pages that must stream:
// the page goes through consentkit as sw writes it, and each w.Flush sends
// what consentkit has rewritten so far, so the visitor gets the first bytes
// before sw returns. Set the status and headers (c.Type("html")) before
// calling it, as with c.SendStreamWriter.
//
// Why a function of its own: Fiber's c.SendStreamWriter hands the stream to
// fasthttp, which the middleware can only read to its end before rewriting
// it (the page is then bounded by Options.MaxBody and nothing reaches the
// visitor early). Without the middleware it is c.SendStreamWriter.
//
// sw runs on another goroutine after the handler has returned, as with
// c.SendStreamWriter: it must not use c.
func SendStreamWriter(c fiber.Ctx, sw func(w *bufio.Writer)) error {
	x := exchangeFor(c)
	if x == nil || x.sw != nil {
		return c.SendStreamWriter(sw)
	}
	c.Response().ResetBody()
	x.sw = sw
	return nil
}
