// Package frameworktest is the scenario suite every framework integration of
// consentkit runs (frameworks/<name> modules), so that "works with Gin" means
// the same checks as "works with chi": a framework that silently bypasses the
// middleware's writer fails here instead of in production.
//
// A framework module describes how it builds its app in a Target and calls Run:
//
//	func TestChiWrapped(t *testing.T) {
//		frameworktest.Run(t, frameworktest.Target{
//			Name:    "chi wrapped",
//			Streams: true,
//			Build: func(t testing.TB, cm *consent.Manager, h frameworktest.Hooks) http.Handler {
//				r := chi.NewRouter()
//				// ... the routes below ...
//				if cm == nil {
//					return r // the bare framework: the suite's reference page
//				}
//				return cm.Handler(r)
//			},
//		})
//	}
//
// Build must serve these routes, written in the framework's own style (its
// context type, its response helpers, its error handling):
//
//	GET /page     200 text/html with the body Page, and Set-Cookie CookieName=1
//	              (a cookie declared under a category nobody has granted yet)
//	GET /missing  no route: the framework's own not-found page; its error or
//	              not-found handler also sets CookieName=1 where the framework
//	              lets one
//	GET /state    200 text/plain, the body StateText(consent state), read
//	              through the framework's context (c.Request in Gin,
//	              c.Request() in Echo, ...)
//	GET /stream   200 text/html written by Hooks.Stream with the framework's
//	              writer and flush
//
// Build is also called with a nil Manager: it must then return the same app
// without consentkit, which the suite uses as the reference for "the page is
// unchanged apart from the injected snippets" and benchmarks use as the
// baseline. The suite serves the handler from a real httptest.Server on
// 127.0.0.1, so streaming, flushing and headers are those of net/http. A
// framework that does not run on net/http (Fiber) sets Start instead of Build
// and returns the base URL of a server it started.
//
// Scenarios (Run runs each as a subtest):
//
//   - undecided: the page carries the banner, the known tracker script in
//     Page is neutralised, and the Set-Cookie of CookieName is dropped;
//   - error page: CookieName is dropped from the framework's not-found page
//     too, and it is still a 404;
//   - decision: a same-origin form post is accepted (303), a cross-origin one
//     (foreign Origin header) is refused (403) and sets no consent cookie;
//   - accepted: after Accept all, /page equals the bare framework's page apart
//     from the injected snippets, CookieName is let through, and /state shows
//     the granted categories;
//   - streaming: the first flushed bytes of /stream reach the client while the
//     handler is still blocked (a generous deadline, not a timing assertion).
//
// CheckProtected is the check for a wrong mounting: it tells whether a
// handler really is behind consentkit, so a module can assert that the
// known-silent way of mounting is caught.
package frameworktest
