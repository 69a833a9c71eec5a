// Package consentgin mounts consentkit in Gin (github.com/gin-gonic/gin) as
// Gin middleware.
//
// Why it exists: the usual adapters for func(http.Handler) http.Handler
// middleware run c.Next() inside the wrapped handler but leave c.Writer, Gin's
// own writer, in place. Every handler then writes past the writer consentkit
// passed down: no banner, no script blocking, no Set-Cookie filtering, and no
// error either. Middleware points c.Writer at consentkit's writer for the rest
// of the chain (a gin.ResponseWriter over it), so c.HTML, c.JSON, c.Stream
// and friends all write through consentkit.
//
// Two placements pass the same tests. Prefer the middleware, registered
// first, so that Recovery's 500 page goes through it too; it keeps Gin's own
// startup (engine.Run, engine.RunTLS):
//
//	import consentgin "github.com/consentkit/consentkit/frameworks/gin"
//
//	engine.Use(consentgin.Middleware(cm))
//
// With it, the text of Gin's default 404 and 405 pages is written after the
// middleware has returned: their headers are filtered all the same, and the
// text is plain, which consentkit would not rewrite anyway. When you build the
// http.Server yourself, wrapping the whole engine covers those too:
//
//	http.ListenAndServe(addr, cm.Handler(engine))
//
// Either way consent.FromRequest(c.Request) is the visitor's State in every
// handler.
package consentgin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/consentkit/consentkit/consent"
)

// Middleware returns Gin middleware that runs the rest of the chain behind
// cm: requests for cm's endpoints are answered by cm (and the chain is
// aborted), every other response goes through cm's Set-Cookie filter and
// HTML rewrite.
func Middleware(cm *consent.Manager) gin.HandlerFunc {
	return func(c *gin.Context) {
		outer := c.Writer
		status := outer.Status() // 404 or 405 when Gin found no route
		// Gin's writer sends the status it holds on the first Write, where
		// net/http sends 200: consentkit's own pages rely on the latter.
		outer.WriteHeader(http.StatusOK)
		next := false
		cm.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next = true
			outer.WriteHeader(status) // for Gin's default 404 and 405 pages
			c.Request = r
			c.Writer = &responseWriter{w: w, outer: outer, status: status, size: -1}
			c.Next()
		})).ServeHTTP(outer, c.Request)
		c.Writer = outer
		if !next {
			c.Abort() // cm answered the request itself
		}
	}
}
