// Command demo is a small bilingual news site wrapped by consentkit: the
// quickest way to see the banner, the script blocking and the consent log
// at work.
//
//	go run ./examples/demo
//
// It keeps its consent log in a SQLite file under -data and, unless
// CONSENT_COOKIE_KEY and CONSENT_LOG_KEY are set, generates development keys
// there too (with a warning).
package main
