package banner

import (
	"bytes"
	"compress/gzip"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/internal/banner/loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAssets(t *testing.T) {
	t.Parallel()
	js, css := AssetNames()
	assert.Regexp(t, `^ck\.[0-9a-f]{8}\.js$`, js)
	assert.Equal(t, strings.TrimSuffix(js, "js")+"css", css, "the loader derives the stylesheet's name from its own")
	assert.Regexp(t, `^[0-9a-f]{12}$`, Version())
	for _, s := range []struct {
		name, ctype string
		ok          bool
	}{
		{js, "text/javascript; charset=utf-8", true},
		{css, "text/css; charset=utf-8", true},
		{"ck.00000000.js", "", false},
		{"../assets/ck.js", "", false},
		{"", "", false},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			body, ctype, ok := Asset(s.name)
			gz, gzOK := AssetGzip(s.name)
			require.Equal(t, s.ok, ok)
			assert.Equal(t, s.ok, gzOK)
			assert.Equal(t, s.ctype, ctype)
			if !ok {
				return
			}
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			require.NoError(t, err)
			plain, err := io.ReadAll(zr)
			require.NoError(t, err)
			assert.Equal(t, body, plain)
			assert.Less(t, len(gz), len(body))
		})
	}
}

// TestLoaderParses has node check the minified loader's syntax, when node is
// installed; the browser suite runs it for real.
func TestLoaderParses(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	js, _ := AssetNames()
	body, _, _ := Asset(js)
	path := filepath.Join(t.TempDir(), "ck.js")
	require.NoError(t, os.WriteFile(path, body, 0o600))
	out, err := exec.Command(node, "--check", path).CombinedOutput()
	assert.NoError(t, err, "%s", out)
}

// TestMinifiedAssetsAreFresh fails when a script source changed and
// `go generate ./internal/banner/` was not run: the files served are the
// generated ones, so a stale one would serve old code.
func TestMinifiedAssetsAreFresh(t *testing.T) {
	t.Parallel()
	want, err := loader.Build(mustReadFile(t, "assets/ck.js"), mustReadFile(t, "assets/ck.v.js"), mustReadFile(t, "assets/ck.s.js"), mustReadFile(t, "assets/ck.p.js"), mustReadFile(t, "assets/ck-r.js"))
	require.NoError(t, err)
	for name, b := range want {
		assert.Equal(t, string(b), string(mustRead("assets/min/"+name)), "assets/min/%s is stale: run go generate ./internal/banner/", name)
	}
}

func mustReadFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return b
}

func TestMinifyCSS(t *testing.T) {
	t.Parallel()
	for _, s := range []struct{ name, in, want string }{
		{"declarations", ".a {\n  color: red;\n  margin: 0 auto;\n}\n", ".a{color:red;margin:0 auto}"},
		{"descendant pseudo kept", ".ck :focus-visible { outline: 0 }", ".ck :focus-visible{outline:0}"},
		{"comments", "/* x */.a{b:c}/* y */", ".a{b:c}"},
		{"unclosed comment", ".a{b:c}/* y", ".a{b:c}"},
		{"slash and star around a comment", "//**/*", "/ *"},
		{"lists", ".a, .b { font: 1rem/1.5 x, y; }", ".a,.b{font:1rem/1.5 x,y}"},
		{"media", "@media (prefers-color-scheme: dark) { .a { b: c; } }", "@media (prefers-color-scheme:dark){.a{b:c}}"},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, s.want, string(minifyCSS([]byte(s.in))))
		})
	}
}

func FuzzMinifyCSS(f *testing.F) {
	f.Add(string(mustRead("assets/ck.css")))
	f.Add("/* */ a { b : c ; } /*")
	f.Fuzz(func(t *testing.T, in string) {
		once := minifyCSS([]byte(in))
		assert.Equal(t, string(once), string(minifyCSS(once)), "minifying is idempotent")
		assert.LessOrEqual(t, len(once), len(in))
	})
}

// TestStylesheet checks the rules of issue 4 that can be read off the CSS.
func TestStylesheet(t *testing.T) {
	t.Parallel()
	_, name := AssetNames()
	body, _, _ := Asset(name)
	dialog, _, ok := Asset(dialogCSSName)
	require.True(t, ok, "the dialog's stylesheet is served")
	css := string(body)
	both := css + string(dialog)
	t.Run("scoped selectors", func(t *testing.T) {
		t.Parallel()
		sel := regexp.MustCompile(`(?:^|[{}])([^{}@]+)\{`)
		for _, m := range sel.FindAllStringSubmatch(both, -1) {
			for _, s := range splitSelectors(m[1]) {
				if s == "from" || s == "to" {
					continue // keyframe steps
				}
				assert.Regexp(t, `\.ck\b|#ck-`, s, "selector %q could touch the host page", s)
			}
		}
	})
	t.Run("logical properties for RTL", func(t *testing.T) {
		t.Parallel()
		assert.NotRegexp(t, `(margin|padding|border)-(left|right)|[{;](left|right|width|height):|text-align:(left|right)|float:`, both)
	})
	t.Run("media preferences", func(t *testing.T) {
		t.Parallel()
		assert.Contains(t, css, "@media (prefers-color-scheme:dark)")
		assert.NotRegexp(t, `animation|transition`, strings.Split(both, "@media (prefers-reduced-motion")[0], "motion only for who has not asked for less")
	})
	t.Run("the page cannot reach in", func(t *testing.T) {
		t.Parallel()
		assert.Contains(t, css, ":is(#ck-banner,#ck-prefs,#ck-open),:is(#ck-banner,#ck-prefs,#ck-open) *{all:revert;",
			"an id-specific reset takes the page's rules back to the browser's defaults")
		assert.Contains(t, css, "font:400 max(16px,1rem)/1.5", "a root font size of 62.5% cannot shrink the text")
		assert.NotRegexp(t, `[0-9.]rem\b[^)]`, strings.ReplaceAll(both, "max(16px,1rem)", ""), "sizes in px or em, never rem alone")
	})
	t.Run("targets", func(t *testing.T) {
		t.Parallel()
		assert.Regexp(t, `:is\(#ck-banner,#ck-prefs\) \.ck-btn\{[^}]*min-block-size:44px`, css)
		assert.Regexp(t, `\.ck-lang :is\(select,button\)\{[^}]*min-block-size:44px`, css)
		assert.Regexp(t, `:is\(#ck-banner,#ck-prefs\) :focus-visible,#ck-open:focus-visible\{outline:3px solid var\(--ck-fg\);outline-offset:2px`, css,
			"the ring sits on the background, where its contrast is measured")
		assert.Regexp(t, `#ck-prefs input\{[^}]*inline-size:24px;block-size:24px`, string(dialog), "24px checkboxes")
		assert.Regexp(t, `#ck-prefs \.ck-btns\{position:sticky;inset-block-end:0`, string(dialog), "the dialog's buttons stay in view")
	})
	for _, scheme := range []struct{ name, block string }{
		{"light", strings.Split(css, "@media")[0]},
		{"dark", strings.Split(strings.Split(css, "@media (prefers-color-scheme:dark)")[1], "}}")[0]},
	} {
		t.Run("contrast "+scheme.name, func(t *testing.T) {
			t.Parallel()
			v := cssVars(scheme.block)
			for _, p := range []struct {
				fg, bg string
				min    float64
			}{
				{"--ck-fg", "--ck-bg", 4.5},            // text, and the focus ring (offset onto the background)
				{"--ck-accent", "--ck-bg", 4.5},        // links
				{"--ck-accent-fg", "--ck-accent", 4.5}, // button labels
				{"--ck-accent", "--ck-bg", 3},          // button boundaries
				{"--ck-border", "--ck-bg", 3},          // other control boundaries
			} {
				r := contrast(t, v[p.fg], v[p.bg])
				assert.GreaterOrEqual(t, r, p.min, "%s on %s: %.2f:1", p.fg, p.bg, r)
			}
		})
	}
}

func cssVars(block string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(--ck-[a-z-]+):(#[0-9a-fA-F]{3,6})`).FindAllStringSubmatch(block, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// contrast is the WCAG 2 contrast ratio of two #rgb or #rrggbb colours.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	hex = strings.TrimPrefix(hex, "#")
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	require.Len(t, hex, 6, "colour %q", hex)
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		n, err := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		require.NoError(t, err)
		c := float64(n) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

// splitSelectors splits a selector list at its top-level commas, leaving
// those inside :is() and the like.
func splitSelectors(list string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range list {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, list[start:i])
				start = i + 1
			}
		}
	}
	return append(out, list[start:])
}
