// Package views shows a templ component (github.com/a-h/templ) reading the
// visitor's consent: templ passes the request's context to Render, and
// consent.FromContext reads the State consentkit put there, so components
// need no extra parameter. consent_templ.go is generated from consent.templ:
//
//	go run github.com/a-h/templ/cmd/templ@v0.3.1118 generate -path internal/views
package views
