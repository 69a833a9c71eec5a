package ckfiber

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
)

// middleware is the configured Fiber middleware.
type middleware struct {
	h   http.Handler // cm.Handler(http.HandlerFunc(serve)), built once
	max int
	log *slog.Logger
}

// handle is the fiber.Handler: one trip of the request through consentkit.
func (m *middleware) handle(c fiber.Ctx) error {
	x := getExchange(c)
	defer x.release()
	if err := fasthttpadaptor.ConvertRequest(c.RequestCtx(), &x.req, true); err != nil {
		// A request target net/url cannot read: consentkit cannot judge
		// it, and the app's routes never see it. Not a server error.
		c.Response().Reset()
		c.Status(fiber.StatusBadRequest)
		return c.SendString("Bad Request: unreadable request target\n")
	}
	r := &x.req
	if uc := c.Context(); uc != context.Background() {
		r = r.WithContext(uc) // values set by middleware before this one
	}
	m.h.ServeHTTP(x, r)
	x.commit(c.Response())
	return nil
}

// serve runs inside cm.Handler: r carries the consent state. It runs the
// rest of the Fiber chain, then writes what the chain left in the fasthttp
// response through w, consentkit's writer.
func (m *middleware) serve(w http.ResponseWriter, r *http.Request) {
	x := exchangeOf(w)
	if x == nil {
		// consentkit wraps the writer it was given, always with Unwrap;
		// reaching this is a bug, and the page must not go out anyway.
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	c := x.c
	x.entered = true
	c.SetContext(r.Context())
	c.Locals(requestKey{}, r)
	if _, ok := r.Header["Accept-Encoding"]; !ok {
		// consentkit compresses its own output and hid Accept-Encoding
		// from the handlers: hide it from Fiber's too (compress
		// middleware), or the page would arrive encoded.
		c.Request().Header.Del(fiber.HeaderAcceptEncoding)
	}
	if err := c.Next(); err != nil {
		// What Fiber's router does after the chain, done here so that the
		// error page passes through consentkit too.
		if err := c.App().ErrorHandler(c, err); err != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError) //nolint:errcheck // as Fiber itself
		}
	}
	m.forward(w, r, x, c.Response())
}

// forward writes resp's status, headers and body through w.
func (m *middleware) forward(w http.ResponseWriter, r *http.Request, x *exchange, resp *fasthttp.Response) {
	h := w.Header()
	for k, v := range resp.Header.All() {
		key := headerKey(k)
		h[key] = append(h[key], string(v))
	}
	status := resp.StatusCode()
	page := status == http.StatusOK && r.Method != http.MethodHead && mayBeHTML(h)
	if resp.IsBodyStream() {
		if !page {
			// Not a page: the stream goes out as it is, with the headers
			// consentkit filtered. The Content-Length hint keeps
			// consentkit from holding the (empty) body to compress it.
			x.passStream = true
			x.streamLen = resp.Header.ContentLength()
			x.origCE = len(h["Content-Encoding"]) > 0
			h["Content-Length"] = []string{"0"}
			w.WriteHeader(status)
			return
		}
		// A page: read it to its end, up to the bound.
		n, err := readAtMost(&x.in, resp.BodyStream(), m.max)
		_ = resp.CloseBodyStream() //nolint:errcheck // the stream's writer learns it through its pipe
		if n > m.max {
			m.oversize(w, r)
			return
		}
		if err != nil {
			m.log.Error("ckfiber: reading a streamed page failed; the page was not sent", "path", r.URL.Path, "error", err)
			http.Error(w, "Internal Server Error", http.StatusBadGateway)
			return
		}
		delete(h, "Content-Length")
		w.WriteHeader(status)
		_, _ = w.Write(x.in) //nolint:errcheck // an in-memory writer
		return
	}
	body := resp.Body()
	if page && len(body) > m.max {
		m.oversize(w, r)
		return
	}
	x.src = body
	w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = w.Write(body) //nolint:errcheck // an in-memory writer
	}
}

// oversize replaces a page over MaxBody: it cannot be rewritten, and sending
// it as it is would run its trackers without consent.
func (m *middleware) oversize(w http.ResponseWriter, r *http.Request) {
	m.log.Error("ckfiber: refused an HTML page larger than Options.MaxBody: it cannot be rewritten, and serving it would run its trackers without consent; raise MaxBody or make the page smaller",
		"path", r.URL.Path, "max_body", m.max)
	h := w.Header()
	clear(h)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, "Internal Server Error\n") //nolint:errcheck // an in-memory writer
}

// readAtMost reads src into *buf, stopping after max+1 bytes: a count over
// max means src was longer than max.
func readAtMost(buf *[]byte, src io.Reader, max int) (int, error) {
	b := (*buf)[:0]
	lim := io.LimitReader(src, int64(max)+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lim.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			*buf = b
			return len(b), nil
		}
		if err != nil {
			*buf = b
			return len(b), err
		}
	}
}

// mayBeHTML reports whether consentkit may rewrite a 200 response with
// headers h: text/html, or no Content-Type at all (consentkit then sniffs
// the body, as browsers do).
func mayBeHTML(h http.Header) bool {
	ct := h["Content-Type"]
	if len(ct) == 0 {
		return true
	}
	v := ct[0]
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return strings.EqualFold(strings.TrimSpace(v), "text/html")
}

// headerKey returns k as an http.Header key, without allocating for the
// headers nearly every response has.
func headerKey(k []byte) string {
	switch string(k) {
	case "Content-Type":
		return "Content-Type"
	case "Content-Length":
		return "Content-Length"
	case "Content-Encoding":
		return "Content-Encoding"
	case "Set-Cookie":
		return "Set-Cookie"
	case "Server":
		return "Server"
	case "Cache-Control":
		return "Cache-Control"
	case "Vary":
		return "Vary"
	case "Etag", "ETag":
		return "Etag"
	case "Last-Modified":
		return "Last-Modified"
	case "Content-Security-Policy":
		return "Content-Security-Policy"
	case "Location":
		return "Location"
	}
	return http.CanonicalHeaderKey(string(k))
}
