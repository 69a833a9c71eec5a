// Command nethttp is the README's quick start as a runnable program: a plain
// net/http ServeMux wrapped by consentkit, with a SQLite consent log.
//
//	COOKIE_KEY=$(openssl rand -hex 32) LOG_KEY=$(openssl rand -hex 32) go run ./examples/nethttp
//
// Without the variables it generates throw-away keys (consents then do not
// survive a restart) and says so.
package main
