package banner

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// renderings returns every kind of output the package produces for d.
func renderings(d *Data) map[string]string {
	return map[string]string{
		"head+body": headBody(d),
		"fragment":  prefs(d, true),
		"page":      prefs(d, false),
		"script":    string(ScriptTag("/app.js", d.Nonce)),
	}
}

func TestStrictCSP(t *testing.T) {
	t.Parallel()
	for _, s := range states {
		for _, nonce := range []string{testNonce, ""} {
			name := s.name + "/nonce"
			if nonce == "" {
				name = s.name + "/no nonce"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				d := s.data()
				d.Nonce = nonce
				for kind, out := range renderings(d) {
					doc := parseDoc(t, out)
					for n := range doc.Descendants() {
						if n.Type != html.ElementNode {
							continue
						}
						for _, a := range n.Attr {
							assert.False(t, strings.HasPrefix(a.Key, "on"), "%s: inline handler %s on <%s>", kind, a.Key, n.Data)
							assert.NotEqual(t, "style", a.Key, "%s: style attribute on <%s>", kind, n.Data)
						}
						if a, ok := attr(n, "href"); ok {
							assert.False(t, strings.HasPrefix(strings.ToLower(a), "javascript:"), kind)
						}
						needsNonce := n.Data == "script" || n.Data == "style" ||
							(n.Data == "link" && attrOr(n, "rel") == "stylesheet")
						if !needsNonce {
							continue
						}
						got, has := attr(n, "nonce")
						if nonce == "" {
							assert.False(t, has, "%s: <%s> has a nonce though the page has none", kind, n.Data)
						} else {
							assert.Equal(t, nonce, got, "%s: <%s> lacks the nonce", kind, n.Data)
						}
					}
				}
			})
		}
	}
}

// TestLoaderSource checks the loader and its preferences module for what a
// strict CSP forbids and for
// the sinks through which untrusted text could become markup or code. The
// runtime guard wraps innerHTML, document.write and the like, so their names
// appear; the loader itself never writes markup through them, never sets a
// style of its own, and restores only the page's own style attributes and
// <style> text, as the rewriter left them.
func TestLoaderSource(t *testing.T) {
	t.Parallel()
	js, _ := AssetNames()
	served, _, _ := Asset(js)
	prefs, _, ok := Asset(prefsName)
	require.True(t, ok, prefsName)
	for _, forbidden := range []*regexp.Regexp{
		regexp.MustCompile(`\beval\b`),
		regexp.MustCompile(`\bFunction\s*\(`),
		regexp.MustCompile(`\.(innerHTML|outerHTML)\s*=|\.(insertAdjacentHTML|write|writeln|createContextualFragment)\(`),
		regexp.MustCompile(`\.style\b|cssText|setAttribute\(\s*['"]style`),
		regexp.MustCompile(`setAttribute\(\s*['"]on`),
		regexp.MustCompile(`set(Timeout|Interval)\(\s*['"]`), // a string is an eval
	} {
		assert.NotRegexp(t, forbidden, string(served))
		assert.NotRegexp(t, forbidden, string(prefs))
	}
	readable := mustReadFile(t, "assets/ck.js")
	// The contract with the rewriter: every attribute it moves aside is
	// restored, scripts are re-created with their type and nonce, and the
	// marker in <style> text is dropped.
	for _, need := range []string{"data-ck-blocked", "/^data-ck-(?!http)/", "a.slice(8)", "http://www.w3.org/1999/xlink", "ckType", "ckSrc", `\/\/\[ck=`,
		"n.nonce = o.nonce || N", "n.async = false", "consent:change", "'consent', 'update'", "location.reload()", "import(C.replace(/css$/, 'p.js'))",
		// The guard: prototypes' setters, setAttribute, document.write,
		// innerHTML, the observer, requests.
		"Object.defineProperty", "setAttributeNS", "'write', 'writeln'", "'innerHTML', 'outerHTML'", "ShadowRoot.prototype",
		"insertAdjacentHTML", "'createContextualFragment'",
		"MutationObserver", "'fetch'", "XP, 'open'", "XP, 'send'", "'sendBeacon'"} {
		assert.Contains(t, string(readable), need)
	}
	// The dialog: the server's fragment, shown modal; Close and Escape
	// give focus back.
	readable = mustReadFile(t, "assets/ck.p.js")
	for _, need := range []string{"DOMParser", "showModal", "O.focus()", "'.ck-close'", "export default"} {
		assert.Contains(t, string(readable), need)
	}
}
