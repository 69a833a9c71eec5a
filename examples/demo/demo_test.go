package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func startDemo(t *testing.T) (*app, *httptest.Server, *http.Client) {
	t.Helper()
	a, err := newApp(context.Background(), appConfig{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	// The server the demo runs, with its timeouts and header limit.
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = newServer(a.Handler)
	srv.Start()
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := srv.Client()
	c.Jar = jar
	return a, srv, c
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestDemoFirstVisitAcceptAndAudit(t *testing.T) {
	a, srv, c := startDemo(t)

	resp, err := c.Get(srv.URL + "/es/")
	require.NoError(t, err)
	page := body(t, resp)
	assert.Contains(t, page, `id="ck-banner"`)
	assert.Contains(t, page, `La Gaceta del Puerto`)
	assert.Contains(t, page, `data-ck-blocked="analytics" data-ck-src="/static/analytics.js"`, "analytics is blocked before consent")
	assert.Contains(t, page, `data-ck-blocked="marketing"`)
	names := map[string]bool{}
	for _, ck := range resp.Cookies() {
		names[ck.Name] = true
	}
	assert.True(t, names["demo_session"], "necessary cookies pass")
	assert.False(t, names["_demo_ga"], "analytics cookies are dropped before consent")
	assert.False(t, names["_demo_ads_id"])

	resp, err = c.PostForm(srv.URL+"/consent/decision", url.Values{"action": {"accept_all"}, "return": {"/es/horario-ferry"}, "lang": {"es"}})
	require.NoError(t, err)
	page = body(t, resp)
	assert.Equal(t, "/es/horario-ferry", resp.Request.URL.Path)
	assert.NotContains(t, page, `id="ck-banner"`)
	assert.NotContains(t, page, `data-ck-blocked`)
	assert.Contains(t, page, "analytics")

	rep, err := a.Log.Verify(context.Background())
	require.NoError(t, err)
	assert.True(t, rep.OK, "the chain verifies")
	assert.Equal(t, int64(1), rep.Records)

	// The auditor's review needs credentials.
	resp, err = http.Get(srv.URL + "/admin/consent-log/")
	require.NoError(t, err)
	body(t, resp)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/admin/consent-log/export?format=jsonl", nil)
	req.SetBasicAuth(a.AuditorUser, a.AuditorPassword)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	export := body(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, export, `"accept_all"`)
	assert.Contains(t, export, `"language":"es"`)
}

func TestDemoPages(t *testing.T) {
	_, srv, c := startDemo(t)
	for path, want := range map[string]string{
		"/":                     "The Harbour Gazette",
		"/en/market-square":     "Market square reopens",
		"/es/plaza-mercado":     "La plaza del mercado",
		"/privacy":              "Privacy policy",
		"/es/privacidad":        "Política de privacidad", // linked from every Spanish page
		"/consent/cookies":      "_demo_ga",
		"/consent/preferences":  `role="dialog"`,
		"/.well-known/gpc.json": `"gpc": true`,
		"/static/analytics.js":  "demoAnalytics",
	} {
		resp, err := c.Get(srv.URL + path)
		require.NoError(t, err, path)
		b := body(t, resp)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, b, want, path)
	}
	resp, err := c.Get(srv.URL + "/en/nope")
	require.NoError(t, err)
	body(t, resp)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1"))
}

func TestDemoServerLimits(t *testing.T) {
	_, srv, c := startDemo(t)
	cfg := srv.Config
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": cfg.ReadHeaderTimeout, "ReadTimeout": cfg.ReadTimeout,
		"WriteTimeout": cfg.WriteTimeout, "IdleTimeout": cfg.IdleTimeout,
	} {
		assert.Positive(t, d, "%s: the zero value waits forever", name)
	}
	assert.LessOrEqual(t, cfg.ReadHeaderTimeout, cfg.ReadTimeout)

	// A header block past the limit is refused before any handler runs; a
	// browser's cookies fit easily.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", 200<<10))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body(t, resp)
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.Header.Set("Cookie", "big="+strings.Repeat("a", 4000)+"; other="+strings.Repeat("b", 4000))
	resp, err = c.Do(req)
	require.NoError(t, err)
	body(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// The auditor's pages, mounted behind the middleware, get no banner: their
// Content-Security-Policy would block its assets, and the review handler
// says so itself (consent.LeaveAlone), without a NoRewrite in the demo.
func TestDemoReviewPagesHaveNoBanner(t *testing.T) {
	a, srv, c := startDemo(t)
	resp, err := c.PostForm(srv.URL+"/consent/decision", url.Values{"action": {"reject_all"}, "return": {"/"}})
	require.NoError(t, err)
	body(t, resp)
	for _, path := range []string{"/admin/consent-log/", "/admin/consent-log/counts", "/admin/consent-log/verify", "/admin/consent-log/record?seq=1"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.SetBasicAuth(a.AuditorUser, a.AuditorPassword)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		page := body(t, resp)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, page, "Consent log", path)
		for _, injected := range []string{"ck-banner", "/consent/assets/", "ck-settings"} {
			assert.NotContains(t, page, injected, path)
		}
	}
}
