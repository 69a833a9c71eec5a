package banner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Helpers that read rendered markup through x/net/html, the same parser
// rules a browser follows, so the checks see what a browser sees.

// parse parses a rendered fragment in a <body> context.
func parse(t testing.TB, markup string) *html.Node {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(markup), ctx)
	require.NoError(t, err)
	root := &html.Node{Type: html.ElementNode, Data: "root"}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return root
}

// parseDoc parses a whole document.
func parseDoc(t testing.TB, markup string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(markup))
	require.NoError(t, err)
	return doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func attrOr(n *html.Node, key string) string {
	v, _ := attr(n, key)
	return v
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attrOr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// all returns the element nodes under n, in document order, that match.
func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func byClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return hasClass(n, class) }
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attrOr(n, "id") == id }
}

// one returns the single element under n that matches.
func one(t testing.TB, n *html.Node, what string, match func(*html.Node) bool) *html.Node {
	t.Helper()
	found := all(n, match)
	require.Len(t, found, 1, "exactly one %s", what)
	return found[0]
}

// text returns the text content of n.
func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// hiddenFields returns the hidden inputs of a form by name.
func hiddenFields(form *html.Node) map[string]string {
	out := map[string]string{}
	for _, in := range all(form, byTag("input")) {
		if attrOr(in, "type") == "hidden" {
			out[attrOr(in, "name")] = attrOr(in, "value")
		}
	}
	return out
}

func headBody(d *Data) string {
	var buf bytes.Buffer
	Head(&buf, d)
	BodyStart(&buf, d)
	Body(&buf, d)
	return buf.String()
}

func prefs(d *Data, fragment bool) string {
	var buf bytes.Buffer
	Preferences(&buf, d, fragment)
	return buf.String()
}

// isLoader matches the loader's <script>.
func isLoader(n *html.Node) bool {
	js, _ := AssetNames()
	return n.Data == "script" && strings.HasSuffix(attrOr(n, "src"), "/assets/"+js)
}
