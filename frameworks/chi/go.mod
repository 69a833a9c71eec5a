module github.com/consentkit/consentkit/frameworks/chi

go 1.26.0

replace github.com/consentkit/consentkit => ../..

require github.com/consentkit/consentkit v0.0.0-00010101000000-000000000000

require github.com/a-h/templ v0.3.1118

require golang.org/x/sys v0.50.0 // indirect

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/gorilla/securecookie v1.1.2 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)
