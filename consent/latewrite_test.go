package consent

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteAfterReturnIsRefused: a framework that keeps the middleware's
// writer and writes after the handler returned (Echo's error handler
// behind echo.WrapMiddleware) must not get unfiltered bytes or a tracker
// cookie to the browser, and the site owner is told once why.
func TestWriteAfterReturnIsRefused(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "gzip"}[gz], func(t *testing.T) {
			var logs bytes.Buffer
			m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{},
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			require.NoError(t, err)
			var kept http.ResponseWriter
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { kept = w }))
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/missing", nil)
			if gz {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			h.ServeHTTP(rec, req)
			// The framework's error handler, too late:
			kept.Header().Set("Set-Cookie", "_ga=GA1.2.3; Path=/")
			kept.Header().Set("Content-Type", "text/html; charset=utf-8")
			kept.WriteHeader(http.StatusNotFound)
			n, err := kept.Write([]byte(`<html><body><script src="https://www.google-analytics.com/analytics.js"></script></body></html>`))
			assert.Zero(t, n)
			require.ErrorIs(t, err, errLateWrite)
			_, err = kept.Write([]byte("more"))
			require.ErrorIs(t, err, errLateWrite)
			assert.NotContains(t, rec.Body.String(), "google-analytics", "nothing unfiltered reaches the client")
			assert.Equal(t, 1, strings.Count(logs.String(), "after the consent middleware's handler returned"), "said once: %s", logs.String())
		})
	}
}
