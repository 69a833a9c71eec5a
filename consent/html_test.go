package consent

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

const testPage = `<!doctype html>
<html lang="en"><head><title>News</title>
<script src="https://www.googletagmanager.com/gtag/js?id=G-TEST" async></script>
<script data-consent="analytics">window.inlineAnalytics = true;</script>
<script>window.necessary = true;</script>
</head><body><h1>Hello</h1>
<iframe src="https://www.youtube.com/embed/abc" title="video"></iframe>
<script src="/static/app.js"></script>
</body></html>`

func pageHandler(extra func(http.Header)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", "1234")
		w.Header().Set("ETag", `"v1"`)
		if extra != nil {
			extra(w.Header())
		}
		_, _ = io.WriteString(w, testPage)
	})
}

// elements returns every script and iframe start tag's attributes.
func elements(t *testing.T, body string) []map[string]string {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(body))
	var out []map[string]string
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.Data != "script" && tok.Data != "iframe" {
			continue
		}
		m := map[string]string{"<": tok.Data}
		for _, a := range tok.Attr {
			m[a.Key] = a.Val
		}
		out = append(out, m)
	}
}

func get(t *testing.T, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestUndecidedPageIsRewritten(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	rec := get(t, m.Handler(pageHandler(nil)), "/news?id=1", "Accept-Language", "es-ES,es;q=0.9")
	require.Equal(t, 200, rec.Code)
	body := rec.Body.String()
	assert.Empty(t, rec.Header().Get("Content-Length"), "length changes when rewriting")
	assert.Equal(t, `W/"v1"`, rec.Header().Get("ETag"))
	assert.Contains(t, rec.Header().Values("Vary"), "Cookie")
	assert.Contains(t, body, `id="ck-banner"`)
	assert.Contains(t, body, `lang="es"`)
	assert.Contains(t, body, `gtag("consent","default"`)

	seen := map[string]bool{}
	for _, el := range elements(t, body) {
		if el["src"] == "" && el["data-ck-src"] == "" && el["data-consent"] == "" {
			continue // inline necessary or injected inline snippet
		}
		switch {
		case strings.Contains(el["src"]+el["data-ck-src"], "googletagmanager"):
			assert.Equal(t, "text/plain", el["type"])
			assert.Empty(t, el["src"], "not fetched")
			assert.Equal(t, "analytics", el["data-ck-blocked"])
		case el["data-consent"] == "analytics":
			assert.Equal(t, "text/plain", el["type"])
		case el["<"] == "iframe":
			assert.True(t, strings.HasPrefix(el["src"], "/consent/embed?c=marketing&r=%2Fnews%3Fid%3D1&u=https%3A%2F%2Fwww.youtube.com%2Fembed%2Fabc&s="),
				"the embed's placeholder in its place: %s", el["src"])
			assert.Equal(t, "https://www.youtube.com/embed/abc", el["data-ck-src"])
		case el["src"] == "/static/app.js":
			assert.Empty(t, el["type"], "first-party scripts run")
		default:
			continue
		}
		seen[el["<"]+" "+el["src"]+el["data-ck-src"]+" "+el["data-consent"]] = true
	}
	assert.Len(t, seen, 4, "tag manager, inline analytics, iframe and app.js all checked: %v", seen)
	assert.Less(t, strings.Index(body, `gtag("consent","default"`), strings.Index(body, "googletagmanager"),
		"Consent Mode defaults come before any tag")
}

func TestDecidedPageKeepsGrantedScripts(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	h := m.Handler(pageHandler(nil))
	// Decide through the endpoint, then come back with the cookie.
	post := httptest.NewRequest(http.MethodPost, "/consent/decision", strings.NewReader("action=accept_all"))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, post)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	ck := rec.Result().Cookies()[0]
	rec = get(t, h, "/", "Cookie", ck.Name+"="+ck.Value)
	body := rec.Body.String()
	assert.NotContains(t, body, `id="ck-banner"`)
	assert.Contains(t, body, "ck-settings")
	assert.NotContains(t, body, "data-ck-blocked")
	// Apart from the two inserted snippets, the page is byte-for-byte the same.
	stripped := stripBetween(body, "<head>", "<title>")
	stripped = stripBetween(stripped, "</iframe>\n<script src=\"/static/app.js\"></script>\n", "</body>")
	assert.Equal(t, testPage, stripped)
}

// stripBetween removes what was inserted between the end of a and the start of b.
func stripBetween(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return s
	}
	i += len(a)
	j := strings.Index(s[i:], b)
	if j < 0 {
		return s
	}
	return s[:i] + s[i+j:]
}

func TestNotRewritten(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{},
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
		NoRewrite: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/raw") }})
	require.NoError(t, err)
	tests := map[string]struct {
		target string
		hdr    []string
		extra  func(http.Header)
		method string
	}{
		"skip func":       {target: "/raw/page"},
		"htmx fragment":   {target: "/", hdr: []string{"HX-Request", "true"}},
		"head request":    {target: "/", method: http.MethodHead},
		"not html":        {target: "/", extra: func(h http.Header) { h.Set("Content-Type", "text/plain") }},
		"xhtml untouched": {target: "/", extra: func(h http.Header) { h.Set("Content-Type", "application/xhtml+xml") }},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, tt.target, nil)
			for i := 0; i+1 < len(tt.hdr); i += 2 {
				req.Header.Set(tt.hdr[i], tt.hdr[i+1])
			}
			rec := httptest.NewRecorder()
			m.Handler(pageHandler(tt.extra)).ServeHTTP(rec, req)
			if method != http.MethodHead {
				assert.Equal(t, testPage, rec.Body.String())
			}
			assert.Equal(t, "1234", rec.Header().Get("Content-Length"))
			assert.Equal(t, `"v1"`, rec.Header().Get("ETag"))
		})
	}
	// Encoded HTML is no longer passed through: see compress_test.go.
	assert.Empty(t, logs.String())
}

func TestHTMLWithoutContentTypeIsSniffed(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, testPage)
	}))
	rec := get(t, h, "/")
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Body.String(), "ck-banner")
	h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
	}))
	rec = get(t, h, "/img")
	assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))
	assert.Equal(t, 8, rec.Body.Len())
	h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	rec = get(t, h, "/empty")
	assert.Equal(t, 200, rec.Code)
	assert.Zero(t, rec.Body.Len())
}

func TestNonceFromCSPHeader(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	rec := get(t, m.Handler(pageHandler(func(h http.Header) {
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-r4nd0m+/=' 'strict-dynamic'; style-src 'nonce-r4nd0m+/='")
	})), "/")
	body := rec.Body.String()
	z := html.NewTokenizer(strings.NewReader(body))
	injected := 0
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		if tt != html.StartTagToken || (tok.Data != "script" && tok.Data != "style" && tok.Data != "link") {
			continue
		}
		attrs := map[string]string{}
		for _, a := range tok.Attr {
			attrs[a.Key] = a.Val
		}
		if tok.Data == "link" && attrs["rel"] != "stylesheet" {
			continue
		}
		if strings.Contains(attrs["src"]+attrs["href"]+attrs["id"], "ck") || attrs["data-g"] != "" || tok.Data == "style" {
			injected++
			assert.Equal(t, "r4nd0m+/=", attrs["nonce"], "injected <%s> carries the page's nonce", tok.Data)
		}
	}
	assert.Positive(t, injected)
	for h, want := range map[string]string{
		"script-src 'nonce-abc'":                        "abc",
		"default-src 'nonce-def'":                       "def",
		"default-src 'nonce-def'; script-src 'nonce-x'": "x",
		"script-src 'self'":                             "",
		"script-src 'nonce-<bad>'":                      "",
		"":                                              "",
	} {
		assert.Equal(t, want, cspNonce(http.Header{"Content-Security-Policy": {h}}), h)
	}
}

func TestStreamingFirstBytesArriveEarly(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	release := make(chan struct{})
	done := make(chan struct{})
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<!doctype html><html><head><title>x</title></head><body><p>first</p>\n")
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		_, _ = io.WriteString(w, "<p>second</p></body></html>")
	})))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	var got strings.Builder
	for !strings.Contains(got.String(), "<p>first</p>") {
		line, err := br.ReadString('\n')
		require.NoError(t, err, "got so far: %q", got.String())
		got.WriteString(line)
	}
	select {
	case <-done:
		t.Fatal("the handler finished before the client read its first bytes")
	default:
	}
	close(release)
	rest, err := io.ReadAll(br)
	require.NoError(t, err)
	assert.Contains(t, got.String(), `<body><div id="ck-banner"`, "the banner right after <body>, first in keyboard order, with the first bytes")
	assert.Less(t, strings.Index(got.String(), "ck-banner"), strings.Index(got.String(), "<p>first</p>"))
	assert.Contains(t, string(rest), "<p>second</p>")
	assert.Regexp(t, `<p>second</p><a id="ck-open" [^>]*hidden>[^<]*</a></body>`, string(rest), "the reopen control, hidden until a choice, before </body>")
}

func TestPreferencesLanguageAndAssets(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	h := m.Handler(http.NotFoundHandler())
	rec := get(t, h, "/consent/preferences?return=/article", "Accept-Language", "de")
	require.Equal(t, 200, rec.Code)
	assert.Contains(t, rec.Body.String(), `role="dialog"`)
	assert.Contains(t, rec.Body.String(), `lang="de"`)
	rec = get(t, h, "/consent/preferences?fragment=1")
	assert.True(t, strings.HasPrefix(strings.TrimSpace(rec.Body.String()), "<dialog"), rec.Body.String())

	form := url.Values{"lang": {"ar"}, "return": {"/x"}}
	req := httptest.NewRequest(http.MethodPost, "/consent/language", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, "/x", rec.Header().Get("Location"))
	lc := rec.Result().Cookies()[0]
	assert.Equal(t, hostLang, lc.Name)
	assert.Equal(t, "ar", lc.Value)
	page := get(t, m.Handler(pageHandler(nil)), "/", "Cookie", "consent_lang=ar", "Accept-Language", "en")
	assert.Contains(t, page.Body.String(), `dir="rtl"`)

	req = httptest.NewRequest(http.MethodPost, "/consent/language", strings.NewReader("lang=xx-evil"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Empty(t, rec.Result().Cookies())

	js, css := banner.AssetNames()
	for _, name := range []string{js, css} {
		rec = get(t, h, "/consent/assets/"+name, "Accept-Encoding", "gzip, br")
		require.Equal(t, 200, rec.Code, name)
		assert.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
		assert.Contains(t, rec.Header().Get("Cache-Control"), "immutable")
		zr, err := gzip.NewReader(rec.Body)
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.NotEmpty(t, plain)
	}
	assert.Equal(t, 404, get(t, h, "/consent/assets/nope.js").Code)
	assert.Equal(t, 404, get(t, h, "/consent/unknown").Code, "other paths under the prefix go to the app")
}

func TestNoJSFlowThroughForms(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := httptest.NewTLSServer(f.m.Handler(pageHandler(nil)))
	defer srv.Close()
	c := f.client(t)
	resp, err := c.Get(srv.URL + "/article?id=7")
	require.NoError(t, err)
	body := readAll(t, resp)
	form := findForm(t, body, "reject_all")
	action := form["action"]
	vals := url.Values{}
	for k, v := range form {
		if k != "action" {
			vals.Set(k, v)
		}
	}
	vals.Set("action", "reject_all")
	resp, err = c.PostForm(srv.URL+action, vals)
	require.NoError(t, err)
	after := readAll(t, resp)
	assert.Equal(t, srv.URL+"/article?id=7", resp.Request.URL.String(), "lands back on the same page")
	assert.NotContains(t, after, `id="ck-banner"`)
	assert.Contains(t, after, "ck-settings")
	recs := f.store.all()
	require.Len(t, recs, 1)
	assert.Equal(t, OutcomeRejectAll, recs[0].Outcome)
	assert.Equal(t, MethodForm, recs[0].Method)
	assert.NotEmpty(t, recs[0].TextHash)
	assert.NotEmpty(t, recs[0].BannerText)
	assert.NotEmpty(t, recs[0].BannerVersion)
	assert.Equal(t, "en", recs[0].Language)
}

// findForm returns the hidden fields of the banner form whose submit button
// has the given value, plus its action under the key "action".
func findForm(t *testing.T, body, button string) map[string]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	require.NoError(t, err)
	var found map[string]string
	var walk func(n *html.Node, form map[string]string)
	walk = func(n *html.Node, form map[string]string) {
		if n.Type == html.ElementNode && n.Data == "form" {
			form = map[string]string{}
			for _, a := range n.Attr {
				if a.Key == "action" {
					form["action"] = a.Val
				}
			}
		}
		if form != nil && n.Type == html.ElementNode && (n.Data == "input" || n.Data == "button") {
			at := map[string]string{}
			for _, a := range n.Attr {
				at[a.Key] = a.Val
			}
			if at["type"] == "hidden" {
				form[at["name"]] = at["value"]
			}
			if at["value"] == button && at["name"] == "action" {
				found = form
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, form)
		}
	}
	walk(doc, nil)
	require.NotNil(t, found, "no form with a %q button in %s", button, body)
	return found
}
