package rewrite_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/consentkit/consentkit/internal/rewrite"
	"github.com/consentkit/consentkit/internal/trackers"
)

const (
	headSnippet = `<script id="ck-defaults">/* consent defaults */</script>`
	bodySnippet = `<div id="ck-banner">banner</div>`
)

func readPage(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func attrOf(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// loaders walks a parsed document and returns a description of every element
// that would run or fetch a tracker: a script that is not text/plain and is
// marked with data-consent or loads from a tracker host (the page's own inline
// code and same-site files are necessary), an iframe with a src, an img or
// link pointing to a tracker.
func loaders(t *testing.T, doc *html.Node) []string {
	t.Helper()
	var bad []string
	tab := trackers.Default()
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		src, hasSrc := attrOf(n, "src")
		switch n.Data {
		case "script":
			typ, _ := attrOf(n, "type")
			_, marked := attrOf(n, "data-consent")
			_, tracker := tab.LookupURL(src)
			switch {
			case typ == "text/plain":
			case marked || tracker:
				bad = append(bad, "script src="+src)
			case hasSrc && !strings.HasPrefix(src, "/"):
				bad = append(bad, "unexpected third-party script "+src)
			}
		case "iframe":
			if hasSrc {
				bad = append(bad, "iframe src="+src)
			}
		case "img", "link":
			href, _ := attrOf(n, "href")
			for _, u := range []string{src, href} {
				if _, ok := tab.LookupURL(u); ok {
					bad = append(bad, n.Data+" "+u)
				}
			}
		}
	}
	return bad
}

func TestTrackerPage(t *testing.T) {
	t.Parallel()
	page := readPage(t, "trackers.html")
	cfg := rewrite.Config{Head: []byte(headSnippet), BodyEnd: []byte(bodySnippet)}

	t.Run("undecided visitor: nothing runs or loads", func(t *testing.T) {
		t.Parallel()
		out := rewriteAllSplits(t, cfg, string(page))
		for _, scripting := range []bool{true, false} {
			doc, err := html.ParseWithOptions(strings.NewReader(out), html.ParseOptionEnableScripting(scripting))
			require.NoError(t, err)
			assert.Empty(t, loaders(t, doc), "scripting=%v", scripting)
		}
		// The baseline proves the check can fail: the original page loads
		// trackers both with and without scripting.
		for _, scripting := range []bool{true, false} {
			doc, err := html.ParseWithOptions(bytes.NewReader(page), html.ParseOptionEnableScripting(scripting))
			require.NoError(t, err)
			assert.NotEmpty(t, loaders(t, doc), "scripting=%v", scripting)
		}
		assert.Contains(t, out, "<head>\n"+`<meta charset="utf-8">`+headSnippet, "head snippet right after the charset declaration")
		assert.Equal(t, 1, strings.Count(out, headSnippet))
		assert.Equal(t, 1, strings.Count(out, bodySnippet+"</body>"))
		assert.Less(t, strings.Index(out, headSnippet), strings.Index(out, "googletagmanager.com/gtag"), "snippet precedes every script")
		assert.Contains(t, out, `<script>document.documentElement.classList.add('js');</script>`, "own inline script kept")
		assert.Contains(t, out, `<script src="/static/site.js" defer></script>`, "own script kept")
		assert.Contains(t, out, `<link rel="canonical" href="https://gazette.example/news/ferry-timetable">`)
	})

	t.Run("accepted: identical apart from the snippets", func(t *testing.T) {
		t.Parallel()
		out := rewriteAllSplits(t, rewrite.Config{Head: cfg.Head, BodyEnd: cfg.BodyEnd, Consent: all{}}, string(page))
		want := strings.Replace(string(page), `<meta charset="utf-8">`, `<meta charset="utf-8">`+headSnippet, 1)
		want = strings.Replace(want, "</body>", bodySnippet+"</body>", 1)
		assert.Equal(t, want, out)
	})

	t.Run("analytics only", func(t *testing.T) {
		t.Parallel()
		out := rewriteOnce(t, rewrite.Config{Consent: grants{"analytics": true}}, page)
		assert.Contains(t, out, `<script async src="https://www.googletagmanager.com/gtag/js?id=G-EXAMPLE01"></script>`)
		assert.Contains(t, out, `<script type="text/plain" data-ck-blocked="marketing" data-consent="marketing">`)
		assert.Contains(t, out, `<iframe data-ck-blocked="marketing" width="560"`)
	})
}
