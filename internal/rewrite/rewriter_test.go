package rewrite_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/internal/rewrite"
	"github.com/consentkit/consentkit/internal/trackers"
)

const (
	ga  = "https://www.google-analytics.com/analytics.js"
	gtm = "https://www.googletagmanager.com/gtag/js?id=G-1"
	yt  = "https://www.youtube-nocookie.com/embed/x"
	fb  = "https://www.facebook.com/tr?id=1&amp;ev=PageView"
	// fbPixel is a tracker URL with nothing to escape.
	fbPixel = "https://www.facebook.com/tr?id=1"
)

func TestSnippets(t *testing.T) {
	t.Parallel()
	cfg := rewrite.Config{Head: []byte("[H]"), BodyEnd: []byte("[B]"), Consent: all{}}
	tests := []struct{ name, in, want string }{
		{"head and body", `<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>`,
			`<!DOCTYPE html><html><head>[H]<title>t</title></head><body><p>x</p>[B]</body></html>`},
		{"head with attributes and quoted gt", `<html><HEAD data-x="a>b" lang=en><meta charset=utf-8></HEAD><BODY></BODY>`,
			`<html><HEAD data-x="a>b" lang=en><meta charset=utf-8>[H]</HEAD><BODY>[B]</BODY>`},
		{"self-closing head", `<head/><title>t</title>`, `<head/>[H]<title>t</title>[B]`},
		{"unfinished meta at the end", `<head><meta charset="utf`, `<head>[H][B]<meta charset="utf`},
		{"no head: before first other tag", `<!doctype html><html lang=en><meta charset=utf-8><title>t</title><p>x`,
			`<!doctype html><html lang=en><meta charset=utf-8>[H]<title>t</title><p>x[B]`},
		{"no head: before a script", `<script src="/app.js"></script>`, `[H]<script src="/app.js"></script>[B]`},
		{"no head: before an end tag", `text</p><p>`, `text[H]</p><p>[B]`},
		{"late head is not a second place", `<meta name=x><head><title>t</title>`, `[H]<meta name=x><head><title>t</title>[B]`},
		{"after a charset declaration", "<head>\n<meta charset=\"utf-8\">\n<title>t</title>", "<head>\n<meta charset=\"utf-8\">[H]\n<title>t</title>[B]"},
		{"after an http-equiv charset declaration", `<head><META HTTP-EQUIV=" Content-Type " content="text/html; charset=utf-8"><title>`,
			`<head><META HTTP-EQUIV=" Content-Type " content="text/html; charset=utf-8">[H]<title>[B]`},
		{"before another meta", `<head><meta name="viewport" content="width=device-width"><meta charset=utf-8>`,
			`<head>[H]<meta name="viewport" content="width=device-width"><meta charset=utf-8>[B]`},
		{"after whitespace and comments", "<head>\n<!-- x -->\n<title>", "<head>\n<!-- x -->\n[H]<title>[B]"},
		{"no tags at all", `hello world`, `hello world[H][B]`},
		{"empty document", ``, `[H][B]`},
		{"only html", `<html>`, `<html>[H][B]`},
		{"comments and doctype do not count", `<!-- <head> --><!DOCTYPE html><?pi <p>?><head>`, `<!-- <head> --><!DOCTYPE html><?pi <p>?><head>[H][B]`},
		{"head inside an attribute value", `<html data-x="<head>"><head>`, `<html data-x="<head>"><head>[H][B]`},
		{"body end inside script", `<head></head><body><script>s="</body>"</script></body>`, `<head>[H]</head><body><script>s="</body>"</script>[B]</body>`},
		{"body end inside comment", `<head></head><body><!--</body>--></BODY >`, `<head>[H]</head><body><!--</body>-->[B]</BODY >`},
		{"body end inside textarea", `<head><textarea></body></textarea></body >`, `<head>[H]<textarea></body></textarea>[B]</body >`},
		{"only the first body end", `<head></body></body>`, `<head>[H][B]</body></body>`},
		{"bodyx is not body", `<head></bodyx></body/>`, `<head>[H]</bodyx>[B]</body/>`},
		{"unfinished tag at the end swallows no snippet", `<head><p>x</p><div class="a`, `<head>[H]<p>x</p>[B]<div class="a`},
		{"unfinished held tag at the end", `<p>x</p><script src="`, `[H]<p>x</p>[B]<script src="`},
		{"unfinished tag name at the end", `<head>x<scr`, `<head>x[H][B]<scr`},
		{"lone less-than at the end", `<head>a <`, `<head>a [H][B]<`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, rewriteAllSplits(t, cfg, tt.in))
		})
	}
}

func TestTokenization(t *testing.T) {
	t.Parallel()
	// Each input has script tags with a tracker src; the want marks which of
	// them the tokenizer must see as tags (B) and which are text (-).
	blocked := `<script type="text/plain" data-ck-blocked="analytics" data-ck-src=` + ga + `>`
	s := `<script src=` + ga + `>`
	// An inline script whose text names a tracker is itself neutralised.
	inl := `<script type="text/plain" data-ck-blocked="analytics">`
	cfg := rewrite.Config{}
	tests := []struct{ name, in, want string }{
		{"plain", s, blocked},
		{"less-than before tag", `<<` + s[1:], `<` + blocked},
		{"not a letter", `< script src=x>` + s, `< script src=x>` + blocked},
		{"comment", `<!--` + s + `-->` + s, `<!--` + s + `-->` + blocked},
		{"abrupt empty comment", `<!-->` + s, `<!-->` + blocked},
		{"abrupt dash comment", `<!--->` + s, `<!--->` + blocked},
		{"comment ended by bang", `<!-- x --!>` + s, `<!-- x --!>` + blocked},
		{"comment not ended by single dash", `<!-- -> ` + s + ` -->` + s, `<!-- -> ` + s + ` -->` + blocked},
		{"comment not ended by spaced dashes", `<!-- -- >` + s + `-->`, `<!-- -- >` + s + `-->`},
		{"comment with many dashes", `<!------>` + s, `<!------>` + blocked},
		{"comment bang dash", `<!-- --!-->` + s, `<!-- --!-->` + blocked},
		{"comment bang other", `<!-- --!x>` + s + `-->`, `<!-- --!x>` + s + `-->`},
		{"bogus comment", `<? x ` + `>` + s, `<? x >` + blocked},
		{"bogus end tag", `</ x>` + s, `</ x>` + blocked},
		{"empty end tag", `</>` + s, `</>` + blocked},
		{"cdata is a bogus comment", `<![CDATA[ x ]]>` + s, `<![CDATA[ x ]]>` + blocked},
		{"cdata ends at first gt", `<![CDATA[` + s, `<![CDATA[` + s},
		{"doctype", `<!DOCTYPE html PUBLIC "a>` + s, `<!DOCTYPE html PUBLIC "a>` + blocked},
		{"markup declaration dash", `<!-x>` + s, `<!-x>` + blocked},
		{"style", `<style>` + s + `</style>` + s, `<style>` + s + `</style>` + blocked},
		{"style end needs delimiter", `<style></stylex>` + s + `</STYLE >` + s, `<style></stylex>` + s + `</STYLE >` + blocked},
		{"style end with attributes", `<style></style a=">">` + s, `<style></style a=">">` + blocked},
		{"textarea", `<textarea>` + s + `</textarea>`, `<textarea>` + s + `</textarea>`},
		{"title", `<TITLE>` + s + `</title>`, `<TITLE>` + s + `</title>`},
		{"xmp", `<xmp>` + s + `</xmp>` + s, `<xmp>` + s + `</xmp>` + blocked},
		{"noembed", `<noembed>` + s + `</noembed>`, `<noembed>` + s + `</noembed>`},
		{"noframes", `<noframes>` + s + `</noframes>`, `<noframes>` + s + `</noframes>`},
		{"iframe content", `<iframe>` + s + `</iframe>`, `<iframe>` + s + `</iframe>`},
		{"plaintext", `<plaintext>` + s + `</plaintext>` + s, `<plaintext>` + s + `</plaintext>` + s},
		{"script content", `<script>document.write('` + s + `')</script>`, inl + `document.write('` + s + `')</script>`},
		{"script end is case-insensitive", "<script></SCRIPT\t>" + s, "<script></SCRIPT\t>" + blocked},
		{"script escaped", `<script><!-- ` + s + ` --></script>` + s, inl + `<!-- ` + s + ` --></script>` + blocked},
		{"script double escaped", `<script><!--<script></script>` + s + `--></script>` + s,
			inl + `<!--<script></script>` + s + `--></script>` + blocked},
		{"script double escape needs delimiter", `<script><!--<scripty></script>` + s, `<script><!--<scripty></script>` + blocked},
		{"escaped less-than then space (WHATWG, not x/net)", `<script><!--a < b; <script></script>` + s + `--></script>`,
			inl + `<!--a < b; <script></script>` + s + `--></script>`},
		{"escape start needs two dashes", `<script><!-<script></script>` + s, `<script><!-<script></script>` + blocked},
		{"quoted gt in attribute", `<p title="a>b" data-x='c>d'>` + s, `<p title="a>b" data-x='c>d'>` + blocked},
		{"quote inside unquoted value", `<p a=b"c>` + s, `<p a=b"c>` + blocked},
		{"quote inside attribute name", `<p a"b="c>` + s, `<p a"b="c>` + s},
		{"equals as first name character", `<p ="x>` + s, `<p ="x>` + blocked},
		{"tag name with NUL", "<script\x00 src=" + ga + ">", "<script\x00 src=" + ga + ">"},
		{"scriptx is not script", `<scriptx src=` + ga + `>`, `<scriptx src=` + ga + `>`},
		{"upper case", `<SCRIPT SRC=` + ga + ` TYPE=text/javascript>`,
			`<SCRIPT type="text/plain" data-ck-blocked="analytics" data-ck-src=` + ga + ` data-ck-type=text/javascript>`},
		{"solidus as separator", `<script/src=` + ga + `>`, `<script type="text/plain" data-ck-blocked="analytics"/data-ck-src=` + ga + `>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, rewriteAllSplits(t, cfg, tt.in))
		})
	}
}

func TestNeutralise(t *testing.T) {
	t.Parallel()
	none := rewrite.Config{}
	analytics := rewrite.Config{Consent: grants{"analytics": true}}
	tests := []struct {
		name string
		cfg  rewrite.Config
		in   string
		want string // "" means unchanged
	}{
		{"tracker script", none, `<script async src="` + gtm + `"></script>`,
			`<script type="text/plain" data-ck-blocked="analytics" async data-ck-src="` + gtm + `"></script>`},
		{"tracker script granted", analytics, `<script async src="` + gtm + `"></script>`, ""},
		{"inline with data-consent", none, `<script data-consent="marketing">fbq('init')</script>`,
			`<script type="text/plain" data-ck-blocked="marketing" data-consent="marketing">fbq('init')</script>`},
		{"data-consent wins over the table", analytics, `<script data-consent=marketing src=` + ga + `></script>`,
			`<script type="text/plain" data-ck-blocked="marketing" data-consent=marketing data-ck-src=` + ga + `></script>`},
		{"data-consent necessary keeps a tracker", none, `<script data-consent="necessary" src="` + ga + `"></script>`, ""},
		{"data-consent case and spaces", none, `<script data-consent=" Analytics ">x</script>`,
			`<script type="text/plain" data-ck-blocked="analytics" data-consent=" Analytics ">x</script>`},
		{"data-consent with reference", analytics, `<script data-consent="&#97;nalytics">x</script>`, ""},
		{"empty data-consent falls back to the table", none, `<script data-consent="" src="/a.js"></script>`, ""},
		{"custom category escaped", none, `<script data-consent='a"b'>x</script>`,
			`<script type="text/plain" data-ck-blocked="a&quot;b" data-consent='a"b'>x</script>`},
		{"original type kept", none, `<script type="module" data-consent="analytics" src="/a.js"></script>`,
			`<script type="text/plain" data-ck-blocked="analytics" data-ck-type="module" data-consent="analytics" data-ck-src="/a.js"></script>`},
		{"every duplicate renamed", none, `<script src=//doubleclick.net/a.js SRC=/b.js>`,
			`<script type="text/plain" data-ck-blocked="marketing" data-ck-src=//doubleclick.net/a.js data-ck-src=/b.js>`},
		{"inline script untouched", none, `<script>var a = 1 < 2;</script>`, ""},
		{"first-party script untouched", none, `<script src="/js/app.js" defer></script>`, ""},
		{"look-alike host untouched", none, `<script src="https://notgoogle-analytics.com/a.js"></script>`, ""},
		{"referenced slashes", none, `<script src="https:&#x2F;&sol;www.google-analytics.com/a.js"></script>`,
			`<script type="text/plain" data-ck-blocked="analytics" data-ck-src="https:&#x2F;&sol;www.google-analytics.com/a.js"></script>`},
		// The host is judged on the raw value without resolving its
		// references when the bytes read cannot hold one (rawURLCategory):
		// a reference in the first two bytes or in the authority must still
		// be resolved.
		{"referenced first slash", none, `<img src="&#x2F;/www.google-analytics.com/a.gif">`,
			`<img data-ck-blocked="analytics" data-ck-src="&#x2F;/www.google-analytics.com/a.gif">`},
		{"referenced second slash", none, `<img src="/&sol;www.google-analytics.com/a.gif">`,
			`<img data-ck-blocked="analytics" data-ck-src="/&sol;www.google-analytics.com/a.gif">`},
		{"referenced dot in the host", none, `<img src="https://www.google-analytics&period;com/a.gif">`,
			`<img data-ck-blocked="analytics" data-ck-src="https://www.google-analytics&period;com/a.gif">`},
		{"referenced host end", none, `<img src="https://doubleclick.net&#x2F;a.gif"><img src="//doubleclick.net&#63;a">`,
			`<img data-ck-blocked="marketing" data-ck-src="https://doubleclick.net&#x2F;a.gif"><img data-ck-blocked="marketing" data-ck-src="//doubleclick.net&#63;a">`},
		{"reference after the host", none, `<img src="https://cdn.example.com/a.gif?u=https:&#x2F;&#x2F;doubleclick.net&amp;x=1">`, ""},
		{"newline inside host", none, "<script src=\"https://www.google-ana\nlytics.com/a.js\"></script>",
			"<script type=\"text/plain\" data-ck-blocked=\"analytics\" data-ck-src=\"https://www.google-ana\nlytics.com/a.js\"></script>"},
		{"svg script href", none, `<svg><script href="https://www.google-analytics.com/a.js"/></svg>`,
			`<svg><script type="text/plain" data-ck-blocked="analytics" data-ck-href="https://www.google-analytics.com/a.js"/></svg>`},
		{"youtube iframe", none, `<iframe width="560" src="` + yt + `" allowfullscreen></iframe>`,
			`<iframe data-ck-blocked="marketing" width="560" data-ck-src="` + yt + `" allowfullscreen></iframe>`},
		{"iframe srcdoc with data-consent", none, `<iframe data-consent=marketing srcdoc="<p>x</p>"></iframe>`,
			`<iframe data-ck-blocked="marketing" data-consent=marketing data-ck-srcdoc="<p>x</p>"></iframe>`},
		{"first-party iframe", none, `<iframe src="/embed"></iframe>`, ""},
		{"pixel img", none, `<img height="1" width="1" src="` + fb + `"/>`,
			`<img data-ck-blocked="marketing" height="1" width="1" data-ck-src="` + fb + `"/>`},
		{"img srcset with a tracker", none, `<img src="/a.png" srcset="/a2.png 2x, https://px.ads.linkedin.com/x.gif 3x">`,
			`<img data-ck-blocked="marketing" data-ck-src="/a.png" data-ck-srcset="/a2.png 2x, https://px.ads.linkedin.com/x.gif 3x">`},
		{"img srcset url ending in comma", none, `<img srcset="/a.png, https://bat.bing.com/x.gif 2x">`,
			`<img data-ck-blocked="marketing" data-ck-srcset="/a.png, https://bat.bing.com/x.gif 2x">`},
		{"img srcset comma inside a url", none, `<img srcset="/a.png,https://bat.bing.com/x.gif">`, ""},
		{"first-party img", none, `<img src="/a.png" srcset="/a2.png 2x" alt="">`, ""},
		{"img with data-consent", none, `<img data-consent=preferences src=/map.png>`,
			`<img data-ck-blocked="preferences" data-consent=preferences data-ck-src=/map.png>`},
		{"preconnect link", none, `<link rel="preconnect" href="https://www.google-analytics.com">`,
			`<link data-ck-blocked="analytics" rel="preconnect" data-ck-href="https://www.google-analytics.com">`},
		{"dns-prefetch link among other rels", none, `<link rel="x dns-prefetch" href="//connect.facebook.net">`,
			`<link data-ck-blocked="marketing" rel="x dns-prefetch" data-ck-href="//connect.facebook.net">`},
		// rel read as it is when it fetches so, decoded only when it holds '&'.
		{"rel with a reference in its word", none, `<link rel="style&#115;heet" href="//connect.facebook.net/a.css">`,
			`<link data-ck-blocked="marketing" rel="style&#115;heet" data-ck-href="//connect.facebook.net/a.css">`},
		{"rel with a reference for a space", none, `<link rel="x&#32;icon" href="//connect.facebook.net/i.png">`,
			`<link data-ck-blocked="marketing" rel="x&#32;icon" data-ck-href="//connect.facebook.net/i.png">`},
		{"rel fetching word beside a reference", none, `<link rel="&amp;x icon" href="//connect.facebook.net/i.png">`,
			`<link data-ck-blocked="marketing" rel="&amp;x icon" data-ck-href="//connect.facebook.net/i.png">`},
		{"rel whose reference makes no fetching word", none, `<link rel="ic&#111;nx canonical" href="//connect.facebook.net/p">`, ""},
		{"rel with an unresolved ampersand", none, `<link rel="icon&" href="//connect.facebook.net/p">`, ""},
		{"canonical link to a tracker host is not a fetch", none, `<link rel="canonical" href="https://www.facebook.com/page">`, ""},
		{"first-party stylesheet", none, `<link rel=stylesheet href=/a.css>`, ""},
		{"preload imagesrcset", none, `<link rel=preload as=image imagesrcset="https://i.ytimg.com/a.jpg 1x, https://www.youtube.com/b.jpg 2x">`,
			`<link data-ck-blocked="marketing" rel=preload as=image data-ck-imagesrcset="https://i.ytimg.com/a.jpg 1x, https://www.youtube.com/b.jpg 2x">`},
		{"nil consent grants only necessary", none, `<script data-consent="preferences">x</script>`,
			`<script type="text/plain" data-ck-blocked="preferences" data-consent="preferences">x</script>`},
		{"links are not fetches", none, `<a href="https://www.facebook.com/page">f</a><form action="https://www.facebook.com/x"></form>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := tt.want
			if want == "" {
				want = tt.in
			}
			assert.Equal(t, want, rewriteAllSplits(t, tt.cfg, tt.in))
		})
	}
}

func TestNoscript(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  rewrite.Config
		in   string
		want string
	}{
		{"pixel inside noscript", rewrite.Config{},
			`<noscript><img height="1" src="` + fb + `"/></noscript><p>`,
			`<noscript><img data-ck-blocked="marketing" height="1" data-ck-src="` + fb + `"/></noscript><p>`},
		{"tag manager iframe inside noscript", rewrite.Config{},
			`<NOSCRIPT><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-X" height="0"></iframe></NOSCRIPT>`,
			`<NOSCRIPT><iframe data-ck-blocked="analytics" data-ck-src="https://www.googletagmanager.com/ns.html?id=GTM-X" height="0"></iframe></NOSCRIPT>`},
		{"granted", rewrite.Config{Consent: all{}},
			`<noscript><img src="` + fb + `"></noscript>`, `<noscript><img src="` + fb + `"></noscript>`},
		{"noscript ends at the first end tag even inside a value", rewrite.Config{},
			`<noscript><img alt="</noscript>" src="` + fb + `"></noscript>`,
			`<noscript><img alt="</noscript>" src="` + fb + `"></noscript>`},
		{"content ends at the first end tag", rewrite.Config{},
			`<noscript><noscript></noscript><img src="` + fb + `"></noscript>`,
			`<noscript><noscript></noscript><img data-ck-blocked="marketing" data-ck-src="` + fb + `"></noscript>`},
		{"unterminated noscript", rewrite.Config{},
			`<noscript><img src="` + fb + `">`,
			`<noscript><img data-ck-blocked="marketing" data-ck-src="` + fb + `">`},
		{"snippets outside noscript", rewrite.Config{Head: []byte("[H]"), BodyEnd: []byte("[B]")},
			`<noscript><head></body></noscript></body>`, `[H]<noscript><head></body></noscript>[B]</body>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, rewriteAllSplits(t, tt.cfg, tt.in))
		})
	}
}

func TestTrackerOverrides(t *testing.T) {
	t.Parallel()
	tab := trackers.Default().With(map[string]string{"cdn.example.net": "preferences", "youtube-nocookie.com": ""})
	cfg := rewrite.Config{Trackers: tab}
	in := `<script src="https://cdn.example.net/w.js"></script><iframe src="` + yt + `"></iframe>`
	want := `<script type="text/plain" data-ck-blocked="preferences" data-ck-src="https://cdn.example.net/w.js"></script><iframe src="` + yt + `"></iframe>`
	assert.Equal(t, want, rewriteAllSplits(t, cfg, in))
}

func TestLongTags(t *testing.T) {
	t.Parallel()
	pad := strings.Repeat("x", 200)
	long := `<script data-pad="` + pad + `" src="` + ga + `"></script>`
	short := `<script src="` + ga + `"></script>`
	blockedShort := `<script type="text/plain" data-ck-blocked="analytics" data-ck-src="` + ga + `"></script>`
	in := `<head>` + long + short + `<noscript>` + pad + `<img src="` + fb + `"></noscript>` + short
	want := `<head>[H]` + long + blockedShort + `<noscript>` + pad + `<img src="` + fb + `"></noscript>` + blockedShort

	rewriteWith := func(pieces ...[]byte) (string, [][]byte) {
		var out bytes.Buffer
		var seen [][]byte
		r := rewrite.Get(&out, rewrite.Config{Head: []byte("[H]")})
		defer r.Put()
		r.SetMaxTagLen(100)
		r.SetTagHook(func(name string, raw []byte) { seen = append(seen, bytes.Clone(raw)) })
		for _, p := range pieces {
			_, err := r.Write(p)
			require.NoError(t, err)
		}
		require.NoError(t, r.Close())
		return out.String(), seen
	}
	b := []byte(in)
	for k := 0; k <= len(b); k++ {
		got, seen := rewriteWith(b[:k], b[k:])
		require.Equal(t, want, got, "split at %d", k)
		require.Len(t, seen, 3, "split at %d", k)
		assert.Nil(t, seen[0], "an over-long tag is reported without bytes")
		assert.Equal(t, `<script src="`+ga+`">`, string(seen[1]))
	}
}

type failWriter struct{ after int }

var errSink = errors.New("sink broke")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errSink
	}
	w.after--
	return len(p), nil
}

func TestErrors(t *testing.T) {
	t.Parallel()
	t.Run("destination error sticks", func(t *testing.T) {
		t.Parallel()
		r := rewrite.Get(&failWriter{after: 1}, rewrite.Config{Head: []byte("[H]")})
		defer r.Put()
		_, err := r.Write([]byte(`<head><title>`))
		require.ErrorIs(t, err, errSink)
		_, err = r.Write([]byte(`x`))
		assert.ErrorIs(t, err, errSink)
		assert.ErrorIs(t, r.Flush(), errSink)
		assert.ErrorIs(t, r.Close(), errSink)
	})
	t.Run("error from noscript content", func(t *testing.T) {
		t.Parallel()
		r := rewrite.Get(&failWriter{after: 1}, rewrite.Config{})
		defer r.Put()
		_, err := r.Write([]byte(`<noscript><img src="` + fb + `"></noscript>`))
		assert.ErrorIs(t, err, errSink)
	})
	t.Run("write after close", func(t *testing.T) {
		t.Parallel()
		var out bytes.Buffer
		r := rewrite.Get(&out, rewrite.Config{})
		defer r.Put()
		require.NoError(t, r.Close())
		_, err := r.Write([]byte("x"))
		assert.ErrorIs(t, err, rewrite.ErrClosed)
		assert.ErrorIs(t, r.Flush(), rewrite.ErrClosed)
		assert.NoError(t, r.Close(), "a second Close is harmless")
	})
}

func TestFlushKeepsOnlyTheUndecidedTag(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := rewrite.Get(&out, rewrite.Config{Head: []byte("[H]")})
	defer r.Put()
	_, err := r.Write([]byte(`<head><title>t</title><p>text</p><script async src="https://www.google-ana`))
	require.NoError(t, err)
	require.NoError(t, r.Flush())
	assert.Equal(t, `<head>[H]<title>t</title><p>text</p>`, out.String())
	_, err = r.Write([]byte(`lytics.com/a.js"></script>more`))
	require.NoError(t, err)
	require.NoError(t, r.Flush())
	assert.Equal(t, `<head>[H]<title>t</title><p>text</p><script type="text/plain" data-ck-blocked="analytics" async data-ck-src="https://www.google-analytics.com/a.js"></script>more`, out.String())
}

func TestResetReuses(t *testing.T) {
	t.Parallel()
	var a, b bytes.Buffer
	r := rewrite.Get(&a, rewrite.Config{Head: []byte("[H]")})
	_, err := r.Write([]byte(`<script src="` + ga + ``))
	require.NoError(t, err)
	r.Reset(&b, rewrite.Config{Consent: all{}})
	_, err = r.Write([]byte(`<p>fresh</p>`))
	require.NoError(t, err)
	require.NoError(t, r.Close())
	r.Put()
	assert.Equal(t, `[H]`, a.String(), "the abandoned tag is not carried over")
	assert.Equal(t, `<p>fresh</p>`, b.String())
}

// TestBodyStart checks where the banner goes: right after the first <body>
// start tag, so that it is the first thing a keyboard user reaches, and
// before BodyEnd on a page without one.
func TestBodyStart(t *testing.T) {
	t.Parallel()
	cfg := rewrite.Config{Head: []byte("[H]"), BodyStart: []byte("[S]"), BodyEnd: []byte("[B]"), Consent: all{}}
	tests := []struct{ name, in, want string }{
		{"after the body start tag", `<!DOCTYPE html><html><head><title>t</title></head><body class="a>b"><p>x</p></body></html>`,
			`<!DOCTYPE html><html><head>[H]<title>t</title></head><body class="a>b">[S]<p>x</p>[B]</body></html>`},
		{"upper case, no head tag", `<title>t</title><BODY ><a href=/>x</a>`, `[H]<title>t</title><BODY >[S]<a href=/>x</a>[B]`},
		{"self-closing body", `<head></head><body/>x</body>`, `<head>[H]</head><body/>[S]x[B]</body>`},
		{"only the first body", `<body><div><body>x</body>`, `[H]<body>[S]<div><body>x[B]</body>`},
		{"a rewritten body", `<body background="` + fbPixel + `">x`, `[H]<body data-ck-blocked="marketing" data-ck-background="` + fbPixel + `">[S]x[B]`},
		{"no body tag: before BodyEnd", `<head><title>t</title></head><p>x</p></html>`, `<head>[H]<title>t</title></head><p>x</p></html>[S][B]`},
		{"no body start tag: before the end tag", `<p>x</p></body>`, `[H]<p>x</p>[S][B]</body>`},
		{"body in a script or comment is not the place", `<script>"<body>"</script><!--<body>--><body>`, `[H]<script>"<body>"</script><!--<body>--><body>[S][B]`},
		{"body breaks out of svg, as in a browser", `<svg><body></body></svg><body>`, `[H]<svg><body>[S][B]</body></svg><body>`},
		{"not inside an svg title either", `<svg><title><body></title></svg><body>`, `[H]<svg><title><body></title></svg><body>[S][B]`},
		{"unfinished body tag at the end", `<p>x<body class="`, `[H]<p>x[S][B]<body class="`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := cfg
			if strings.Contains(tt.in, fbPixel) {
				c.Consent = nil
			}
			assert.Equal(t, tt.want, rewriteAllSplits(t, c, tt.in))
		})
	}
}

// TestPlaceholder checks that a neutralised iframe gets the placeholder's
// src right after data-ck-blocked, its own src kept aside as data-ck-src,
// and that nothing else does.
func TestPlaceholder(t *testing.T) {
	t.Parallel()
	var seen []string
	cfg := rewrite.Config{Placeholder: func(dst []byte, cat string, src []byte) []byte {
		seen = append(seen, cat+" "+string(src))
		dst = append(dst, "/consent/embed?c="...)
		dst = append(dst, cat...)
		return append(dst, `&u="x"`...)
	}}
	tests := []struct{ name, in, want string }{
		{"a tracker's iframe", `<iframe src="` + yt + `?a=1&amp;b=2" width=560></iframe>`,
			`<iframe data-ck-blocked="marketing" src="/consent/embed?c=marketing&amp;u=&quot;x&quot;" data-ck-src="` + yt + `?a=1&amp;b=2" width=560></iframe>`},
		{"data-consent", `<iframe data-consent="analytics" src="/map"></iframe>`,
			`<iframe data-ck-blocked="analytics" src="/consent/embed?c=analytics&amp;u=&quot;x&quot;" data-consent="analytics" data-ck-src="/map"></iframe>`},
		{"no src", `<iframe data-consent="marketing" srcdoc="<p>x"></iframe>`,
			`<iframe data-ck-blocked="marketing" src="/consent/embed?c=marketing&amp;u=&quot;x&quot;" data-consent="marketing" data-ck-srcdoc="<p>x"></iframe>`},
		{"a script gets none", `<script src="` + ga + `"></script>`,
			`<script type="text/plain" data-ck-blocked="analytics" data-ck-src="` + ga + `"></script>`},
		{"a granted iframe is untouched", `<iframe src="/video"></iframe>`, `<iframe src="/video"></iframe>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rewriteAllSplits(t, cfg, tt.in))
		})
	}
	assert.Contains(t, seen, "marketing "+yt+"?a=1&b=2", "the callback gets the decoded src")
	assert.Contains(t, seen, "marketing ", "and an empty one when there is none")
}

// TestObjectPlaceholder checks that a neutralised embed gets
// ObjectPlaceholder's URL as its src and an object as its data, their type
// kept aside with their URL (else the browser would hand the placeholder
// page to a PDF viewer or a plugin), that an iframe still gets Placeholder's,
// and that each is left empty when only the other callback is set (a page
// whose CSP allows frames but not objects, or the reverse).
func TestObjectPlaceholder(t *testing.T) {
	t.Parallel()
	const dc = "https://ad.doubleclick.net/x"
	callback := func(p string) func(dst []byte, cat string, src []byte) []byte {
		return func(dst []byte, cat string, src []byte) []byte {
			dst = append(dst, p...)
			dst = append(dst, cat...)
			dst = append(dst, "&u="...)
			return append(dst, src...)
		}
	}
	both := rewrite.Config{Placeholder: callback("/f?c="), ObjectPlaceholder: callback("/o?c=")}
	frames := rewrite.Config{Placeholder: callback("/f?c=")}
	objects := rewrite.Config{ObjectPlaceholder: callback("/o?c=")}
	tests := []struct {
		name    string
		cfg     rewrite.Config
		in, out string
	}{
		{"embed", both, `<embed src="` + dc + `?a=1&amp;b=2" type="application/pdf" width=400 height=300>`,
			`<embed data-ck-blocked="marketing" src="/o?c=marketing&amp;u=` + dc + `?a=1&amp;b=2" data-ck-src="` + dc + `?a=1&amp;b=2" data-ck-type="application/pdf" width=400 height=300>`},
		{"object", both, `<object type="application/pdf" data="` + dc + `" style="width:50%"><p>PDF</p></object>`,
			`<object data-ck-blocked="marketing" data="/o?c=marketing&amp;u=` + dc + `" data-ck-type="application/pdf" data-ck-data="` + dc + `" style="width:50%"><p>PDF</p></object>`},
		{"object by data-consent, without data", both, `<object data-consent="analytics" type="video/mp4"></object>`,
			`<object data-ck-blocked="analytics" data="/o?c=analytics&amp;u=" data-consent="analytics" data-ck-type="video/mp4"></object>`},
		{"iframe", both, `<iframe src="` + dc + `"></iframe>`,
			`<iframe data-ck-blocked="marketing" src="/f?c=marketing&amp;u=` + dc + `" data-ck-src="` + dc + `"></iframe>`},
		{"embed, objects not placeheld", frames, `<embed src="` + dc + `">`,
			`<embed data-ck-blocked="marketing" data-ck-src="` + dc + `">`},
		{"iframe, frames not placeheld", objects, `<iframe src="` + dc + `"></iframe>`,
			`<iframe data-ck-blocked="marketing" data-ck-src="` + dc + `"></iframe>`},
		{"a granted object is untouched", both, `<object data="/doc.pdf" type="application/pdf"></object>`,
			`<object data="/doc.pdf" type="application/pdf"></object>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.out, rewriteAllSplits(t, tt.cfg, tt.in))
		})
	}
}

// TestTagsCloseTogether holds the text state's short cuts (a '<' right after
// the '>', or one byte after it; straight back to the text after a tag
// without the state dispatch) to the general search: a tracker tag at each of
// those distances, after start and plain end tags, is neutralised whatever
// the Writes are cut into.
func TestTagsCloseTogether(t *testing.T) {
	t.Parallel()
	tr := `<script async src="` + gtm + `"></script>`
	done := `<script type="text/plain" data-ck-blocked="analytics" async data-ck-src="` + gtm + `"></script>`
	for _, sep := range []string{"", " ", "\n", "x", "<", "\n\t", "ab", "\n  \n  ", "<<", "<!-- -->"} {
		for _, before := range []string{"<p>", "</p>", "<br/>", "</div>", "<a href=x>", "</body >", "<!doctype html>"} {
			in := before + sep + tr + sep + before + tr + sep
			// A '<' that starts no tag ("<<script") is text, and the
			// tracker right after it still starts one.
			want := before + sep + done + sep + before + done + sep
			assert.Equal(t, want, rewriteAllSplits(t, rewrite.Config{}, in), "%q", in)
			if strings.Contains(sep, "<") {
				continue
			}
			// Text that would be a tracker tag if any byte of it were
			// taken for a '<' stays text.
			text := before + sep + tr[1:] + sep + "a" + tr[1:]
			assert.Equal(t, text, rewriteAllSplits(t, rewrite.Config{}, text), "%q", text)
		}
	}
}
