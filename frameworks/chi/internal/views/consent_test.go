package views

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/consentkit/consentkit/internal/frameworktest"
)

// TestAnalyticsNote renders the component from a chi route behind
// consentkit, for an undecided visitor and for one who accepted.
func TestAnalyticsNote(t *testing.T) {
	cm := frameworktest.NewManager(t)
	r := chi.NewRouter()
	r.Get("/", templ.Handler(AnalyticsNote()).ServeHTTP)
	h := cm.Handler(r)
	for name, tc := range map[string]struct {
		cookie *http.Cookie
		want   string
	}{
		"undecided": {nil, "Analytics is off."},
		"accepted":  {frameworktest.ConsentCookie(t, cm), "Analytics is on."},
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.cookie != nil {
			req.AddCookie(tc.cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		if !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %q does not say %q", name, body, tc.want)
		}
	}
}
