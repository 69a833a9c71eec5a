// Package consentchi proves that consentkit works with chi
// (github.com/go-chi/chi/v5) as it is: chi routers are http.Handlers and chi
// middleware has consentkit's shape, func(http.Handler) http.Handler, so no
// adapter code is needed. The package holds only the tests: the shared
// scenarios of internal/frameworktest for both placements, and a benchmark.
//
// Prefer wrapping the whole router:
//
//	http.ListenAndServe(addr, cm.Handler(r))
//
// which also covers requests chi answers itself (404, 405). Registering it as
// chi middleware works too, first in the chain:
//
//	r := chi.NewRouter()
//	r.Use(cm.Handler)
//
// chi runs router-level middleware for unmatched routes as well, so its
// NotFound and MethodNotAllowed pages are filtered either way; middleware
// registered before it (a logger, a recoverer that writes a 500 page) writes
// outside consentkit, which is why wrapping the router is preferred.
// consent.FromRequest(r) works in every handler below it.
package consentchi
