package consent

import (
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

// TestFramesSelf: a page whose policy would block the placeholder frame
// keeps its blocked iframes empty instead.
func TestFramesSelf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		policies []string
		want     bool
	}{
		{nil, true},
		{[]string{"script-src 'nonce-x'"}, true},
		{[]string{"frame-src 'self' https://www.youtube.com"}, true},
		{[]string{"frame-src https://www.youtube.com"}, false},
		{[]string{"default-src 'none'; script-src 'self'"}, false},
		{[]string{"default-src 'none'; frame-src 'SELF'"}, true},
		{[]string{"child-src *; default-src 'none'"}, true},
		{[]string{"frame-src 'self'", "default-src https:"}, false},
	} {
		h := http.Header{"Content-Security-Policy": tt.policies}
		assert.Equal(t, tt.want, framesSelf(h), "%q", tt.policies)
	}
}

func TestAppendQueryEscapeMatchesURL(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "/news?id=1&x=a b", "https://www.youtube.com/embed/x?a=1&b=ä#t", "~-_.!*'();:@&=+$,/?%#[]", "\x00\xff"} {
		assert.Equal(t, url.QueryEscape(s), string(appendQueryEscape(nil, s)), "%q", s)
	}
}
