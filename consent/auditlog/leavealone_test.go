package auditlog

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// unwrapping is a middleware's writer that follows the Unwrap convention.
type unwrapping struct{ http.ResponseWriter }

func (u unwrapping) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// The review and history pages mounted behind the middleware, as the README
// suggests, get nothing injected: their CSP would block the banner's assets,
// and an auditor's page is not the place for it. The developer does nothing
// for it (no Config.NoRewrite).
func TestAuditPagesBehindTheMiddlewareGetNoBanner(t *testing.T) {
	t.Parallel()
	const id = "0123456789abcdef0123456789abcdef"
	l := historyLog(t, id, nil)
	review, err := NewReviewHandler(l, ReviewOptions{Authorize: BasicAuth("dpo", "pw")})
	require.NoError(t, err)
	m, err := consent.New(consent.Config{
		Keys:           []consent.KeyPair{{HashKey: []byte("0123456789abcdef0123456789abcdef")}},
		Store:          l,
		HistoryHandler: HistoryHandler(l), // the Manager's own {prefix}/history
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/admin/log/", http.StripPrefix("/admin/log", review))
	mux.Handle("/my/history", HistoryHandler(l))
	// Another middleware's writer between the consent middleware and the
	// pages does not hide it.
	mux.Handle("/wrapped/", http.StripPrefix("/wrapped", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		review.ServeHTTP(unwrapping{w}, r)
	})))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><html><head><title>Site</title></head><body><p>News</p></body></html>`)
	})
	h := m.Handler(mux)

	page := func(path string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.SetBasicAuth("dpo", "pw")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	site := page("/")
	require.Contains(t, site.Body.String(), `id="ck-banner"`, "the site's own pages get the banner")

	for _, path := range []string{"/admin/log/", "/admin/log/counts", "/admin/log/verify", "/admin/log/record?seq=1",
		"/wrapped/", "/my/history?id=" + id, "/consent/history?id=" + id} {
		t.Run(path, func(t *testing.T) {
			w := page(path)
			require.Equal(t, http.StatusOK, w.Code)
			body := w.Body.String()
			require.Contains(t, body, "</html>")
			for _, injected := range []string{"ck-banner", "/consent/assets/", "ck-settings", "gtag"} {
				assert.NotContains(t, body, injected)
			}
			assert.Contains(t, w.Header().Get("Content-Security-Policy"), "default-src 'none'", "the page's own headers stay")
			assert.True(t, strings.HasPrefix(w.Header().Get("Content-Type"), "text/html"))
		})
	}
}

func TestLeaveAloneWithoutTheMiddleware(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	assert.False(t, consent.LeaveAlone(w), "nothing to tell")
	assert.False(t, consent.LeaveAlone(unwrapping{w}))
	assert.Empty(t, w.Header(), "no trace in the response")
}
