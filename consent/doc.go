// Package consent is net/http middleware for cookie consent that regulators
// accept: a signed consent cookie, a decision endpoint that logs every
// decision before acknowledging it, Global Privacy Control, and the
// visitor's choice in every request's context.
//
// Wrap a handler:
//
//	cm, err := consent.New(consent.Config{Keys: []consent.KeyPair{{HashKey: key}}})
//	if err != nil { ... }
//	http.ListenAndServe(addr, cm.Handler(mux))
//
// and ask, in any handler below it:
//
//	if consent.FromRequest(r).Allowed("analytics") { ... }
//
// A visitor without a valid cookie is undecided: only the necessary category
// is allowed. A forged, expired, oversized or outdated cookie is treated the
// same way; it is never an error page.
//
// Decisions are posted to Config.Prefix + "/decision" (default
// /consent/decision) as an HTML form or as JSON. The middleware refuses
// cross-origin posts, validates the body, hands an audit Record to the
// configured Store, and only when the Store has kept it sets the cookie.
package consent
