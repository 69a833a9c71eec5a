package consent

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An XML document loads what its XHTML and SVG elements name (seen in the
// browser: an <img src> in application/xhtml+xml and text/xml, an <image
// href> in image/svg+xml reached the ad network through the middleware).
// It is not rewritten, so for a visitor who has not granted everything it
// is confined to its origin; other types, and HTML, are not.
func TestXMLDocumentsAreConfinedToTheirOrigin(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog})
	require.NoError(t, err)
	tests := []struct {
		ct      string
		confine bool
	}{
		{"application/xhtml+xml", true},
		{"application/xhtml+xml; charset=utf-8", true},
		{"Image/SVG+XML", true},
		{"text/xml", true},
		{"application/xml", true},
		{"application/rss+xml", true},
		{"text/xsl", true},
		{"text/html", false},
		{"application/json", false},
		{"text/plain", false},
		{"image/png", false},
	}
	for _, tt := range tests {
		for _, grant := range []bool{false, true} {
			t.Run(tt.ct, func(t *testing.T) {
				h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", tt.ct)
					w.Header().Set("Content-Security-Policy", "frame-ancestors 'self'")
					_, _ = w.Write([]byte(`<?xml version="1.0"?><x/>`))
				}))
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				if grant {
					req.Header.Set("Cookie", decidedCookie(t, m, ^uint64(0)))
				}
				h.ServeHTTP(rec, req)
				want := []string{"frame-ancestors 'self'"}
				if tt.confine && !grant {
					want = append(want, xmlDocCSP)
				}
				assert.Equal(t, want, rec.Header()["Content-Security-Policy"], "granted all: %t", grant)
			})
		}
	}
}
