package consent

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
)

// htmlStream is a streaming rewrite of an HTML body on its way to the
// client.
type htmlStream interface {
	io.Writer
	// Flush writes out everything already decided.
	Flush() error
	// Close ends the document and releases the stream.
	Close() error
}

// respWriter wraps the handler's ResponseWriter. At the moment the headers
// go out it filters Set-Cookie and decides whether the body is HTML to
// rewrite; everything else passes straight through.
//
// Optional interfaces (Flusher, Hijacker, io.ReaderFrom) are exposed exactly
// when the inner writer has them, through the small adapter types below, and
// Unwrap gives http.ResponseController the inner writer.
type respWriter struct {
	// ctx is the request's context with the visitor's State, here so
	// that the writer and the context are one allocation.
	ctx    stateCtx
	w      http.ResponseWriter
	r      *http.Request
	m      *Manager
	st     *State
	html   htmlStream
	state  uint8
	status int
	alone  bool // LeaveAlone: rewrite, but inject nothing
	// sniffTyped: wsSniff for a type Chromium sniffs (sniffsType), whose
	// header stays as the handler set it.
	sniffTyped bool
	bom        uint8       // how far writeHTML looked for a UTF-16 byte order mark (utf16.go)
	held       byte        // the body's first byte, while bom is bomHalf
	accept     uint8       // what Accept-Encoding allows the middleware to send (compress.go)
	cz         *compressor // the middleware's own gzip, once sendHeader chose it
}

const (
	wsFresh    uint8 = iota // nothing sent
	wsSniff                 // a page status without Content-Type: decide at first Write
	wsSent                  // headers sent
	wsHijacked              // connection taken over
	wsDone                  // the handler returned and finish ran
)

// errLateWrite is what a write gets after the middleware's handler
// returned. A framework that keeps the middleware's writer and writes its
// error page later (Echo's central error handler behind echo.WrapMiddleware)
// would otherwise send bytes that no filter saw, or, with the middleware's
// gzip already closed, an empty 200 with no word of why.
var errLateWrite = errors.New("consent: write after the consent middleware's handler returned; the bytes are dropped, not sent unfiltered: mount the middleware so that every write happens inside it (see Frameworks in the README)")

// late refuses a write or header after finish, and says so once.
func (rw *respWriter) late() error {
	rw.m.warnOncef("late-write", errLateWrite.Error(), "path", rw.r.URL.Path)
	return errLateWrite
}

func (rw *respWriter) Header() http.Header { return rw.w.Header() }

// Unwrap returns the inner ResponseWriter, for http.ResponseController.
func (rw *respWriter) Unwrap() http.ResponseWriter { return rw.w }

func (rw *respWriter) WriteHeader(code int) {
	if rw.state == wsDone {
		_ = rw.late()
		return
	}
	if rw.state != wsFresh {
		if rw.state == wsSniff {
			return // already a page waiting for its first bytes
		}
		if rw.cz == nil || rw.cz.mode != czHolding {
			rw.w.WriteHeader(code) // let net/http report the superfluous call
		}
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		// Informational: headers still to come, but 103 Early Hints sends
		// its Link preloads now.
		rw.m.filterFetchHeaders(rw.w.Header(), rw.st)
		rw.w.WriteHeader(code)
		return
	}
	h := rw.w.Header()
	rw.m.filterSetCookies(h, rw.st)
	rw.m.filterFetchHeaders(h, rw.st)
	if showsPage(code) {
		// The type first: most responses are not HTML, and skipRewrite's
		// header lookups are then not needed.
		ct, typed := h["Content-Type"]
		switch {
		case !typed:
			if !rw.m.skipRewrite(rw.r) {
				// net/http would sniff the first bytes: do the same,
				// once we have them.
				rw.state, rw.status = wsSniff, code
				return
			}
		case len(ct) > 0 && isHTML(ct[0]) && !rw.m.skipRewrite(rw.r):
			code = rw.rewriteHTML(h, code)
		case len(ct) == 1 && !mayRenderPage(ct[0]):
			// The common case: one plain type that is not HTML.
		default:
			// Several types, or one Chromium sniffs: judge what the
			// browser will take, not the first line.
			switch t := browserType(ct); {
			case isHTML(t):
				if !rw.m.skipRewrite(rw.r) {
					h["Content-Type"] = []string{t}
					code = rw.rewriteHTML(h, code)
				}
			case sniffsType(mediaType(t)) && !rw.m.skipRewrite(rw.r):
				rw.state, rw.status, rw.sniffTyped = wsSniff, code, true
				return
			case rendersXML(mediaType(t)) && !rw.m.skipRewrite(rw.r):
				rw.m.confineXMLDoc(h, rw.st)
			}
		}
	}
	rw.state = wsSent
	rw.sendHeader(code)
}

// startHTML begins rewriting when the response is HTML, and returns the
// status to send.
func (rw *respWriter) startHTML(h http.Header, code int) int {
	if !isHTML(first(h, "Content-Type")) {
		return code
	}
	return rw.rewriteHTML(h, code)
}

// rewriteHTML is startHTML for a response known to be HTML.
func (rw *respWriter) rewriteHTML(h http.Header, code int) int {
	if ce := first(h, "Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return rw.encodedHTML(h, code) // never passed on unrewritten
	}
	rw.beginRewrite(h)
	return code
}

// beginRewrite sets up the rewriting stream of an HTML response.
func (rw *respWriter) beginRewrite(h http.Header) {
	rw.html = rw.m.startHTML(bodySink{rw}, rw.r, rw.st, h, rw.alone)
	if rw.html == nil {
		return
	}
	if ct := first(h, "Content-Type"); strings.IndexByte(ct, ';') >= 0 {
		if is, big := utf16Charset(ct); is {
			h.Set("Content-Type", setUTF8Charset(ct))
			rw.html, rw.bom = newUTF16Stream(rw.html, big), bomDone
		}
	}
	h.Del("Content-Length")
	if et := h.Get("Etag"); et != "" && !strings.HasPrefix(et, "W/") {
		h.Set("Etag", "W/"+et)
	}
	addVary(h, "Cookie")
}

func (rw *respWriter) Write(p []byte) (int, error) {
	switch rw.state {
	case wsFresh:
		rw.WriteHeader(http.StatusOK)
		if rw.state == wsSniff {
			return rw.Write(p)
		}
	case wsSniff:
		if len(p) == 0 {
			return 0, nil
		}
		h := rw.w.Header()
		code := rw.status
		if sniffed := http.DetectContentType(p); !rw.sniffTyped {
			h.Set("Content-Type", sniffed)
			code = rw.startHTML(h, code)
		} else if isHTML(sniffed) {
			// The handler's own type stays: only the body is judged,
			// as the browser will render it.
			code = rw.rewriteHTML(h, code)
		}
		rw.state = wsSent
		rw.sendHeader(code)
	case wsHijacked:
		return 0, http.ErrHijacked
	case wsDone:
		return 0, rw.late()
	}
	if rw.html != nil {
		return rw.writeHTML(p)
	}
	return rw.body().Write(p)
}

// finish ends the response after the handler returned.
func (rw *respWriter) finish() {
	switch rw.state {
	case wsFresh:
		// The handler wrote nothing: net/http sends the headers now, so
		// filter them here.
		rw.m.filterSetCookies(rw.w.Header(), rw.st)
		rw.m.filterFetchHeaders(rw.w.Header(), rw.st)
	case wsSniff:
		// A page status with an empty body and no Content-Type.
		rw.state = wsSent
		rw.sendHeader(rw.status)
	}
	if rw.html != nil {
		if rw.bom == bomHalf {
			_, _ = rw.html.Write([]byte{rw.held}) // a one-byte body
		}
		_ = rw.html.Close()
		rw.html = nil
	}
	if rw.cz != nil {
		rw.cz.close(rw.state == wsHijacked)
		rw.cz = nil
	}
	if rw.state != wsHijacked {
		rw.state = wsDone
	}
}

func (rw *respWriter) flush() error {
	if rw.state == wsDone {
		return rw.late()
	}
	if rw.state == wsFresh {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.state == wsSniff {
		// Nothing written yet: send the headers without sniffing, like
		// net/http does on an early flush.
		rw.state = wsSent
		rw.sendHeader(rw.status)
	}
	if rw.html != nil {
		if err := rw.html.Flush(); err != nil {
			return err
		}
	}
	if rw.cz != nil {
		if err := rw.cz.flush(); err != nil {
			return err
		}
	}
	return http.NewResponseController(rw.w).Flush()
}

func (rw *respWriter) hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, b, err := rw.w.(http.Hijacker).Hijack()
	if err == nil {
		rw.state = wsHijacked
	}
	return c, b, err
}

func (rw *respWriter) readFrom(src io.Reader) (int64, error) {
	if rw.state == wsFresh {
		rw.WriteHeader(http.StatusOK)
	}
	if rw.html == nil && rw.cz == nil && rw.state == wsSent {
		return rw.w.(io.ReaderFrom).ReadFrom(src) // sendfile and friends stay available
	}
	return io.Copy(writerOnly{rw}, src)
}

// writerOnly hides ReadFrom so io.Copy goes through Write.
type writerOnly struct{ io.Writer }

type flusher struct{ rw *respWriter }

func (f flusher) Flush() { _ = f.rw.flush() }

// FlushError flushes and reports the error, for http.ResponseController.
func (f flusher) FlushError() error { return f.rw.flush() }

type hijacker struct{ rw *respWriter }

func (h hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.rw.hijack() }

type readerFrom struct{ rw *respWriter }

func (r readerFrom) ReadFrom(src io.Reader) (int64, error) { return r.rw.readFrom(src) }

// The combinations of optional interfaces. Each embeds the core by value
// so that wrapping costs one allocation.
type (
	withFlush struct {
		respWriter
		flusher
	}
	withHijack struct {
		respWriter
		hijacker
	}
	withReadFrom struct {
		respWriter
		readerFrom
	}
	withFlushHijack struct {
		respWriter
		flusher
		hijacker
	}
	withFlushReadFrom struct {
		respWriter
		flusher
		readerFrom
	}
	withHijackReadFrom struct {
		respWriter
		hijacker
		readerFrom
	}
	withFlushHijackReadFrom struct {
		respWriter
		flusher
		hijacker
		readerFrom
	}
)

// wrap returns a writer with exactly w's optional interfaces, and the core
// to finish after the handler returns.
//
// The returned writer's context (core.ctx) carries st on top of r's
// context; wrap returns r with it, the request the handler gets.
func (m *Manager) wrap(w http.ResponseWriter, r *http.Request, st *State) (http.ResponseWriter, *respWriter, *http.Request) {
	ww, core := m.wrapWriter(w, st)
	core.ctx = stateCtx{Context: r.Context(), st: st}
	core.r = r.WithContext(&core.ctx)
	return ww, core, core.r
}

func (m *Manager) wrapWriter(w http.ResponseWriter, st *State) (http.ResponseWriter, *respWriter) {
	core := respWriter{w: w, m: m, st: st}
	_, f := w.(http.Flusher)
	_, h := w.(http.Hijacker)
	_, rf := w.(io.ReaderFrom)
	switch {
	case f && h && rf:
		x := &withFlushHijackReadFrom{respWriter: core}
		x.flusher, x.hijacker, x.readerFrom = flusher{&x.respWriter}, hijacker{&x.respWriter}, readerFrom{&x.respWriter}
		return x, &x.respWriter
	case f && h:
		x := &withFlushHijack{respWriter: core}
		x.flusher, x.hijacker = flusher{&x.respWriter}, hijacker{&x.respWriter}
		return x, &x.respWriter
	case f && rf:
		x := &withFlushReadFrom{respWriter: core}
		x.flusher, x.readerFrom = flusher{&x.respWriter}, readerFrom{&x.respWriter}
		return x, &x.respWriter
	case h && rf:
		x := &withHijackReadFrom{respWriter: core}
		x.hijacker, x.readerFrom = hijacker{&x.respWriter}, readerFrom{&x.respWriter}
		return x, &x.respWriter
	case f:
		x := &withFlush{respWriter: core}
		x.flusher = flusher{&x.respWriter}
		return x, &x.respWriter
	case h:
		x := &withHijack{respWriter: core}
		x.hijacker = hijacker{&x.respWriter}
		return x, &x.respWriter
	case rf:
		x := &withReadFrom{respWriter: core}
		x.readerFrom = readerFrom{&x.respWriter}
		return x, &x.respWriter
	}
	x := &core
	return x, x
}

// showsPage reports whether a browser shows the body of a response with this
// final status as a page, loading what it names: 200, and as much a site's
// custom 404 or 500 page with its template's tags in it, or a 201 answering a
// form. Not: the statuses without a body (204, 205, 304), a part of one
// (206, which byte ranges must not shift), and redirects, whose body a
// browser does not render when it follows the Location.
func showsPage(code int) bool {
	switch {
	case code < 200 || code >= 300 && code < 400:
		return false
	case code == http.StatusNoContent, code == http.StatusResetContent, code == http.StatusPartialContent:
		return false
	}
	return true
}

func isHTML(ct string) bool {
	if len(ct) < len("text/html") || ct[0] > ' ' && ct[0] < 0x80 && ct[0]|0x20 != 't' {
		// Most types are not text/*, and begin with a byte that
		// TrimSpace would keep (not ASCII space, not the start of a
		// Unicode one): no trimming needed.
		return false
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	return len(ct) == len("text/html") && strings.EqualFold(ct, "text/html")
}

// mayRenderPage reports whether a single Content-Type value that is not
// text/html may still make Chromium render a page that loads things: a list
// of types (the last valid one counts), a type it sniffs, or an XML
// document (xmldoc.go). Most values are none of these, and cost one scan.
func mayRenderPage(ct string) bool {
	if strings.IndexByte(ct, ',') >= 0 {
		return true
	}
	t := mediaType(ct)
	return sniffsType(t) || rendersXML(t)
}

// mediaType returns ct's type and subtype, trimmed, without parameters.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(ct)
}

// sniffsType reports whether Chromium sniffs a body served with media type
// t (net's ShouldSniffMimeType): no type, or one of the "unknown" ones. A
// handler that sends those gets HTML rendered if the body looks like it.
func sniffsType(t string) bool {
	return t == "" || strings.EqualFold(t, "unknown/unknown") || strings.EqualFold(t, "application/unknown") || t == "*/*"
}

// browserType returns the Content-Type value Chromium takes from ct, as net's
// HttpResponseHeaders::GetMimeTypeAndCharset does: every line and every
// comma-separated item in order, the last one with a valid type (a slash,
// not */*) winning; "" when none is valid, and Chromium sniffs.
func browserType(ct []string) string {
	last := ""
	for _, line := range ct {
		for rest := line; rest != ""; {
			var item string
			item, rest = nextLinkEntry(rest) // commas inside quotes do not split
			t := mediaType(item)
			if strings.IndexByte(t, '/') > 0 && t != "*/*" {
				last = strings.TrimSpace(item)
			}
		}
	}
	return last
}

// skipRewrite reports whether a page response to r must pass unchanged.
func (m *Manager) skipRewrite(r *http.Request) bool {
	if r.Method == http.MethodHead {
		return true
	}
	// Canonical keys, read directly: Header.Get would allocate to
	// canonicalise "HX-Request".
	if len(r.Header["Hx-Request"]) > 0 && len(r.Header["Hx-Boosted"]) == 0 && !m.cfg.RewriteFragments {
		return true // an htmx fragment, not a page
	}
	return m.cfg.NoRewrite != nil && m.cfg.NoRewrite(r)
}
