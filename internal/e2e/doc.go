// Package e2e is consentkit's real-browser end-to-end suite: it drives
// Debian's headless Chromium with chromedp against pages wrapped by the
// consent middleware and checks what a visitor's browser actually does —
// which requests reach a fake tracker host, which scripts run, what the DOM,
// the cookies, the keyboard focus and the layout look like — rather than
// what the markup says.
//
// The package holds only tests. They skip unless CONSENT_BROWSER=1; with it,
// a missing browser or a missing axe-core is a failure, so CI cannot pass by
// skipping. .ci/browser.sh installs both and prints the variables to export:
//
//	eval "$(bash .ci/browser.sh)"
//	go test ./internal/e2e/
//
// The browser is found at /usr/bin/chromium, or at CONSENT_CHROMIUM. Every
// server the tests start listens on 127.0.0.1, and Chromium's host resolver
// maps the fake third-party hosts (tracker.test, ads.test) to it and every
// other name to nothing, so no request leaves the machine.
//
// With CONSENT_SCREENSHOTS=1 the suite also writes PNGs of the banner and
// the preferences dialog (English and Arabic, light and dark) to
// docs/screenshots/ at the repository root.
package e2e
