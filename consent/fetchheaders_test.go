package consent

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every response header seen to make Chromium contact a tracker without a
// click (internal/e2e TestResponsesBlockedUntilConsent) goes, for an
// undecided visitor, from every response, page or not; what a first party
// names stays, and a visitor who granted everything gets all of it.
func TestFetchHeadersToTrackersAreDropped(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog})
	require.NoError(t, err)
	const fb = "https://www.facebook.com/tr"
	tests := []struct {
		name     string
		key      string
		in, want []string
	}{
		{"refresh to a tracker", "Refresh", []string{"0; url=" + fb}, nil},
		{"refresh, quoted URL", "Refresh", []string{"1;URL='" + fb + "'"}, nil},
		{"refresh to the site", "Refresh", []string{"0; url=/next"}, []string{"0; url=/next"}},
		{"speculation rules from a tracker", "Speculation-Rules", []string{`"/rules.json", "` + fb + `/rules.json"`}, []string{`"/rules.json"`}},
		{"only a tracker's speculation rules", "Speculation-Rules", []string{`"` + fb + `/r.json"`}, nil},
		{"reporting endpoints", "Reporting-Endpoints", []string{`csp="` + fb + `", own="/reports"`}, []string{`own="/reports"`}},
		{"csp report-uri", "Content-Security-Policy", []string{"style-src 'self'; report-uri " + fb + " /csp; img-src *"}, []string{"style-src 'self'; report-uri /csp; img-src *"}},
		{"csp report-uri, only a tracker", "Content-Security-Policy-Report-Only", []string{"style-src 'none'; REPORT-URI " + fb}, []string{"style-src 'none'"}},
		{"csp without reports", "Content-Security-Policy", []string{"default-src 'self'"}, []string{"default-src 'self'"}},
		{"report-to", "Report-To", []string{`{"group":"default","max_age":10,"endpoints":[{"url":"` + fb + `"}]}`}, nil},
		{"report-to at the site", "Report-To", []string{`{"group":"default","max_age":10,"endpoints":[{"url":"/r"}]}`}, []string{`{"group":"default","max_age":10,"endpoints":[{"url":"/r"}]}`}},
	}
	for _, tt := range tests {
		for _, grant := range []bool{false, true} {
			t.Run(tt.name, func(t *testing.T) {
				h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header()[tt.key] = append([]string(nil), tt.in...)
					w.Header().Set("Content-Type", "image/gif") // not a page: the headers act all the same
					_, _ = w.Write([]byte("GIF89a"))
				}))
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				if grant {
					req.Header.Set("Cookie", decidedCookie(t, m, ^uint64(0)))
				}
				h.ServeHTTP(rec, req)
				want := tt.want
				if grant {
					want = tt.in
				}
				assert.Equal(t, want, rec.Header()[tt.key], "granted: %t", grant)
			})
		}
	}
}
