module github.com/consentkit/consentkit/frameworks/gorillamux

go 1.26.0

replace github.com/consentkit/consentkit => ../..

require github.com/consentkit/consentkit v0.0.0-00010101000000-000000000000

require golang.org/x/sys v0.50.0 // indirect

require (
	github.com/gorilla/mux v1.8.1
	github.com/gorilla/securecookie v1.1.2 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)
