// Package consentmux proves that consentkit works with gorilla/mux
// (github.com/gorilla/mux) without adapter code: a mux.Router is an
// http.Handler and mux.MiddlewareFunc has consentkit's shape. The package
// holds only the tests: the shared scenarios of internal/frameworktest for
// both placements, the known-wrong placement, and a benchmark.
//
// Prefer wrapping the whole router:
//
//	http.ListenAndServe(addr, cm.Handler(r))
//
// gorilla/mux runs r.Use middleware only when a route matches. With
// r.Use(cm.Handler) alone, consentkit's own endpoints (/consent/decision,
// /consent/assets/..., which are no routes of yours) answer 404 and the
// router's not-found and method-not-allowed pages are served outside the
// middleware, so their Set-Cookie headers are not filtered. If you register
// it as router middleware anyway, wrap those two handlers too:
//
//	r.Use(cm.Handler)
//	r.NotFoundHandler = cm.Handler(notFound) // http.NotFoundHandler() if you have none
//	r.MethodNotAllowedHandler = cm.Handler(methodNotAllowed)
//
// consent.FromRequest(r) works in every handler below it.
package consentmux
