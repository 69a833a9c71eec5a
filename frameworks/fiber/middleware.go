package ckfiber

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/consentkit/consentkit/consent"
	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
)

// middleware is the configured Fiber middleware.
type middleware struct {
	cm  *consent.Manager
	h   http.Handler // cm.Handler(http.HandlerFunc(serve)), built once
	max int
	log *slog.Logger
}

// handle is the fiber.Handler: one trip of the request through consentkit.
func (m *middleware) handle(c fiber.Ctx) error {
	x := getExchange(c)
	defer x.release()
	if err := convert(c.RequestCtx(), &x.req, &x.scratch); err != nil {
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
	if x.sw != nil {
		m.stream(c, x, r)
		return nil
	}
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
	x.r = r
	c.SetContext(r.Context())
	c.RequestCtx().SetUserValue(exchangeKey{}, x) // c.Locals, without its variadic allocation
	if _, ok := r.Header["Accept-Encoding"]; !ok {
		// consentkit compresses its own output and hid Accept-Encoding
		// from the handlers: hide it from Fiber's too (compress
		// middleware), or the page would arrive encoded.
		c.Request().Header.Del(fiber.HeaderAcceptEncoding)
	}
	if err := c.Next(); err != nil {
		// What Fiber's router does after the chain, done here so that the
		// error page passes through consentkit too.
		x.sw = nil // the error page replaces a stream begun with SendStreamWriter
		if err := c.App().ErrorHandler(c, err); err != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError) //nolint:errcheck // as Fiber itself
		}
	}
	if x.sw != nil {
		return // SendStreamWriter: handle streams the page through consentkit again
	}
	m.forward(w, r, x, c.Response())
}

// forward writes resp's status, headers and body through w.
func (m *middleware) forward(w http.ResponseWriter, r *http.Request, x *exchange, resp *fasthttp.Response) {
	copyHeader(w.Header(), &resp.Header, &x.scratch)
	h := w.Header()
	status := resp.StatusCode()
	page := status == http.StatusOK && r.Method != http.MethodHead && mayBeHTML(h)
	if resp.IsBodyStream() {
		if !page {
			// Not a page: the stream goes out as it is, with the headers
			// consentkit filtered. The Content-Length hint keeps
			// consentkit from holding the (empty) body to compress it.
			x.keepStream = true
			x.streamLen = resp.Header.ContentLength()
			x.dropCE = len(h["Content-Encoding"]) == 0
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
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
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

// copyHeader adds the headers of src to dst, their values pieces of one
// string copied once: commit rewrites src from dst, so dst must not point
// into src's buffers. scratch is a buffer kept from one request to the
// next.
func copyHeader(dst http.Header, src *fasthttp.ResponseHeader, scratch *[]byte) {
	var stack [16]int
	lens := stack[:0]
	buf := (*scratch)[:0]
	for _, v := range src.All() {
		buf = append(buf, v...)
		lens = append(lens, len(v))
	}
	*scratch = buf
	arena := string(buf)
	vals := make([]string, len(lens))
	i := 0
	for k := range src.All() {
		key := headerKey(k)
		vals[i], arena = arena[:lens[i]], arena[lens[i]:]
		if old, ok := dst[key]; ok {
			dst[key] = append(old[:len(old):len(old)], vals[i])
		} else {
			dst[key] = vals[i : i+1 : i+1]
		}
		i++
	}
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

// stream sends a page begun with SendStreamWriter: a second trip through
// consentkit, on the goroutine fasthttp runs stream writers on, so that its
// output can go out flush by flush after handle has returned. r is the
// request of the first trip; the state is computed again from the same
// headers. handle waits until consentkit has decided the headers, because
// fasthttp sends them when handle returns.
func (m *middleware) stream(c fiber.Ctx, x *exchange, r *http.Request) {
	resp := c.Response()
	status := resp.StatusCode()
	hdr := make(http.Header)
	for k, v := range resp.Header.All() {
		if string(k) != "Content-Length" {
			hdr.Add(string(k), string(v))
		}
	}
	r = detach(r)
	sw := x.sw
	ready := make(chan struct{})
	sr := &streamRecorder{hdr: make(http.Header), ready: ready}
	resp.SetBodyStreamWriter(func(bw *bufio.Writer) {
		sr.bw = bw
		m.cm.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			for k, v := range hdr {
				h[k] = v
			}
			w.WriteHeader(status)
			f, _ := w.(http.Flusher)
			pw := bufio.NewWriter(flushWriter{w, f})
			sw(pw)
			_ = pw.Flush() //nolint:errcheck // the visitor left: nothing to tell
		})).ServeHTTP(sr, r)
		sr.WriteHeader(http.StatusOK) // nothing was written: a 200 with no body
	})
	<-ready
	x.hdr, x.status = sr.head, sr.status
	x.entered, x.keepStream, x.streamLen = true, true, -1
	x.commit(resp)
}

// detach returns a copy of r that stays valid after the handler returns:
// the request fasthttpadaptor converts points into fasthttp's buffers,
// which are reused for the next request.
func detach(r *http.Request) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	r2.Method = strings.Clone(r.Method)
	r2.Proto = strings.Clone(r.Proto)
	r2.Host = strings.Clone(r.Host)
	r2.RemoteAddr = strings.Clone(r.RemoteAddr)
	r2.RequestURI = strings.Clone(r.RequestURI)
	u := *r.URL
	u.Scheme, u.Host, u.Path, u.RawPath, u.RawQuery = strings.Clone(u.Scheme), strings.Clone(u.Host),
		strings.Clone(u.Path), strings.Clone(u.RawPath), strings.Clone(u.RawQuery)
	r2.URL = &u
	r2.Header = make(http.Header, len(r.Header))
	for k, vs := range r.Header {
		c := make([]string, len(vs))
		for i, v := range vs {
			c[i] = strings.Clone(v)
		}
		r2.Header[strings.Clone(k)] = c
	}
	r2.Body, r2.ContentLength, r2.GetBody = http.NoBody, 0, nil
	return r2
}

// flushWriter is what a SendStreamWriter writer writes to: every write
// that leaves its buffer (on Flush, or when it is full) goes through
// consentkit and out at once.
type flushWriter struct {
	w http.ResponseWriter
	f http.Flusher
}

func (fw flushWriter) Write(p []byte) (int, error) {
	n, err := fw.w.Write(p)
	if err == nil && fw.f != nil {
		fw.f.Flush()
	}
	return n, err
}

// streamRecorder is the ResponseWriter of a streamed page's trip through
// consentkit: the headers it decides are handed to handle once, the body
// goes to fasthttp's stream.
type streamRecorder struct {
	hdr    http.Header
	head   http.Header // hdr when the status was sent
	status int
	bw     *bufio.Writer
	ready  chan struct{}
}

func (s *streamRecorder) Header() http.Header { return s.hdr }

func (s *streamRecorder) WriteHeader(code int) {
	if s.status != 0 || code < 200 {
		return
	}
	s.status, s.head = code, s.hdr.Clone()
	close(s.ready)
}

func (s *streamRecorder) Write(p []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return s.bw.Write(p)
}

// Flush sends what was written so far.
func (s *streamRecorder) Flush() { _ = s.bw.Flush() }
