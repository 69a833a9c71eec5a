package consent

import (
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loggedManager(t *testing.T) (*Manager, *logBuffer) {
	t.Helper()
	var logs logBuffer
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Now:    func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	return m, &logs
}

// neutralised checks that testPage's trackers did not survive.
func neutralised(t *testing.T, body string) {
	t.Helper()
	for _, el := range elements(t, body) {
		assert.NotContains(t, el["src"], "googletagmanager", "the tag manager is not fetched")
		if !strings.HasPrefix(el["src"], "/consent/embed?") { // the click-to-load placeholder names it
			assert.NotContains(t, el["src"], "youtube", "the embed is not loaded")
		}
		if el["data-consent"] == "analytics" {
			assert.Equal(t, "text/plain", el["type"], "the inline analytics does not run")
		}
	}
	assert.Contains(t, body, `data-ck-blocked="analytics"`)
}

func TestLeaveAloneInjectsNothingButStillBlocks(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	var found bool
	for name, h := range map[string]http.Handler{
		"marked": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			found = LeaveAlone(w)
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, testPage)
		}),
		"sniffed": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			LeaveAlone(w)
			_, _ = io.WriteString(w, testPage)
		}),
		"through a wrapper with Unwrap": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w = struct {
				http.ResponseWriter
				unwrapper
			}{w, unwrapper{w}}
			LeaveAlone(w)
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, testPage)
		}),
	} {
		rec := get(t, m.Handler(h), "/")
		body := rec.Body.String()
		assert.NotContains(t, body, "ck-banner", name)
		assert.NotContains(t, body, "ck-settings", name)
		assert.NotContains(t, body, "/consent/assets/", name)
		assert.NotContains(t, body, `gtag("consent"`, name)
		neutralised(t, body)
		assert.Contains(t, rec.Header().Get("Vary"), "Cookie", name)
	}
	assert.True(t, found, "LeaveAlone reports that the middleware heard it")

	// The same page unmarked gets everything.
	body := get(t, m.Handler(pageHandler(nil)), "/").Body.String()
	assert.Contains(t, body, `id="ck-banner"`)
	assert.Contains(t, body, "/consent/assets/")
}

type unwrapper struct{ w http.ResponseWriter }

func (u unwrapper) Unwrap() http.ResponseWriter { return u.w }

// What the page's Content-Security-Policy lets the middleware inject. The
// requests go to http://example.com/.
func TestInjectionFollowsThePagesCSP(t *testing.T) {
	t.Parallel()
	const (
		full   = "full"   // head snippet with Consent Mode, banner, link
		noMode = "noMode" // all but the inline Consent Mode snippet
		link   = "link"   // only the settings link, shown
	)
	tests := []struct {
		name   string
		policy []string
		host   string
		want   string
	}{
		{"no policy", nil, "", full},
		{"the review pages' policy", []string{"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"}, "", link},
		{"nonce and strict-dynamic", []string{"script-src 'nonce-abc123' 'strict-dynamic'; style-src 'nonce-abc123'; object-src 'none'"}, "", full},
		{"nonce for scripts, styles unrestricted", []string{"script-src 'nonce-abc123'"}, "", full},
		{"nonce in default-src", []string{"default-src 'nonce-abc123'"}, "", full},
		{"strict-dynamic without a nonce", []string{"script-src 'self' 'strict-dynamic'"}, "", link},
		{"self", []string{"default-src 'self'"}, "", noMode},
		{"self and unsafe-inline", []string{"default-src 'self' 'unsafe-inline'"}, "", full},
		{"unsafe-inline ignored next to a hash", []string{"default-src 'self' 'unsafe-inline' 'sha256-AAAA'"}, "", noMode},
		{"scheme sources", []string{"default-src https: 'unsafe-inline'"}, "", full},
		{"wildcard", []string{"script-src * 'unsafe-inline'"}, "", full},
		{"host source with the prefix path", []string{"script-src http://example.com/consent/ 'unsafe-inline'; style-src example.com:8080"}, "", full},
		{"host source with another path", []string{"default-src 'self'; script-src example.com/static/"}, "", link},
		{"another host only", []string{"default-src 'self'; script-src https://cdn.example.net"}, "", link},
		{"a subdomain wildcard does not cover the apex", []string{"default-src *.example.com"}, "", link},
		{"a subdomain wildcard covers a subdomain", []string{"default-src *.example.com"}, "www.example.com", noMode},
		{"styles blocked", []string{"default-src 'self'; style-src 'none'"}, "", link},
		{"script-src-elem wins over script-src", []string{"script-src 'self'; script-src-elem 'none'"}, "", link},
		{"forms blocked", []string{"default-src 'self'; form-action https://pay.example.net"}, "", link},
		{"form-action does not fall back to default-src", []string{"default-src 'self' 'unsafe-inline'; form-action 'self'"}, "", full},
		{"the first of two duplicates counts", []string{"script-src 'none'; script-src 'self'"}, "", link},
		{"every policy must allow: comma", []string{"default-src 'self' 'unsafe-inline', script-src 'none'"}, "", link},
		{"every policy must allow: two headers", []string{"default-src 'self' 'unsafe-inline'", "style-src 'none'"}, "", link},
		{"case and spacing", []string{"  DEFAULT-SRC\t'SELF'  'Unsafe-Inline' ;"}, "", full},
		{"sandbox", []string{"sandbox"}, "", link},
		{"sandbox allowing scripts, forms and the origin", []string{"sandbox allow-scripts allow-forms allow-same-origin"}, "", full},
		{"sandbox with an opaque origin", []string{"sandbox allow-scripts allow-forms"}, "", link},
		{"another nonce", []string{"script-src 'nonce-zzz'; style-src 'nonce-abc123'"}, "", link},
	}
	m, logs := loggedManager(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := m.Handler(pageHandler(func(h http.Header) {
				h["Content-Security-Policy"] = tc.policy
			}))
			host := tc.host
			if host == "" {
				host = "example.com"
			}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Host = host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			neutralised(t, body)
			switch tc.want {
			case full, noMode:
				assert.Contains(t, body, `id="ck-banner"`)
				assert.Contains(t, body, "/consent/assets/")
				assert.Equal(t, tc.want == full, strings.Contains(body, `gtag("consent","default"`), "the Consent Mode snippet")
			case link:
				assert.NotContains(t, body, "ck-banner", "no banner markup")
				assert.NotContains(t, body, "/consent/assets/", "no head snippet")
				assert.NotContains(t, body, "<script nonce", "no inline script")
				assert.Contains(t, body, `<a class="ck-settings" href="/consent/preferences?return=/" lang="en">`,
					"a plain, visible settings link: the visitor can still decide")
			}
		})
	}
	// Each kind of trouble is logged once, however many pages have it.
	assert.Equal(t, 1, strings.Count(logs.String(), "blocks the banner's assets"), logs.String())
	assert.Equal(t, 1, strings.Count(logs.String(), "blocks inline scripts"), logs.String())
}

func TestReportOnlyPolicyIsNotEnforced(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	body := get(t, m.Handler(pageHandler(func(h http.Header) {
		h.Set("Content-Security-Policy-Report-Only", "default-src 'none'")
	})), "/").Body.String()
	assert.Contains(t, body, `id="ck-banner"`)
}

func TestPagesOwnSettingsControlReplacesTheAutomaticLink(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	tmpl := template.Must(template.New("p").Funcs(m.TemplateFuncs()).Parse(
		`<!doctype html><html><head><title>t</title></head><body><main>News</main><footer>{{consentSettingsLink .}}</footer></body></html>`))
	helper := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		require.NoError(t, tmpl.Execute(w, r))
	})
	handWritten := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><html><head><title>t</title></head><body><main>News</main>`+
			`<footer><button type="button" class="cookies" data-ck-settings>Privacy choices</button></footer></body></html>`)
	})
	decided := decidedCookie(t, m, 0)
	for _, cookie := range []string{"", decided} {
		visitor := "undecided"
		if cookie != "" {
			visitor = "decided"
		}
		t.Run(visitor+"/template helper", func(t *testing.T) {
			body := get(t, m.Handler(helper), "/", "Cookie", cookie).Body.String()
			assert.Equal(t, 1, strings.Count(body, `ck-settings" href`), body)
			assert.Less(t, strings.Index(body, `ck-settings" href`), strings.Index(body, "</footer>"), "the one left is the page's")
			assert.Equal(t, cookie == "", strings.Contains(body, `id="ck-banner"`), "the banner itself stays")
		})
		t.Run(visitor+"/hand-written markup", func(t *testing.T) {
			body := get(t, m.Handler(handWritten), "/", "Cookie", cookie).Body.String()
			assert.NotContains(t, body, `ck-settings" href`, body)
			assert.Contains(t, body, "data-ck-settings>Privacy choices")
		})
		t.Run(visitor+"/no control of its own", func(t *testing.T) {
			body := get(t, m.Handler(pageHandler(nil)), "/", "Cookie", cookie).Body.String()
			assert.Equal(t, 1, strings.Count(body, `ck-settings" href`), body)
		})
	}
}

// BenchmarkPageCSP is what reading a page's policy costs per response, for
// a typical strict policy; the baseline is a page without one.
func BenchmarkPageCSP(b *testing.B) {
	m := fuzzManager(b)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for name, policy := range map[string]string{
		"baseline":      "",
		"nonce":         "script-src 'nonce-r4nd0mr4nd0m' 'strict-dynamic' https: 'unsafe-inline'; object-src 'none'; base-uri 'none'",
		"hosts":         "default-src 'self'; script-src 'self' https://www.googletagmanager.com; style-src 'self' 'unsafe-inline'; img-src * data:; form-action 'self'",
		"review-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	} {
		h := http.Header{}
		if policy != "" {
			h.Set("Content-Security-Policy", policy)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = m.pageCSP(r, h, "r4nd0mr4nd0m")
			}
		})
	}
}
