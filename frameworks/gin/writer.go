package consentgin

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// responseWriter is the gin.ResponseWriter the chain sees behind Middleware:
// Gin's bookkeeping (a status held until the first write, the size written)
// over the writer consentkit passes down.
type responseWriter struct {
	w      http.ResponseWriter // consentkit's
	outer  gin.ResponseWriter  // Gin's own, for what consentkit does not wrap
	status int
	size   int // -1: headers not written yet
}

var _ gin.ResponseWriter = (*responseWriter)(nil)

func (rw *responseWriter) Header() http.Header { return rw.w.Header() }

// Unwrap gives http.ResponseController consentkit's writer.
func (rw *responseWriter) Unwrap() http.ResponseWriter { return rw.w }

// WriteHeader keeps the status until the body starts, as Gin's writer does,
// so that c.Status followed by a render still lets handlers change it.
func (rw *responseWriter) WriteHeader(code int) {
	if code > 0 && !rw.Written() {
		rw.status = code
	}
}

func (rw *responseWriter) WriteHeaderNow() {
	if !rw.Written() {
		rw.size = 0
		rw.w.WriteHeader(rw.status)
	}
}

func (rw *responseWriter) Write(p []byte) (int, error) {
	rw.WriteHeaderNow()
	n, err := rw.w.Write(p)
	rw.size += n
	return n, err
}

func (rw *responseWriter) WriteString(s string) (int, error) {
	rw.WriteHeaderNow()
	n, err := io.WriteString(rw.w, s)
	rw.size += n
	return n, err
}

func (rw *responseWriter) Status() int   { return rw.status }
func (rw *responseWriter) Size() int     { return rw.size }
func (rw *responseWriter) Written() bool { return rw.size != -1 }

// Flush sends the headers and what consentkit has rewritten so far.
func (rw *responseWriter) Flush() {
	rw.WriteHeaderNow()
	_ = http.NewResponseController(rw.w).Flush()
}

func (rw *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if rw.size < 0 {
		rw.size = 0
	}
	return http.NewResponseController(rw.w).Hijack()
}

// CloseNotify is Gin's own: consentkit does not wrap the deprecated
// http.CloseNotifier.
func (rw *responseWriter) CloseNotify() <-chan bool { return rw.outer.CloseNotify() }

// Pusher is nil: HTTP/2 server push is gone from browsers, and a pushed
// resource would bypass consentkit.
func (rw *responseWriter) Pusher() http.Pusher { return nil }
