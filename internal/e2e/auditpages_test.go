package e2e

import (
	"context"
	"encoding/base64"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
)

// withViolationLog records securitypolicyviolation events in
// window.violations on every page, before any of its scripts: installed by
// the browser itself, so that it runs under a policy that forbids the
// page every script.
func withViolationLog() tabOption {
	return func(t *testing.T, ctx context.Context) {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
			window.violations = [];
			document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));`})
		require.NoError(t, err)
	}
}

// The auditor's review pages mounted behind the middleware, as the README
// suggests and without Config.NoRewrite: no banner, no settings link, nothing
// that their strict Content-Security-Policy refuses (#18 item 5).
func TestReviewPagesBehindTheMiddleware(t *testing.T) {
	t.Parallel()
	tb := newTab(t, withViolationLog(), withHeaders(map[string]string{
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("dpo:pw")),
	}))
	l, err := auditlog.Open(context.Background(), sqlite.File(filepath.Join(t.TempDir(), "log.db")),
		auditlog.Options{Key: []byte("e2e-log-key-0123456789abcdef-32by"), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	review, err := auditlog.NewReviewHandler(l, auditlog.ReviewOptions{Authorize: auditlog.BasicAuth("dpo", "pw")})
	require.NoError(t, err)
	m, err := consent.New(consent.Config{
		Keys: []consent.KeyPair{{HashKey: testKey}}, Store: l, Cookie: consent.Cookie{Insecure: true},
		HistoryHandler: auditlog.HistoryHandler(l), Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/admin/consent-log/", http.StripPrefix("/admin/consent-log", review))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><html lang="en"><head><title>News</title></head><body><h1>News</h1></body></html>`)
	})
	srv := newLoopbackServer(t, m.Handler(mux))

	noInjection := func(path string) {
		t.Helper()
		tb.open(srv.URL + path)
		assert.True(t, eval[bool](tb, `document.querySelector('h1, h2') !== null`), "%s: the review page rendered", path)
		assert.False(t, tb.exists("#ck-banner"), "%s: no banner", path)
		assert.False(t, tb.exists(".ck-settings"), "%s: no settings link", path)
		assert.False(t, tb.exists(`script, link[rel=stylesheet]`), "%s: no injected script or stylesheet", path)
		assert.Empty(t, eval[[]string](tb, `window.violations`), "%s: no securitypolicyviolation event", path)
		assert.Empty(t, cspComplaints(tb), "%s: no CSP report on the console", path)
	}
	// An undecided visitor: the banner would show on any site page.
	noInjection("/admin/consent-log/")
	noInjection("/admin/consent-log/counts")

	// Decide on a site page, so the log has a record to show.
	tb.open(srv.URL + "/")
	require.True(t, tb.visible("#ck-banner"), "the site's own pages do get the banner")
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`document.querySelector('#ck-banner') === null`)

	noInjection("/admin/consent-log/")
	noInjection("/admin/consent-log/record?seq=1")
	noInjection("/admin/consent-log/verify")
	assert.Contains(t, eval[string](tb, `document.body.textContent`), "The chain verifies")
}

// The page's own "Cookie settings" control replaces the automatic link, and
// opens the preferences like it, whether it comes from the template helper
// or is written by hand with data-ck-settings (#18 item 4).
func TestPagesOwnSettingsControl(t *testing.T) {
	t.Parallel()
	m, err := consent.New(consent.Config{
		Keys: []consent.KeyPair{{HashKey: testKey}}, Store: &memStore{}, Cookie: consent.Cookie{Insecure: true},
		Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	tmpl := template.Must(template.New("").Funcs(m.TemplateFuncs()).Parse(`<!doctype html><html lang="en"><head><title>News</title></head>` +
		`<body><h1>News</h1><footer>{{if .Helper}}{{consentSettingsLink .R}}{{else}}<button type="button" id="own" data-ck-settings>Privacy choices</button>{{end}}</footer></body></html>`))
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = tmpl.Execute(w, struct {
			R      *http.Request
			Helper bool
		}{r, r.URL.Path == "/helper"})
	})
	srv := newLoopbackServer(t, m.Handler(mux))

	t.Run("template helper", func(t *testing.T) {
		t.Parallel()
		tb := newTab(t, withFocus())
		tb.open(srv.URL + "/helper")
		require.True(t, tb.visible("#ck-banner"))
		assert.Equal(t, 1, eval[int](tb, `document.querySelectorAll('.ck-settings').length`), "one settings link, not two")
		assert.True(t, eval[bool](tb, `document.querySelector('.ck-settings').closest('footer') !== null`), "the page's own")
		assert.True(t, tb.visible("footer .ck-settings"))
		tb.click("#ck-banner .ck-accept")
		tb.waitFor(`document.querySelector('#ck-banner') === null`)
		assert.True(t, eval[bool](tb, `document.activeElement.matches('footer [data-ck-settings]')`),
			"after a choice, focus goes to the page's control")
		tb.click("footer .ck-settings")
		tb.waitFor(prefsOpen)
	})
	t.Run("hand-written", func(t *testing.T) {
		t.Parallel()
		tb := newTab(t)
		tb.open(srv.URL + "/own")
		require.True(t, tb.visible("#ck-banner"))
		assert.False(t, tb.exists(".ck-settings"), "no automatic link")
		tb.click("#own")
		tb.waitFor(prefsOpen)
	})
}
