package consent

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// placeholderForm reads the placeholder page: the "Load this once" link
// (or ""), and the fields and attributes of its decision form.
func placeholderForm(t *testing.T, page string) (load string, form url.Values, attrs map[string]string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	form, attrs = url.Values{}, map[string]string{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		a := map[string]string{}
		for _, x := range n.Attr {
			a[x.Key] = x.Val
		}
		switch {
		case n.Data == "a" && strings.Contains(a["class"], "ck-once"):
			load = a["href"]
		case n.Data == "form":
			attrs = a
		case n.Data == "input":
			form.Add(a["name"], a["value"])
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return load, form, attrs
}

// TestEmbedPlaceholder follows a blocked YouTube iframe: the page shows
// {prefix}/embed in its place, which names the provider and the category,
// offers the embed once by a link of this frame, and always by a decision
// form posted to the top window; posting that form grants the category and
// keeps what was granted before.
func TestEmbedPlaceholder(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	h := m.Handler(pageHandler(nil))
	var src string
	for _, el := range elements(t, get(t, h, "/news?id=1").Body.String()) {
		if el["<"] == "iframe" {
			src = el["src"]
		}
	}
	require.True(t, strings.HasPrefix(src, "/consent/embed?"), "the iframe shows the placeholder: %q", src)

	rec := get(t, h, src, "Accept-Language", "de")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "SAMEORIGIN", rec.Header().Get("X-Frame-Options"))
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'none'")
	page := rec.Body.String()
	assert.Contains(t, page, "Inhalte von youtube.com werden nicht geladen", "the provider named, in the visitor's language")
	assert.Contains(t, page, "Marketing immer erlauben", "the category named")
	load, form, attrs := placeholderForm(t, page)
	assert.Equal(t, "https://www.youtube.com/embed/abc", load, "Load this once goes to the embed itself")
	assert.Equal(t, "/consent/decision", attrs["action"])
	assert.Equal(t, "_top", attrs["target"], "the decision reloads the page, not the frame")
	assert.Equal(t, url.Values{"return": {"/news?id=1"}, "lang": {"de"}, "action": {"save"}, "category": {"marketing"}}, form)

	// A visitor who granted analytics keeps it when allowing marketing.
	granted := decide(m, "example.com", "", url.Values{"action": {"save"}, "category": {"analytics"}})
	require.Equal(t, http.StatusSeeOther, granted.Code)
	cookie := hostConsent + "=" + setCookies(granted)[hostConsent].Value
	_, form, _ = placeholderForm(t, get(t, h, src, "Cookie", cookie).Body.String())
	assert.ElementsMatch(t, []string{"analytics", "marketing"}, form["category"])
	allowed := decide(m, "example.com", cookie, form)
	require.Equal(t, http.StatusSeeOther, allowed.Code)
	assert.Equal(t, "/news?id=1", allowed.Header().Get("Location"))
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", hostConsent+"="+setCookies(allowed)[hostConsent].Value)
	st := m.requestState(httptest.NewRecorder(), req)
	assert.True(t, st.Allowed("marketing") && st.Allowed("analytics") && !st.Allowed("preferences"), "%v", st.Categories())

	// Once granted, the page carries the iframe as it was.
	out := get(t, h, "/news?id=1", "Cookie", hostConsent+"="+setCookies(allowed)[hostConsent].Value).Body.String()
	assert.Contains(t, out, `<iframe src="https://www.youtube.com/embed/abc"`)
}

func TestEmbedPlaceholderRefusesForgeries(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	h := m.Handler(http.NotFoundHandler())
	sign := func(u string) string { return string(m.embedMAC(nil, []byte(u))) }
	for _, tt := range []struct {
		name, query string
		code        int
		load        string
	}{
		{"signed", "c=marketing&u=" + url.QueryEscape("https://maps.example/e") + "&s=" + sign("https://maps.example/e"), 200, "https://maps.example/e"},
		{"a path of the site", "c=marketing&u=%2Fembed%2Fvideo&s=" + sign("/embed/video"), 200, "/embed/video"},
		{"another URL under the signature", "c=marketing&u=" + url.QueryEscape("https://evil.example/") + "&s=" + sign("https://maps.example/e"), 200, ""},
		{"unsigned", "c=marketing&u=" + url.QueryEscape("https://evil.example/"), 200, ""},
		{"signed but not a web URL", "c=marketing&u=" + url.QueryEscape("javascript:alert(1)") + "&s=" + sign("javascript:alert(1)"), 200, ""},
		{"signed but another host's path", "c=marketing&u=" + url.QueryEscape("//evil.example/") + "&s=" + sign("//evil.example/"), 200, ""},
		{"no URL", "c=analytics", 200, ""},
		{"unknown category", "c=tracking", 400, ""},
		{"the necessary category", "c=necessary", 400, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := get(t, h, "/consent/embed?"+tt.query)
			require.Equal(t, tt.code, rec.Code, rec.Body.String())
			if tt.code != 200 {
				return
			}
			load, _, _ := placeholderForm(t, rec.Body.String())
			assert.Equal(t, tt.load, load)
		})
	}
}

// TestPlaceheld: a page whose policy would block the placeholder in a frame
// or in an embed/object keeps those blocked elements empty instead; a
// strict policy's object-src 'none' leaves iframes their placeholder.
func TestPlaceheld(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		policies        []string
		frames, objects bool
	}{
		{nil, true, true},
		{[]string{"script-src 'nonce-x'"}, true, true},
		{[]string{"frame-src 'self' https://www.youtube.com"}, true, true},
		{[]string{"frame-src https://www.youtube.com"}, false, true},
		{[]string{"default-src 'none'; script-src 'self'"}, false, false},
		{[]string{"default-src 'none'; frame-src 'SELF'"}, true, false},
		{[]string{"child-src *; default-src 'none'"}, true, false},
		{[]string{"frame-src 'self'", "default-src https:"}, false, false},
		{[]string{"script-src 'nonce-x'; object-src 'none'; base-uri 'none'"}, true, false},
		{[]string{"default-src 'none'; object-src 'self'; frame-src 'self'"}, true, true},
		{[]string{"object-src 'self'; object-src 'none'"}, true, true}, // the first of duplicates counts
		{[]string{"object-src"}, true, false},                          // an empty list allows nothing
	} {
		h := http.Header{"Content-Security-Policy": tt.policies}
		frames, objects := placeheld(h)
		assert.Equal(t, tt.frames, frames, "frames: %q", tt.policies)
		assert.Equal(t, tt.objects, objects, "objects: %q", tt.policies)
	}
}

// TestObjectPlaceholderMarkup follows a blocked <embed> and <object> (a
// tracker's PDF and a map by data-consent) through the middleware: each
// gets the placeholder page in its own URL attribute, its type kept aside
// so the browser shows that page, and its size attributes untouched; the
// placeholder names the provider and the category and loads the original
// once; a policy with object-src 'none' leaves them empty but not iframes.
func TestObjectPlaceholderMarkup(t *testing.T) {
	t.Parallel()
	const page = `<!doctype html><html><head><title>t</title></head><body>` +
		`<embed id="e" src="https://ad.doubleclick.net/doc.pdf?a=1&amp;b=2" type="application/pdf" width="400" height="300">` +
		`<object id="o" data-consent="preferences" data="/maps/harbour" type="text/html" style="width:640px;height:360px"><p>Map</p></object>` +
		`<iframe src="https://www.youtube.com/embed/abc"></iframe></body></html>`
	m := fuzzManager(t)
	csp := ""
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if csp != "" {
			w.Header().Set("Content-Security-Policy", csp)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	}))
	tags := func(body string) map[string]map[string]string {
		out := map[string]map[string]string{}
		z := html.NewTokenizer(strings.NewReader(body))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tok := z.Token(); tt == html.StartTagToken || tt == html.SelfClosingTagToken {
				if tok.Data == "embed" || tok.Data == "object" || tok.Data == "iframe" {
					a := map[string]string{}
					for _, x := range tok.Attr {
						if _, dup := a[x.Key]; !dup { // the first of duplicates counts, as in a browser
							a[x.Key] = x.Val
						}
					}
					out[tok.Data] = a
				}
			}
		}
		return out
	}
	el := tags(get(t, h, "/news/harbour?id=1").Body.String())
	require.Len(t, el, 3)
	e, o := el["embed"], el["object"]
	assert.Equal(t, map[string]string{"data-ck-src": "https://ad.doubleclick.net/doc.pdf?a=1&b=2", "data-ck-type": "application/pdf",
		"width": "400", "height": "300", "id": "e", "data-ck-blocked": "marketing", "src": e["src"]}, e)
	assert.Equal(t, map[string]string{"data-ck-data": "/maps/harbour", "data-ck-type": "text/html", "style": "width:640px;height:360px",
		"id": "o", "data-consent": "preferences", "data-ck-blocked": "preferences", "data": o["data"]}, o)

	for _, tt := range []struct {
		name, src, provider, always, load string
	}{
		{"embed", e["src"], "ad.doubleclick.net", "Always allow Marketing", "https://ad.doubleclick.net/doc.pdf?a=1&b=2"},
		{"object", o["data"], "example.com", "Always allow Preferences", "/maps/harbour"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, strings.HasPrefix(tt.src, "/consent/embed?"), "the %s shows the placeholder: %q", tt.name, tt.src)
			rec := get(t, h, tt.src)
			require.Equal(t, http.StatusOK, rec.Code)
			assert.Contains(t, rec.Body.String(), "Content from "+tt.provider)
			assert.Contains(t, rec.Body.String(), tt.always)
			load, form, attrs := placeholderForm(t, rec.Body.String())
			assert.Equal(t, tt.load, load, "Load this once goes to the element's own URL")
			assert.Equal(t, "_top", attrs["target"])
			assert.Equal(t, "/news/harbour?id=1", form.Get("return"))
		})
	}

	csp = "script-src 'self' 'unsafe-inline'; style-src 'self'; form-action 'self'; object-src 'none'"
	el = tags(get(t, h, "/news/harbour?id=1").Body.String())
	assert.NotContains(t, el["embed"], "src", "object-src 'none' would refuse the placeholder: the embed stays empty")
	assert.NotContains(t, el["object"], "data")
	assert.Equal(t, "application/pdf", el["embed"]["data-ck-type"])
	assert.True(t, strings.HasPrefix(el["iframe"]["src"], "/consent/embed?"), "the iframe keeps its placeholder: %q", el["iframe"]["src"])
}

func TestAppendQueryEscapeMatchesURL(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "/news?id=1&x=a b", "https://www.youtube.com/embed/x?a=1&b=ä#t", "~-_.!*'();:@&=+$,/?%#[]", "\x00\xff"} {
		assert.Equal(t, url.QueryEscape(s), string(appendQueryEscape(nil, s)), "%q", s)
	}
}
