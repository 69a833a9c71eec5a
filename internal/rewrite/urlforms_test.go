package rewrite_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// cssURLForms are the forms of a tracker URL in CSS that Chromium fetches
// (internal/e2e TestURLForms checks each in the browser) and that the CSS
// scanner once let through: escapes in the host, scheme or slashes, a
// string's line continuation, a tab in a string, percent-encoding, UTS #46
// mapping, backslashes standing for slashes, one slash or none after the
// scheme (a host where the scheme differs from the page's), and slashes or
// backslashes written as escapes.
var cssURLForms = []string{
	`url(//www.google-analytic\73.com/x.gif)`,
	"url('//www.google-\\\nanalytics.com/x.gif')",
	"url(\"//www.google-\\\r\nanalytics.com/x.gif\")",
	`url(https:/\www.google-analytics.com/x.gif)`,
	`url('/\\www.google-analytics.com/x.gif')`,
	`url(//www.google-analytics%2Ecom/x.gif)`,
	"url(//www.google-analytics\u3002com/x.gif)",
	"url('//www.google-\tanalytics.com/x.gif')",
	`url(h\74tps://www.google-analytics.com/x.gif)`,
	`url('//www.google-\9 analytics.com/x.gif')`,
	`url(\/\/www.google-analytics.com/x.gif)`,
	"url(//www.\uff47oogle-analytics.com/x.gif)",
	`url(http:/www.google-analytics.com/x.gif)`,
	`url('https:/www.google-analytics.com/x.gif')`,
	`url(\2f\2fwww.google-analytics.com/x.gif)`,
	`url(\2f \2f www.google-analytics.com/x.gif)`,
	`url("https:\2f\2fwww.google-analytics.com/x.gif")`,
	`url(\5c\5cwww.google-analytics.com/x.gif)`,
	`url(https:\\\\www.google-analytics.com/x.gif)`,
	`url(https:\/www.google-analytics.com/x.gif)`,
	`url(https:www.google-analytics.com/x.gif)`,
	`url('http:www.google-analytics.com/x.gif')`,
}

// TestCSSURLForms holds each form to the marker in a style element and to
// a rewritten style attribute, with the text split at every byte, and to
// no change once the category is granted.
func TestCSSURLForms(t *testing.T) {
	t.Parallel()
	const m = "//[ck=analytics]"
	for _, u := range cssURLForms {
		t.Run(u, func(t *testing.T) {
			t.Parallel()
			open := strings.Index(u, "(") + 1
			if u[open] == '\'' || u[open] == '"' {
				open++
			}
			marked := u[:open] + m + u[open:]

			in := `<style>.a{color:red;background:` + u + `}</style>`
			want := `<style>.a{color:red;background:` + marked + `}</style>`
			assert.Equal(t, want, rewriteAllSplits(t, rewrite.Config{}, in), "style element")
			assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{Consent: all{}}, in), "style element, granted")

			q := "'"
			if strings.Contains(u, q) {
				q = `"`
			}
			in = `<div style=` + q + `background:` + u + q + `>`
			got := rewriteAllSplits(t, rewrite.Config{}, in)
			assert.True(t, strings.HasPrefix(got, `<div data-ck-blocked="analytics" style="`), "style attribute: %s", got)
			assert.Contains(t, got, ` data-ck-style=`+q+`background:`+u+q+`>`, "style attribute: the original kept")
			assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{Consent: all{}}, in), "style attribute, granted")
		})
	}
}

// TestCSSURLFormsNotTrackers keeps the lone slashes of ordinary style
// sheets, and the odd forms naming other hosts, as they are.
func TestCSSURLFormsNotTrackers(t *testing.T) {
	t.Parallel()
	for _, css := range []string{
		`a{font:1.2em/1.5 Arial;background:url(../img/a.png)}`,
		`.w-1\/2{width:50%}.sm\:p-4{padding:1rem}`,
		`a{content:"\f101"}b{background:url(data:image/png;base64,iVBO/R+w0KGgo//AAA.AN/SUhEUg==)}`,
		`a{background:url(https:example.org/x.png)}`,
		`a{background:url(\2f\2f example.org/x.png)}`,
		`a{background:url(//example.org\2f www.google-analytics.com/x.png)}`,
		`a{background:url(/www.google-analytics.com/x.png)}`,
		`a{background:url(x/www.google-analytics.com/x.png)}`,
		`a{background:url(https:/example.org/x.png)}`,
		`a:/**/hover{color:red}b{font:1em/1.2 a}`,
		`a{background:url(\2f\2fexample.org/x.png)}b{background:url(https:\\\\example.org/x.png)}`,
		`a{background:url(https:\/example.org/x.png)}b{background:url(data:image/svg+xml;utf8,<svg/>)}`,
		`a{background:url(img/www.google-analytics.com/x.png)}b{content:"\2f www.google-analytics.com"}`,
	} {
		t.Run(css, func(t *testing.T) {
			t.Parallel()
			in := `<style>` + css + `</style><p style='` + css + `'>`
			assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{}, in))
		})
	}
}

// TestCSSAfterBase64 holds the scanner to the URLs around a base64 data:
// URL, whose slashes (one in 64 bytes) it stops at and reads back from: a
// tracker after it, in the same declaration or the next rule, is marked,
// and the data, which may hold "//host" by chance, is left as it is.
func TestCSSAfterBase64(t *testing.T) {
	t.Parallel()
	const m = "//[ck=analytics]"
	data := `url(data:font/woff2;base64,d09GMgABAAAAA/Bx+Y//www.google-analytics.com/AAAA/x==)`
	for _, c := range []struct{ in, want string }{
		{`@font-face{src:` + data + `,url(//www.google-analytics.com/f.woff)}`, `@font-face{src:` + data + `,url(` + m + `//www.google-analytics.com/f.woff)}`},
		{`a{background:` + data + `}b{background:url(https:www.google-analytics.com/b.gif)}`, `a{background:` + data + `}b{background:url(` + m + `https:www.google-analytics.com/b.gif)}`},
		{`a{background:url("data:image/png;base64,iVBO/R+w0K")}b{background:url(\2f\2fwww.google-analytics.com/b.gif)}`, `a{background:url("data:image/png;base64,iVBO/R+w0K")}b{background:url(` + m + `\2f\2fwww.google-analytics.com/b.gif)}`},
	} {
		assert.Equal(t, `<style>`+c.want+`</style>`, rewriteAllSplits(t, rewrite.Config{}, `<style>`+c.in+`</style>`), c.in)
	}
}

// TestReferencesMappedInHosts covers character references whose character
// a browser maps to ASCII, or drops, inside a host (UTS #46): the decoder
// once replaced every non-ASCII numeric reference with U+FFFD and left
// named ones of non-ASCII characters as they were, so these passed.
func TestReferencesMappedInHosts(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"https://www.google-ana&shy;lytics.com/x.gif",
		"https://www.google-ana&#173;lytics.com/x.gif",
		"https://www.google-analytics&shy.com/x.gif", // a legacy name, without ';'
		"https://www.&#xff47;oogle-analytics.com/x.gif",
		"https://www.google-analytics&#12290;com/x.gif",
		"https://www.&gopf;oogle-analytics.com/x.gif",
		"https://www.&#x1d558;oogle-analytics.com/x.gif",
	} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			in := `<img src="` + src + `">`
			want := `<img data-ck-blocked="analytics" data-ck-src="` + src + `">`
			assert.Equal(t, want, rewriteAllSplits(t, rewrite.Config{}, in))
			in = `<p style="background:url(` + src + `)">`
			assert.Contains(t, rewriteAllSplits(t, rewrite.Config{}, in), `data-ck-blocked="analytics"`, "in a style attribute")
		})
	}
}

// TestDataStylesheet covers a link whose href is a data: style sheet
// naming a tracker, which Chromium loads with its url(), and a data:
// script: once passed unjudged, since only documents (iframe, embed,
// object) had their data: URLs read.
func TestDataStylesheet(t *testing.T) {
	t.Parallel()
	for _, href := range []string{
		"data:text/css,.a{background:url(//www.google-analytics.com/x.gif)}",
		"data:text/css;base64,LmF7YmFja2dyb3VuZDp1cmwoLy93d3cuZ29vZ2xlLWFuYWx5dGljcy5jb20veC5naWYpfQ==",
		"&#100;ata:text/css,@import '//www.google-analytics.com/x.css';",
		" DATA:text/css,.a{background:url(https%3A%2F%2Fwww.google-analytics.com%2Fx.gif)}",
	} {
		t.Run(href, func(t *testing.T) {
			t.Parallel()
			in := `<link rel=stylesheet href="` + href + `">`
			want := `<link data-ck-blocked="analytics" rel=stylesheet data-ck-href="` + href + `">`
			assert.Equal(t, want, rewriteAllSplits(t, rewrite.Config{}, in))
			assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{Consent: all{}}, in), "granted: unchanged")
		})
	}
	in := `<link rel=stylesheet href="data:text/css,.a{color:red}"><link rel=icon href="/favicon.ico">`
	assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{}, in), "no tracker named")

	// A data: script runs what it holds: judged the same way, so that
	// the loader runs it again once the category is granted (the
	// runtime guard held its request, but never let it go).
	in = `<script src="data:text/javascript,new Image().src='//www.google-analytics.com/x.gif'"></script>`
	want := `<script type="text/plain" data-ck-blocked="analytics" data-ck-src="data:text/javascript,new Image().src='//www.google-analytics.com/x.gif'"></script>`
	assert.Equal(t, want, rewriteAllSplits(t, rewrite.Config{}, in), "data: script")
	assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{Consent: all{}}, in), "data: script, granted")
	in = `<script src="data:text/javascript,console.log(1)"></script><script src="/app.js"></script>`
	assert.Equal(t, in, rewriteAllSplits(t, rewrite.Config{}, in), "data: script naming no tracker")
}

// TestSVGStyle covers the style element of SVG, whose text the HTML parser
// reads as markup (references resolved) and Chromium applies as a style
// sheet: its tracker URLs passed unjudged, since foreign content only looked
// for tags.
func TestSVGStyle(t *testing.T) {
	t.Parallel()
	const m = "//[ck=analytics]"
	tests := []struct{ name, in, want string }{
		{"url()", `<svg><style>.a{background:url(//www.google-analytics.com/x.gif)}</style></svg>`,
			`<svg><style>.a{background:url(` + m + `//www.google-analytics.com/x.gif)}</style></svg>`},
		{"@import", `<svg width=1><style>@import "https://www.google-analytics.com/x.css";</style></svg>`,
			`<svg width=1><style>@import "` + m + `https://www.google-analytics.com/x.css";</style></svg>`},
		{"an odd form", `<svg><style>.a{background:url(//www.google-analytic\73.com/x.gif)}</style></svg>`,
			`<svg><style>.a{background:url(` + m + `//www.google-analytic\73.com/x.gif)}</style></svg>`},
		{"markup still read", `<svg><style><img src="//www.google-analytics.com/x.gif"></style></svg>`,
			`<svg><style><img data-ck-blocked="analytics" data-ck-src="//www.google-analytics.com/x.gif"></style></svg>`},
		{"inside foreignObject it is HTML's", `<svg><foreignObject><style>a{background:url(//www.google-analytics.com/x)}</style></foreignObject></svg>`,
			`<svg><foreignObject><style>a{background:url(` + m + `//www.google-analytics.com/x)}</style></foreignObject></svg>`},
		{"first party", `<svg><style>.a{fill:url(#g);background:url(/x.png)}</style></svg>`, ""},
		{"math has no style sheet", `<math><style>.a{background:url(//www.google-analytics.com/x.gif)}</style></math>`, ""},
	}
	runBlockCases(t, rewrite.Config{}, tests)
	// References are resolved in a text that comes in one Write, which
	// is then written resolved, with the marker, and escaped again.
	in := `<svg><style>.a{background:url(&#47;/www.google-analytics.com/x.gif?a=1&amp;b=&lt;)}</style></svg>`
	want := `<svg><style>.a{background:url(` + m + `//www.google-analytics.com/x.gif?a=1&amp;b=&lt;)}</style></svg>`
	assert.Equal(t, want, rewriteOnce(t, rewrite.Config{}, []byte(in)), "references")
	assert.Equal(t, in, rewriteOnce(t, rewrite.Config{Consent: all{}}, []byte(in)), "references, granted")
	in = `<svg><style>.a{content:"&amp;"}</style></svg>`
	assert.Equal(t, in, rewriteOnce(t, rewrite.Config{}, []byte(in)), "references, no tracker: as written")

	// Comments and CDATA sections are stepped over within a Write.
	for _, tt := range []struct{ in, want string }{
		{`<svg><style><![CDATA[.a{background:url(//www.google-analytics.com/x.gif)}]]></style></svg>`,
			`<svg><style><![CDATA[.a{background:url(` + m + `//www.google-analytics.com/x.gif)}]]></style></svg>`},
		{`<svg><style>a{}<!-- x -->@import "//www.google-analytics.com/x.css";</style></svg>`,
			`<svg><style>a{}<!-- x -->@import "` + m + `//www.google-analytics.com/x.css";</style></svg>`},
		{`<svg><style><!-->@import "//www.google-analytics.com/x.css";</style></svg>`,
			`<svg><style><!-->@import "` + m + `//www.google-analytics.com/x.css";</style></svg>`},
		{`<svg><style><!-- --!><img src="//www.google-analytics.com/x.gif">--></style></svg>`,
			`<svg><style><!-- --!><img data-ck-blocked="analytics" data-ck-src="//www.google-analytics.com/x.gif">--></style></svg>`},
	} {
		assert.Equal(t, tt.want, rewriteOnce(t, rewrite.Config{}, []byte(tt.in)), tt.in)
		assert.Equal(t, tt.in, rewriteOnce(t, rewrite.Config{Consent: all{}}, []byte(tt.in)), "granted: %s", tt.in)
	}
}
