package banner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

const attack = `</dialog></form><script>alert(1)</script><img src=x onerror=alert(2)>"'`

// hostile returns data whose every text tries to break out of its context.
func hostile() *Data {
	d := undecided()
	d.Texts.Title = attack
	d.Texts.Text = attack
	d.Texts.AcceptAll = attack
	d.Texts.Saved = attack
	d.Texts.Language = attack
	d.Texts.PrefsTitle = attack
	d.Hosts = `"><script>alert(5)</script>`
	d.Categories[1].Title = `<script>alert(3)</script>`
	d.Categories[1].Description = attack
	d.Categories[2].ID = `x" onclick="alert(4)`
	d.Languages[1].Name = attack
	d.Languages[1].Tag = `es"><script>`
	d.Return = `/x"><script>alert(5)</script>`
	d.Nonce = `n"><script>alert(6)</script>`
	d.PolicyURL = "javascript:alert(7)"
	d.Prefix = `/c"><script>`
	d.Regions = []string{`ES"]});alert(8);//`}
	d.ConsentMode = append(d.ConsentMode, ModeType{Name: `x:1});alert(9);//`})
	return d
}

// assertInert checks that markup holds no element or attribute the data
// tried to smuggle in.
func assertInert(t *testing.T, markup string, scripts int) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(markup))
	require.NoError(t, err)
	n := 0
	for e := range doc.Descendants() {
		if e.Type != html.ElementNode {
			continue
		}
		assert.NotEqual(t, "img", e.Data, "smuggled <img>")
		if e.Data == "script" {
			n++
			assert.NotContains(t, text(e), "alert", "data reached a script body")
		}
		for _, a := range e.Attr {
			assert.False(t, strings.HasPrefix(a.Key, "on"), "smuggled %s", a.Key)
			if a.Key == "href" || a.Key == "src" || a.Key == "action" {
				assert.NotContains(t, strings.ToLower(a.Val), "javascript:")
			}
		}
	}
	assert.Equal(t, scripts, n, "only the package's own scripts")
}

func TestEscaping(t *testing.T) {
	t.Parallel()
	d := hostile()
	for _, s := range []struct {
		name    string
		markup  string
		scripts int
	}{
		{"head+body", headBody(d), 3}, // Consent Mode, host set, loader
		{"fragment", prefs(d, true), 0},
		{"page", prefs(d, false), 0},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assertInert(t, s.markup, s.scripts)
		})
	}
	t.Run("category title renders as text", func(t *testing.T) {
		t.Parallel()
		doc := parse(t, prefs(d, true))
		cats := all(doc, byClass("ck-cat"))
		require.Len(t, cats, 4)
		assert.Contains(t, text(cats[1]), `<script>alert(3)</script>`)
	})
	t.Run("unknown consent mode names and bad regions are left out", func(t *testing.T) {
		t.Parallel()
		h := hostile()
		h.Nonce, h.Hosts = "", "" // escaped, they would hold "alert" too
		var buf bytes.Buffer
		Head(&buf, h)
		assert.NotContains(t, buf.String(), "alert")
		assert.NotContains(t, buf.String(), "region")
	})
}

// FuzzBodyEscaping renders arbitrary texts, paths and nonces and checks that
// nothing becomes markup.
func FuzzBodyEscaping(f *testing.F) {
	f.Add(attack, "/", "abc")
	f.Add("<script>", `/a?b="c"&d='e'`, `"><`)
	f.Add("\x00\xff\xfe", "/\u2028", "+/=")
	f.Fuzz(func(t *testing.T, txt, ret, nonce string) {
		d := undecided()
		d.Texts.Title, d.Texts.Choose, d.Categories[1].Title = txt, txt, txt
		d.Return, d.Nonce = ret, nonce
		var buf bytes.Buffer
		Head(&buf, d)
		Body(&buf, d)
		Preferences(&buf, d, true)
		assertInert(t, buf.String(), 3) // Consent Mode, host set, loader
	})
}
