package e2e

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
)

// capturedReport is a request to the report endpoint as the server got it.
type capturedReport struct {
	header http.Header
	body   string
}

// Discovery end to end (#17): a site sets an undeclared cookie from the
// server and another from a script, and a script loads a tracker the
// runtime guard blocks. The auditor's discovery page lists all three with
// the Open Cookie Database's suggestion; the loader's report of the blocked
// host carries the host and its category and nothing else (no cookie, no
// referrer, no identifier), and repeated blocks make one report. The
// statistics and discovery pages pass axe-core.
func TestDiscoveryEndToEnd(t *testing.T) {
	t.Parallel()
	if enabled() {
		_, err := axeSource()
		require.NoError(t, err, "CONSENT_BROWSER=1 needs axe-core")
	}
	tb := newTab(t, withViolationLog())
	l, err := auditlog.Open(context.Background(), sqlite.File(filepath.Join(t.TempDir(), "log.db")),
		auditlog.Options{Key: []byte("e2e-log-key-0123456789abcdef-32by"), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	review, err := auditlog.NewReviewHandler(l, auditlog.ReviewOptions{Authorize: auditlog.BasicAuth("dpo", "pw")})
	require.NoError(t, err)

	third := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = io.WriteString(w, "window.trackerRan = true;")
	}))
	_, port, err := net.SplitHostPort(third.Listener.Addr().String())
	require.NoError(t, err)
	m, err := consent.New(consent.Config{
		Keys: []consent.KeyPair{{HashKey: testKey}}, Store: l, Cookie: consent.Cookie{Insecure: true},
		Logger:   slog.New(slog.DiscardHandler),
		Trackers: map[string]string{"tracker.test": "analytics"},
		// Every request's Cookie header, and a flush soon after.
		Discovery: consent.Discovery{SampleCookies: 1, FlushEvery: 100 * time.Millisecond},
	})
	require.NoError(t, err)

	mux := http.NewServeMux()
	mux.Handle("/admin/consent-log/", http.StripPrefix("/admin/consent-log", review))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// Undeclared, from the server: dropped, and discovered.
		http.SetCookie(w, &http.Cookie{Name: "_gcl_au", Value: "1.1.1", Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><html lang="en"><head><title>News</title></head><body><h1>News</h1>
<script>
// The host is built at run time, so that the rewriter does not see it in
// the markup: the runtime guard must be the one holding it.
document.cookie = "_fbp=fb.1.1.1; path=/";
for (const f of ["a.js", "b.js", "c.js"]) {
	const s = document.createElement("script");
	s.src = "http://" + ["tracker", "test"].join(".") + ":`+port+`/" + f;
	document.head.append(s);
}
// A third party the tracker table does not know: let through (it does not
// resolve here), and reported as unknown.
const p = document.createElement("img");
p.src = "http://" + ["cdn", "partner", "test"].join(".") + "/pixel.gif";
document.body.append(p);
</script></body></html>`)
	})
	var mu sync.Mutex
	var reports []capturedReport
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == m.Prefix()+"/report" {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			reports = append(reports, capturedReport{r.Header.Clone(), string(body)})
			mu.Unlock()
			r.Body = io.NopCloser(strings.NewReader(string(body)))
		}
		m.Handler(mux).ServeHTTP(w, r)
	}))

	tb.open(srv.URL + "/")
	require.True(t, tb.visible("#ck-banner"))
	assert.False(t, eval[bool](tb, `!!window.trackerRan`), "the guard held the tracker")
	// The next page sends the script's cookie back.
	tb.open(srv.URL + "/")
	got := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(reports)
	}
	require.Eventually(t, func() bool { return got() > 0 }, 15*time.Second, 50*time.Millisecond, "the loader reports the blocked host")
	// Two pages, each blocking three scripts of one host and seeing one
	// unknown host: one report a page, of two lines.
	time.Sleep(4 * time.Second)
	mu.Lock()
	rs := append([]capturedReport(nil), reports...)
	mu.Unlock()
	assert.Len(t, rs, 2, "one report a page")
	for _, r := range rs {
		assert.Equal(t, "tracker.test analytics\ncdn.partner.test unknown", r.body, "host and category, nothing else")
		assert.Empty(t, r.header.Get("Cookie"), "credentials omitted: no consent cookie, no other cookie")
		assert.Empty(t, r.header.Get("Referer"), "no page address")
		assert.Equal(t, "same-origin", r.header.Get("Sec-Fetch-Site"))
		for k := range r.header {
			assert.NotContains(t, []string{"Authorization", "Cookie", "Referer"}, k)
		}
	}

	// A decision, so that the statistics have a record.
	tb.click("#ck-banner .ck-reject")
	tb.waitFor(`document.querySelector('#ck-banner') === null`)

	// The flush is on a timer; the page shows what was flushed.
	require.Eventually(t, func() bool {
		ds, err := l.Discoveries(context.Background())
		require.NoError(t, err)
		kinds := map[string]bool{}
		for _, d := range ds {
			kinds[string(d.Kind)+" "+d.Name] = true
		}
		return kinds["set-cookie _gcl_au"] && kinds["cookie _fbp"] && kinds["host tracker.test"] && kinds["host cdn.partner.test"]
	}, 10*time.Second, 50*time.Millisecond, "all four discovered and stored")

	auditor := newTab(t, withViolationLog(), withHeaders(map[string]string{
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("dpo:pw")),
	}))
	auditor.open(srv.URL + "/admin/consent-log/discovered")
	text := eval[string](auditor, `document.querySelector('main').innerText`)
	for _, want := range []string{
		"_gcl_au", "set by the server", "Google", `consent.KnownCookie("_gcl_au")`,
		"_fbp", "set by a script", "Facebook", `consent.KnownCookie("_fbp")`,
		"tracker.test", "blocked in the browser", "analytics",
		"cdn.partner.test", "unknown to the tracker table",
	} {
		assert.Contains(t, text, want)
	}
	auditor.injectAxe()
	for _, v := range auditor.axeSerious("body") {
		t.Errorf("discovery page: %s", v)
	}
	assert.Empty(t, eval[[]string](auditor, `window.violations`))

	auditor.open(srv.URL + "/admin/consent-log/stats")
	assert.True(t, auditor.exists(`svg[role=img] title`), "charts with a title")
	assert.Contains(t, eval[string](auditor, `document.querySelector('main').innerText`), "reject all")
	auditor.injectAxe()
	for _, v := range auditor.axeSerious("body") {
		t.Errorf("statistics page: %s", v)
	}
	assert.Empty(t, eval[[]string](auditor, `window.violations`))
}
