package rewrite_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// TestRawTextAndCommentEnds holds the short cuts that read a raw text end
// tag in one load and a comment without the state dispatch to the states
// they skip: a tracker after the end is neutralised, one before it is text,
// whatever the Writes are cut into (one-byte Writes take the states letter
// by letter).
func TestRawTextAndCommentEnds(t *testing.T) {
	t.Parallel()
	tr := `<script async src="` + gtm + `"></script>`
	done := `<script type="text/plain" data-ck-blocked="analytics" async data-ck-src="` + gtm + `"></script>`
	for _, el := range []string{"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"} {
		for _, end := range []string{"</" + el + ">", "</" + strings.ToUpper(el) + ">", "</" + el + " >",
			"</" + el + "/>", "</" + el + "\n data-x=1>", "</" + strings.ToUpper(el[:1]) + el[1:] + "\t>"} {
			for _, text := range []string{"", "a", "a < b", "x</y", "</" + el[:len(el)-1] + ">", "</" + el + "x>", "<" + el + ">"} {
				in := "<" + el + ">" + text + end + tr
				want := "<" + el + ">" + text + end + done
				if el == "script" && strings.Contains(text, "<script") {
					continue // a double-escaped script: not what this test is about
				}
				assert.Equal(t, want, rewriteAllSplits(t, rewrite.Config{}, in), "%q", in)
			}
			// A tracker inside the raw text is text, also after what is
			// nearly its end tag.
			for _, near := range []string{"", "</" + el + "x>", "</" + el + "=>", "</" + el + "\x00>"} {
				in := "<" + el + ">" + near + tr[:len(tr)-len("</script>")] + end
				if el != "script" && el != "style" { // style text is read as CSS
					assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{}, in), "%q", in)
				}
			}
		}
	}
	// An inline script is judged by all of its text, up to its real end.
	for _, near := range []string{"</scriptx>", "</script=>", "</scrip>", "</SCRIPT\x00>"} {
		in := "<script>" + near + "var u='https://www.googletagmanager.com/gtm.js'</script>"
		assert.Contains(t, rewriteAllSplits(t, rewrite.Config{}, in), `data-ck-blocked="analytics"`, "%q", in)
	}
	comments := []string{"<!---->", "<!-->", "<!--->", "<!-- a > b -->", "<!-- --!>", "<!-- - -> -->",
		"<!--\n-->", "<!-- <script src=x> -->", "<!--[if IE]><p>x</p><![endif]-->"}
	for _, c := range comments {
		for _, c2 := range comments {
			// The second comment must not see the first one's end.
			in := c + tr + c2 + tr
			assert.Equal(t, c+done+c2+done, rewriteAllSplits(t, rewrite.Config{}, in), "%q", in)
		}
	}
	in := "<!-- " + tr + " -->"
	assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{}, in), "%q", in)
}

// TestInlineScriptTextEnd holds where script() says an inline script's text
// ends (r.ltAbs, the '<' of its end tag) to the byte: a text of exactly
// MaxSnippetScan bytes is searched for snippets and one a byte longer is
// not, and a host that ends the text is read to its last letter. The end
// tag follows in the script data state and in its escaped states (after
// "<!--", and after "<!-- ... --"), which each set r.ltAbs; the input is
// split into two Writes at every position, and written a byte at a time.
func TestInlineScriptTextEnd(t *testing.T) {
	t.Parallel()
	const snippet = "fbq('init','1');"
	pad := func(head, tail string, n int) string {
		return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
	}
	for _, c := range []struct {
		name, text string
		blocked    bool
	}{
		{"snippet, longest searched", pad(snippet, "", rewrite.MaxSnippetScan), true},
		{"snippet, a byte too long", pad(snippet, "", rewrite.MaxSnippetScan+1), false},
		{"escaped, longest searched", pad("<!--"+snippet, "", rewrite.MaxSnippetScan), true},
		{"escaped, a byte too long", pad("<!--"+snippet, "", rewrite.MaxSnippetScan+1), false},
		{"after dashes, longest searched", pad("<!--"+snippet, "--", rewrite.MaxSnippetScan), true},
		{"after dashes, a byte too long", pad("<!--"+snippet, "--", rewrite.MaxSnippetScan+1), false},
		{"host at the end", "x='//www.google-analytics.com", true},
		{"escaped host at the end", "<!--x='//www.google-analytics.com", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := "<p>a</p><script>" + c.text + "</script><p>b</p>"
			want := in
			if c.blocked {
				if strings.Contains(c.text, "google") {
					want = `<p>a</p><script type="text/plain" data-ck-blocked="analytics">` + c.text + "</script><p>b</p>"
				} else {
					want = `<p>a</p><script type="text/plain" data-ck-blocked="marketing">` + c.text + "</script><p>b</p>"
				}
			}
			assert.Equal(t, want, rewriteAllSplits(t, rewrite.Config{}, in))
		})
	}
}

// TestRawTextStartTags holds tagDone's table of the start tags that switch
// the tokenizer out of text (startSpecial): after each raw text element's
// start tag a tracker's script tag is text, left as it is, and after its
// end tag one is a tag again, neutralised (style text and noscript content
// are judged, and held to it by TestCSS and TestNoscript).
func TestRawTextStartTags(t *testing.T) {
	t.Parallel()
	const script = `<script src="https://www.google-analytics.com/analytics.js"></script>`
	const blocked = `<script type="text/plain" data-ck-blocked="analytics" data-ck-src="https://www.google-analytics.com/analytics.js"></script>`
	for _, name := range []string{"xmp", "iframe", "noembed", "noframes", "textarea", "title"} {
		in := "<p>a</p><" + name + ">" + script + "</" + name + ">" + script
		want := "<p>a</p><" + name + ">" + script + "</" + name + ">" + blocked
		assert.Equal(t, want, rewriteAllSplits(t, rewrite.Config{}, in), name)
	}
	// Plaintext never ends.
	in := "<p>a</p><plaintext>" + script + "</plaintext>" + script
	assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{}, in), "plaintext")
}
