// Package consentecho mounts consentkit in Echo (github.com/labstack/echo/v4)
// as Echo middleware.
//
// Echo's own echo.WrapMiddleware(cm.Handler) runs the handlers through
// consentkit, but a handler's error is only turned into a page by Echo's
// central HTTPErrorHandler after every middleware has returned: by then
// consentkit has finished the response, so the error page's Set-Cookie
// headers are not filtered and its HTML is not rewritten. Middleware hands
// the error to the error handler while consentkit still wraps the writer,
// the way Echo's own Logger middleware commits errors.
//
// Two placements pass the same tests. Prefer the middleware, registered
// first, so that Recover's error pages go through it too; it keeps Echo's own
// startup (e.Start, e.StartTLS, e.Shutdown):
//
//	import consentecho "github.com/consentkit/consentkit/frameworks/echo"
//
//	e.Use(consentecho.Middleware(cm))
//
// When you build the http.Server yourself, wrapping the whole engine works as
// well and also covers what e.Pre middleware writes (its redirects):
//
//	http.ListenAndServe(addr, cm.Handler(e))   // e is the *echo.Echo
//
// Either way consent.FromRequest(c.Request()) is the visitor's State in
// every handler.
package consentecho

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/consentkit/consentkit/consent"
)

// Middleware returns Echo middleware that runs the rest of the chain behind
// cm: requests for cm's endpoints are answered by cm, every other response,
// including the error page Echo's HTTPErrorHandler writes for an error the
// chain returns, goes through cm's Set-Cookie filter and HTML rewrite.
//
// The error is still returned, already handled, so middleware registered
// before this one sees it; Echo's DefaultHTTPErrorHandler does nothing for a
// committed response, and a custom HTTPErrorHandler must check
// c.Response().Committed the same way.
func Middleware(cm *consent.Manager) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			outer := res.Writer
			var err error
			cm.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c.SetRequest(r)
				// Keep Echo's Response (its Committed, Status and
				// before/after hooks) and write through consentkit.
				res.Writer = w
				if err = next(c); err != nil {
					c.Error(err)
				}
			})).ServeHTTP(outer, c.Request())
			res.Writer = outer
			return err
		}
	}
}
