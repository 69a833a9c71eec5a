package consent

import (
	"net/http"
	"net/http/httptest"
	"strings"
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
				shared := append([]string(nil), tt.in...)
				h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header()[tt.key] = shared                 // as a handler with one header value for every response
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
				assert.Equal(t, tt.in, shared, "the handler's own slice is left as it was")
			})
		}
	}
}

// A page whose Content-Type Chromium reads differently from its first line
// (a list: the last valid type wins) or sniffs (no type, unknown/unknown)
// renders as HTML when its body looks like HTML: the middleware must judge
// it as such, and leave alone what Chromium will not render as a page.
func TestContentTypesChromiumRendersAsHTMLAreRewritten(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog})
	require.NoError(t, err)
	const page = `<!doctype html><html><head><title>t</title></head><body><script src="https://www.googletagmanager.com/gtm.js"></script></body></html>`
	tests := []struct {
		name    string
		ct      []string // nil: no Content-Type line at all
		body    string
		rewrite bool
	}{
		{"unknown/unknown", []string{"unknown/unknown"}, page, true},
		{"application/unknown", []string{"Application/Unknown; charset=utf-8"}, page, true},
		{"*/*", []string{"*/*"}, page, true},
		{"an empty value", []string{""}, page, true},
		{"a list ending in text/html", []string{"text/plain, text/html"}, page, true},
		{"two lines, the last text/html", []string{"application/json", "text/html; charset=utf-8"}, page, true},
		{"an invalid last item", []string{"text/html, nonsense"}, page, true},
		{"a list ending in JSON", []string{"text/html, application/json"}, page, false},
		{"unknown/unknown, not HTML", []string{"unknown/unknown"}, "\x00\x01binary", false},
		{"JSON", []string{"application/json"}, page, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ct != nil {
					w.Header()["Content-Type"] = append([]string(nil), tt.ct...)
				}
				_, _ = w.Write([]byte(tt.body))
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if tt.rewrite {
				assert.Contains(t, rec.Body.String(), `data-ck-blocked`, "the tracker is neutralised")
			} else {
				assert.Equal(t, tt.body, rec.Body.String(), "passed unchanged")
			}
			if len(tt.ct) == 1 && !strings.Contains(tt.ct[0], ",") || !tt.rewrite {
				assert.Equal(t, tt.ct, rec.Header()["Content-Type"], "the handler's type stays")
			} else {
				got := rec.Header()["Content-Type"]
				assert.Len(t, got, 1, "the type Chromium takes, alone")
				assert.True(t, len(got) == 1 && isHTML(got[0]) && !strings.Contains(got[0], ","), "the type Chromium takes, alone: %q", got)
			}
		})
	}
}

// The header filters and browserType never panic, keep what names no
// tracker, and a second pass changes nothing.
func FuzzFetchHeaders(f *testing.F) {
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog})
	require.NoError(f, err)
	for _, s := range []string{`<https://www.facebook.com/tr>; rel=preload; as=image, </a>; rel=preload`,
		`</a.gif>; rel=preload; imagesrcset="https://www.facebook.com/x 1x"`, `"https://www.facebook.com/r.json"`,
		`a="https://www.facebook.com/r"`, "style-src 'none'; report-uri https://www.facebook.com/r /own",
		"text/plain, text/html", `text/html; charset="utf-16be"`, `<"a,b>; rel="x;y`} {
		f.Add(s)
	}
	st := NewState([]string{"analytics", "marketing"})
	keys := []string{"Link", "Refresh", "Speculation-Rules", "Reporting-Endpoints", "Report-To", "Content-Security-Policy"}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		for _, k := range keys {
			h[k] = []string{v, v}
		}
		m.filterFetchHeaders(h, st)
		once := h.Clone()
		m.filterFetchHeaders(h, st)
		assert.Equal(t, once, h, "a second pass changes nothing")
		_ = browserType([]string{v, v})
		_, _ = utf16Charset(v)
		if !strings.Contains(strings.ToLower(v), "facebook") {
			assert.Equal(t, []string{v, v}, once["Link"], "no tracker: the Link header stays")
		}
	})
}

// The header filter runs on every response: the headers a site sends on
// every page (a nonce'd policy that reports to the site, a first-party
// preload, a UTF-8 page's type) cost it no allocation.
func TestFetchHeadersAllocateNothing(t *testing.T) {
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog})
	require.NoError(t, err)
	h := http.Header{
		"Content-Security-Policy": {"script-src 'nonce-R2xQaZ8+Vw=='; report-uri /csp"},
		"Link":                    {"</app.css>; rel=preload; as=style"},
		"Content-Type":            {"text/html; charset=UTF-8"},
	}
	st := &State{}
	allocs := testing.AllocsPerRun(100, func() {
		m.filterFetchHeaders(h, st)
		_, _ = utf16Charset(h["Content-Type"][0])
	})
	assert.Zero(t, allocs)
}
