package rewrite_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/consentkit/consentkit/internal/rewrite"
)

func TestPageSettingsControlReplacesTheAutomaticOne(t *testing.T) {
	t.Parallel()
	cfg := rewrite.Config{Head: []byte("[H]"), BodyEnd: []byte("[B]"), Settings: []byte("[S]"), Consent: all{}}
	const page = `<!doctype html><html><head><title>t</title></head><body><main><p>x</p></main>%s</body></html>`
	tests := []struct {
		name, footer string
		own          bool
	}{
		{"no control", `<footer><a href="/privacy">Privacy</a></footer>`, false},
		{"the template helper's link", `<footer><a class="ck-settings" href="/consent/preferences?return=/" data-ck-settings>Cookie settings</a></footer>`, true},
		{"a short hand-written link", `<a data-ck-settings>Cookies</a>`, true},
		{"a button with a value", `<BUTTON type=button data-ck-settings="">Cookies</BUTTON>`, true},
		{"unquoted, last attribute, self-closing", `<a href=/consent/preferences data-ck-settings/>Cookies</a>`, true},
		{"another case is missed: two links, never none", `<Button DATA-CK-SETTINGS>Cookies</Button>`, false},
		{"not a control element", `<div data-ck-settings>Cookies</div><span data-ck-settings>x</span>`, false},
		{"inside svg", `<svg><a data-ck-settings href="#"><text>c</text></a></svg>`, true},
		{"a longer element name", `<abbr data-ck-settings>x</abbr><buttons data-ck-settings>y</buttons>`, false},
		{"only in a value", `<a href="/help?q=data-ck-settings" title="data-ck-settings">Help</a>`, false},
		{"a longer attribute name", `<a data-ck-settings-x href="/">x</a><a data-ck-settingsx>y</a>`, false},
		{"in a comment", `<!-- <a data-ck-settings> -->`, false},
		{"in script text", `<script>document.body.innerHTML = '<a data-ck-settings>'</script>`, false},
		{"in a raw text element", `<textarea><a data-ck-settings></textarea>`, false},
		{"an end tag", `</a data-ck-settings>`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := strings.Replace(page, "%s", tc.footer, 1)
			out := rewriteAllSplits(t, cfg, in)
			want := strings.Replace(in, "</body>", "[B][S]</body>", 1)
			if tc.own {
				want = strings.Replace(in, "</body>", "[B]</body>", 1)
			}
			want = strings.Replace(want, "<head>", "<head>[H]", 1)
			assert.Equal(t, want, out)
		})
	}
}

func TestSettingsPlace(t *testing.T) {
	t.Parallel()
	cfg := rewrite.Config{BodyEnd: []byte("[B]"), Settings: []byte("[S]"), Consent: all{}}
	for _, tc := range []struct{ name, in, want string }{
		// The automatic control goes where BodyEnd goes: a control the page
		// writes after </body> comes too late to replace it.
		{"control after </body>", `<p>x</body><a data-ck-settings>c</a>`, `<p>x[B][S]</body><a data-ck-settings>c</a>`},
		{"no </body>: at Close, after everything", `<p>x<a data-ck-settings>c</a>`, `<p>x<a data-ck-settings>c</a>[B]`},
		{"no </body>, no control", `<p>x`, `<p>x[B][S]`},
		{"unfinished tag at the end", `<p>x<a data-ck-settings`, `<p>x[B][S]<a data-ck-settings`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, rewriteAllSplits(t, cfg, tc.in))
		})
	}
}

func TestSettingsInALongTag(t *testing.T) {
	t.Parallel()
	// A start tag longer than a control's ever is, is not looked at: the
	// automatic control stays (two controls, never none).
	cfg := rewrite.Config{BodyEnd: []byte("[B]"), Settings: []byte("[S]"), Consent: all{}}
	long := `<p><a data-ck-settings title="` + strings.Repeat("x", 4<<10) + `">c</a></body>`
	assert.True(t, strings.HasSuffix(rewriteOnce(t, cfg, []byte(long)), "[B][S]</body>"))
	short := `<p><a data-ck-settings title="` + strings.Repeat("x", 1<<10) + `">c</a></body>`
	assert.True(t, strings.HasSuffix(rewriteOnce(t, cfg, []byte(short)), "[B]</body>"))
}

func TestSettingsPastTheLookAheadBound(t *testing.T) {
	t.Parallel()
	// A start tag longer than the bound has gone out before its end: it is
	// not looked at, and the automatic control stays.
	in := `<p><a data-ck-settings title="` + strings.Repeat("x", 100) + `">c</a></body>`
	var out strings.Builder
	r := rewrite.Get(&out, rewrite.Config{BodyEnd: []byte("[B]"), Settings: []byte("[S]"), Consent: all{}})
	defer r.Put()
	r.SetMaxTagLen(32)
	_, _ = r.Write([]byte(in[:40]))
	_, _ = r.Write([]byte(in[40:]))
	assert.NoError(t, r.Close())
	assert.True(t, strings.HasSuffix(out.String(), "[B][S]</body>"), out.String())
}
