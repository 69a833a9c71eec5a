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
