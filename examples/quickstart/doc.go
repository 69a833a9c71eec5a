// Command quickstart is the README's quick start, byte for byte (a test
// pins the two together and serves a page with it): keys from the
// environment through consent.ParseKey, a SQLite consent log, and one page
// whose Google tag and inline analytics wait for consent.
//
//	COOKIE_KEY=$(openssl rand -hex 32) LOG_KEY=$(openssl rand -hex 32) go run ./examples/quickstart
//
// A log is bound to the key it was created with: keep LOG_KEY, or start
// again without consent-log.sqlite.
package main
