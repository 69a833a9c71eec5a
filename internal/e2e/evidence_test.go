package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
)

// The evidence pages of issue #17 pass axe-core with no serious or
// critical violation: the auditor's record page framing the snapshot, the
// snapshot on its own, sandboxed (no script runs there: the banner is shown
// as served, not working), and the visitor's receipt.
func TestEvidencePagesAccessibility(t *testing.T) {
	t.Parallel()
	if enabled() {
		_, err := axeSource()
		require.NoError(t, err, "CONSENT_BROWSER=1 needs axe-core")
	}
	tb := newTab(t, withViolationLog(), withHeaders(map[string]string{
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("dpo:pw")),
	}))
	l, err := auditlog.Open(context.Background(), sqlite.File(filepath.Join(t.TempDir(), "log.db")),
		auditlog.Options{Key: []byte("e2e-log-key-0123456789abcdef-32by"), Logger: slog.New(slog.DiscardHandler),
			Controller: auditlog.Controller{Name: "Example News", Email: "dpo@example.com"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	review, err := auditlog.NewReviewHandler(l, auditlog.ReviewOptions{Authorize: auditlog.BasicAuth("dpo", "pw")})
	require.NoError(t, err)
	m, err := consent.New(consent.Config{
		Keys: []consent.KeyPair{{HashKey: testKey}}, Store: l, Cookie: consent.Cookie{Insecure: true},
		HistoryHandler: auditlog.HistoryHandler(l), Logger: slog.New(slog.DiscardHandler),
		Cookies: []consent.CookieSpec{{Name: "_ga", Category: "analytics", Provider: "Google Analytics",
			Purpose: map[string]string{"en": "Counts visits"}}},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/admin/consent-log/", http.StripPrefix("/admin/consent-log", review))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><html lang="en"><head><title>News</title></head><body><h1>News</h1></body></html>`)
	})
	// The snapshot's bytes, unsandboxed: axe-core cannot run where no
	// script may, so it checks this copy of what the sandbox shows.
	mux.HandleFunc("/snapshot-copy", func(w http.ResponseWriter, r *http.Request) {
		consent.LeaveAlone(w)
		e, err := l.Get(r.Context(), 1)
		require.NoError(t, err)
		s, err := l.Shown(r.Context(), e.ShownHash)
		require.NoError(t, err)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, s.HTML)
	})
	srv := newLoopbackServer(t, m.Handler(mux))

	tb.open(srv.URL + "/")
	require.True(t, tb.visible("#ck-banner"))
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`document.querySelector('#ck-banner') === null`)
	e, err := l.Get(context.Background(), 1)
	require.NoError(t, err)

	check := func(path, sel string) {
		t.Helper()
		tb.open(srv.URL + path)
		tb.injectAxe()
		// iframes: false, since axe cannot run inside the sandboxed
		// snapshot, which allows no script; it is checked on its own.
		raw := eval[[]byte](tb, fmt.Sprintf(`axe.run(document.querySelector(%s), {resultTypes: ['violations'], iframes: false})
			.then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical'))`, jsString(sel)))
		var vs []axeViolation
		require.NoError(t, json.Unmarshal(raw, &vs))
		for _, v := range vs {
			t.Errorf("%s: %s", path, v)
		}
		assert.Empty(t, eval[[]string](tb, `window.violations`), "%s: no securitypolicyviolation event", path)
	}
	check("/admin/consent-log/record?seq=1", "body")
	assert.True(t, eval[bool](tb, `document.querySelector('iframe.shown').sandbox.length === 0`), "sandboxed without exceptions")
	tb.open(srv.URL + "/admin/consent-log/shown?seq=1")
	assert.True(t, tb.visible("#ck-banner"), "the snapshot shows the first layer")
	assert.True(t, tb.visible("#ck-prefs"), "and the dialog")
	check("/snapshot-copy", "body")
	check("/consent/history?id="+e.ConsentID+"&receipt=1", "main")
	assert.Contains(t, eval[string](tb, `document.body.textContent`), "Google Analytics")
}
