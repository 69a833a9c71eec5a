package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// The checks of issue #14 on the first layer, as figures a page yields.

// bannerFigures is what bannerProbe measures of the first layer.
type bannerFigures struct {
	Missing bool     `json:"missing"`
	Visible bool     `json:"visible"` // whole, inside the first viewport, and not hidden
	Top     float64  `json:"top"`
	Height  float64  `json:"height"`
	Diff    []string `json:"diff"`    // computed differences between Accept all and Reject all
	MinFont float64  `json:"minFont"` // the smallest computed font size of its text, px
	Covered []string `json:"covered"` // controls whose centre shows something else
	VW      float64  `json:"vw"`      // the viewport's width
	VH      float64  `json:"vh"`      // and height
}

// bannerProbe measures #ck-banner: whether it sits whole in the first
// viewport, how Accept all and Reject all differ in computed size, font and
// colours, the smallest font size of its text, and which controls are
// covered or clipped (elementFromPoint at the centre is not the control).
const bannerProbe = `(() => {
	const b = document.getElementById('ck-banner');
	if (!b) return {missing: true};
	const W = innerWidth, H = innerHeight, r = b.getBoundingClientRect(), cs = getComputedStyle(b);
	const visible = r.width > 0 && r.height > 0 && r.top >= -0.5 && r.left >= -0.5 && r.bottom <= H + 0.5 && r.right <= W + 0.5 &&
		cs.visibility === 'visible' && cs.display !== 'none' && +cs.opacity > 0.5;
	const a = b.querySelector('.ck-accept'), j = b.querySelector('.ck-reject'), diff = [];
	if (a && j) {
		const x = getComputedStyle(a), y = getComputedStyle(j);
		for (const p of ['width', 'height', 'fontFamily', 'fontSize', 'fontWeight', 'lineHeight', 'letterSpacing', 'textTransform',
			'color', 'backgroundColor', 'borderTopColor', 'borderTopWidth', 'borderTopLeftRadius', 'paddingTop', 'paddingLeft', 'opacity'])
			if (x[p] !== y[p]) diff.push(p + ': ' + x[p] + ' / ' + y[p]);
	} else diff.push('no Accept all or Reject all');
	let min = Infinity;
	const w = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
	for (let n; (n = w.nextNode());) {
		const e = n.parentElement;
		if (n.textContent.trim() && !e.closest('option,[hidden]')) min = Math.min(min, parseFloat(getComputedStyle(e).fontSize));
	}
	const covered = [];
	for (const c of b.querySelectorAll('button, a[href], select, input:not([type=hidden])')) {
		// The first box: a link that wraps has its centre between lines.
		const q = c.getClientRects()[0] || c.getBoundingClientRect(), x = q.left + q.width / 2, y = q.top + q.height / 2, e = document.elementFromPoint(x, y);
		if (!e || (e !== c && !c.contains(e)))
			covered.push((c.className || c.tagName) + ' at ' + Math.round(x) + ',' + Math.round(y) + ' shows ' +
				(e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') : 'nothing'));
	}
	return {visible, top: r.top, height: r.height, diff, minFont: min === Infinity ? 0 : min, covered, vw: W, vh: H};
})()`

// firstTabProbe names where focus is after the first Tab press, noting a
// page that puts controls of its own before everything with a positive
// tabindex: the loader then gives the banner's controls tabindex 1 (only
// then, as axe counts a positive tabindex as a serious violation).
const firstTabProbe = `(() => { const e = document.activeElement;
	const pos = [...document.querySelectorAll('[tabindex]')].some(x => x.tabIndex > 0 && !x.closest('#ck-banner')) ? '` + positiveTabindex + `' : '';
	if (!e || e === document.body) return 'body' + pos;
	return (e.closest('#ck-banner') ? 'banner ' : 'page ') + e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + pos; })()`

// positiveTabindex marks a page with tabindex > 0 in firstTabProbe's answer.
const positiveTabindex = "; the page uses tabindex > 0"

// problems lists what fails of the checks; firstTab is where the
// first Tab press landed ("" when not measured).
func (f bannerFigures) problems(firstTab string) []string {
	var out []string
	if f.Missing {
		return []string{"no banner"}
	}
	if !f.Visible {
		out = append(out, fmt.Sprintf("not whole in the first viewport (top %.0f, height %.0f)", f.Top, f.Height))
	}
	if len(f.Diff) > 0 {
		out = append(out, "Accept and Reject differ: "+strings.Join(f.Diff, "; "))
	}
	if f.MinFont < 14 {
		out = append(out, fmt.Sprintf("text at %.1f px", f.MinFont))
	}
	if len(f.Covered) > 0 {
		out = append(out, "covered: "+strings.Join(f.Covered, "; "))
	}
	if firstTab != "" && !strings.HasPrefix(firstTab, "banner ") {
		out = append(out, "first Tab lands on "+firstTab)
	}
	return out
}

func (f bannerFigures) String() string {
	return fmt.Sprintf("visible %t (top %.0f, height %.0f px), min font %.1f px, Accept/Reject differences %d, covered controls %d",
		f.Visible, f.Top, f.Height, f.MinFont, len(f.Diff), len(f.Covered))
}

// hostilePage is a page whose stylesheet tries every way the issue found
// to reach into the banner: a 62.5% root font size, inherited line height,
// letter spacing and text transform, button and link resets, hidden
// paragraphs, inline divs, hidden forms, and a fixed bar of its own at the
// bottom edge with a high z-index.
const hostilePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Hostile styles</title>
<style>
html { font-size: 62.5%; }
* { box-sizing: content-box; line-height: 1; letter-spacing: .3em; text-transform: uppercase; }
body { font: 1rem/1 serif; }
button, a { all: unset; font-size: 8px; }
button:hover, a:not(.x) { color: red; background: yellow; }
h2, p { font-size: 9px; margin: 40px; visibility: hidden; }
div { display: inline; width: 10px; padding: 0; }
form { display: none; }
dialog { max-height: 50px; }
.bar { position: fixed; inset: auto 0 0; height: 60px; z-index: 99999; background: #333; }
</style></head>
<body>
<main><h1>Hostile styles</h1><p>Text.</p><a href="/">Home</a></main>
<div class="bar">A sticky promotion bar of the page's own</div>
</body></html>
`

// embedsPage has two embeds of the ad network, blocked until marketing is
// granted.
const embedsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Two videos</title></head>
<body><main><h1>Two videos</h1>
<iframe id="v1" src="{A}/embed.html" title="First video" width="560" height="315"></iframe>
<iframe id="v2" src="{A}/embed2.html" title="Second video" width="400" height="225"></iframe>
</main></body></html>
`

// The first layer on the demo-like page and on the hostile one, in both
// layouts and directions: whole in the first viewport, Accept and Reject
// alike, text at least 14 px, no control covered, the first Tab in it.
func TestBannerHoldsItsOwn(t *testing.T) {
	t.Parallel()
	for _, layout := range []string{consent.LayoutBar, consent.LayoutBox} {
		for _, path := range []string{"/", "/hostile"} {
			for _, lang := range []string{"en", "ar"} {
				t.Run(layout+" "+path+" "+lang, func(t *testing.T) {
					t.Parallel()
					s := newSite(t, func(c *consent.Config) { c.BannerLayout = layout })
					tb := newTab(t, withFocus(), withLanguage(lang), withViewport(1280, 657, 1, false))
					tb.open(s.URL + path)
					f := eval[bannerFigures](tb, bannerProbe)
					tb.press(kb.Tab, false)
					tab := eval[string](tb, firstTabProbe)
					t.Logf("%s; first Tab: %s", f, tab)
					assert.Empty(t, f.problems(tab))
					assert.GreaterOrEqual(t, f.MinFont, 16.0, "the root is at least 16 px whatever the page's root font size")
					if path == "/hostile" {
						assert.Equal(t, "visible", eval[string](tb, `getComputedStyle(document.querySelector('#ck-banner p')).visibility`))
						assert.Equal(t, "none", eval[string](tb, `getComputedStyle(document.querySelector('#ck-banner .ck-accept')).textTransform`))
					}
					if layout == consent.LayoutBox {
						w := eval[float64](tb, `document.getElementById('ck-banner').getBoundingClientRect().width`)
						assert.InDelta(t, 400, w, 1, "the box is --ck-width wide")
					}
					// The reopen control waits for a decision.
					assert.False(t, tb.visible("#ck-open"), "no reopen control while the banner shows")
				})
			}
		}
	}
}

// The preferences dialog keeps its three buttons in view, without scrolling
// it, from a small phone to a zoomed laptop.
func TestDialogButtonsInView(t *testing.T) {
	t.Parallel()
	for _, vp := range []struct {
		name  string
		w, h  int64
		scale float64
	}{
		{"320x480", 320, 480, 1},
		{"390x664", 390, 664, 1},
		{"1280x657", 1280, 657, 1},
		{"1280x657 at 200% zoom", 640, 328, 2},
	} {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			tb := newTab(t, withViewport(vp.w, vp.h, vp.scale, vp.w < 400), withLanguage("de"))
			tb.open(s.URL + "/")
			tb.click("#ck-banner .ck-choose")
			tb.waitFor(prefsOpen)
			res := eval[[]string](tb, `(() => {
				const d = document.getElementById('ck-prefs'), out = [], r = d.getBoundingClientRect();
				if (d.scrollTop !== 0) out.push('the dialog opened scrolled');
				for (const sel of ['.ck-save', '.ck-accept', '.ck-reject']) {
					const b = d.querySelector(sel), q = b.getBoundingClientRect(), x = q.left + q.width / 2, y = q.top + q.height / 2;
					if (q.top < r.top - 0.5 || q.bottom > r.bottom + 0.5 || q.bottom > innerHeight + 0.5) out.push(sel + ' outside the dialog: ' + q.top + '..' + q.bottom + ' of ' + r.top + '..' + r.bottom);
					const e = document.elementFromPoint(x, y);
					if (!e || (e !== b && !b.contains(e))) out.push(sel + ' covered by ' + (e ? e.tagName + '.' + e.className : 'nothing'));
				}
				return out; })()`)
			assert.Empty(t, res, "all three buttons visible without scrolling the dialog")
			tb.screenshot("dialog-" + strings.ReplaceAll(strings.ReplaceAll(vp.name, " ", "-"), "%", ""))
		})
	}
}

// After a decision, the reopen control floats in the first viewport, is
// reached with one Shift+Tab (it is the page's last control), and opens
// the preferences, where one more activation withdraws: two in all.
func TestReopenControl(t *testing.T) {
	t.Parallel()
	for _, corner := range []string{consent.CornerStart, consent.CornerEnd} {
		for _, lang := range []string{"en", "ar"} {
			t.Run(corner+" "+lang, func(t *testing.T) {
				t.Parallel()
				s := newSite(t, func(c *consent.Config) { c.ReopenCorner = corner })
				tb := newTab(t, withFocus(), withLanguage(lang), withViewport(390, 664, 1, true))
				tb.open(s.URL + "/")
				tb.click("#ck-banner .ck-accept")
				tb.waitFor(`window.changes.length === 1`)
				tb.reload()
				require.False(t, tb.exists("#ck-banner"))
				tb.screenshot("reopen-" + corner + "-" + lang)
				checkReopen(t, tb)
				mid := eval[float64](tb, `(r => r.left + r.width / 2)(document.getElementById('ck-open').getBoundingClientRect())`)
				atStart := (mid < 195) == (lang == "en")
				assert.Equal(t, corner == consent.CornerStart, atStart, "the %s corner, mirrored in RTL (centre at %.0f of 390)", corner, mid)

				// Two activations: the control (Enter), then Reject all.
				tb.press(kb.Enter, false)
				tb.waitFor(prefsOpen)
				tb.click("#ck-prefs .ck-reject")
				assertEventually(t, func() bool { return len(s.store.all()) == 2 }, "a second decision")
				recs := s.store.all()
				require.Len(t, recs, 2)
				assert.Equal(t, "reject_all", string(recs[1].Outcome), "withdrawn in two activations")
			})
		}
	}
}

// checkReopen checks the reopen control of a decided page: whole in the
// first viewport, not covered, and the target of one Shift+Tab.
func checkReopen(t *testing.T, tb *tab) {
	t.Helper()
	problems := eval[[]string](tb, `(() => {
		const c = document.getElementById('ck-open'), out = [];
		if (!c) return ['no reopen control'];
		const q = c.getBoundingClientRect(), e = document.elementFromPoint(q.left + q.width / 2, q.top + q.height / 2);
		if (q.width === 0 || q.top < 0 || q.left < 0 || q.bottom > innerHeight || q.right > innerWidth) out.push('outside the first viewport: ' + JSON.stringify(q));
		if (e !== c) out.push('covered by ' + (e && e.tagName));
		if (q.height < 24 || q.width < 24) out.push('smaller than 24 px: ' + q.width + 'x' + q.height);
		if (q.height > 48) out.push('not small: ' + q.height + ' px high');
		return out; })()`)
	assert.Empty(t, problems)
	tb.press(kb.Tab, true)
	assert.Equal(t, "ck-open", eval[string](tb, `document.activeElement.id`), "one Shift+Tab reaches the reopen control")
}

// Without JavaScript the reopen control is a link to the preferences page,
// where Reject all withdraws: two activations too.
func TestReopenControlWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t, withoutJavaScript(), withViewport(390, 664, 1, true))
	tb.open(s.URL + "/")
	tb.clickAndLoad("#ck-banner .ck-accept")
	require.False(t, tb.exists("#ck-banner"))
	problems := eval[[]string](tb, `(() => { const c = document.getElementById('ck-open'), q = c.getBoundingClientRect();
		return q.top >= 0 && q.bottom <= innerHeight && document.elementFromPoint(q.left + q.width / 2, q.top + q.height / 2) === c ? [] : ['not in view: ' + JSON.stringify(q)]; })()`)
	assert.Empty(t, problems, "the floating control is in the first viewport without JavaScript")
	tb.clickAndLoad("#ck-open")
	tb.clickAndLoad("#ck-prefs .ck-reject")
	recs := s.store.all()
	require.Len(t, recs, 2)
	assert.Equal(t, "reject_all", string(recs[1].Outcome), "withdrawn in two activations")
	assert.Equal(t, s.URL+"/", tb.location(), "back on the page")
}

// The click-to-load placeholder: in the iframe's place and size, axe-clean,
// "Load this once" loads only that embed, "Always allow" records a decision
// and loads every embed of the category; with and without JavaScript.
func TestEmbedPlaceholder(t *testing.T) {
	t.Parallel()
	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("javascript %t", js), func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			opts := []tabOption{withViewport(1280, 800, 1, false)}
			if !js {
				opts = append(opts, withoutJavaScript())
			}
			tb := newTab(t, opts...)
			tb.open(s.URL + "/embeds")
			// Polled from Go: chromedp's Poll runs on the page's timers,
			// which do not run without JavaScript.
			evalEventually(tb, `[...document.querySelectorAll('iframe')].every(f => f.contentDocument && f.contentDocument.readyState === 'complete' && f.contentDocument.querySelector('#ck-ph'))`)
			sizes := eval[[]float64](tb, `[...document.querySelectorAll('iframe')].flatMap(f => { const r = f.contentDocument.querySelector('#ck-ph').getBoundingClientRect(); return [r.width, r.height, f.clientWidth, f.clientHeight]; })`)
			require.Len(t, sizes, 8)
			for i := 0; i < 8; i += 4 {
				assert.Equal(t, sizes[i+2:i+4], sizes[i:i+2], "the placeholder fills its iframe")
			}
			assert.Equal(t, []float64{560, 315, 400, 225}, []float64{sizes[2], sizes[3], sizes[6], sizes[7]})
			text := eval[string](tb, `document.querySelector('#v1').contentDocument.body.innerText`)
			assert.Contains(t, text, "ads.test", "the provider named")
			assert.Contains(t, text, "Always allow Marketing", "the category named")
			s.assertNoAds(t, "nothing fetched from the ad network")
			if js {
				tb.screenshot("embed-placeholder")
			}

			// Load this once: only the first embed, and no decision.
			eval[bool](tb, `(document.querySelector('#v1').contentDocument.querySelector('.ck-once').click(), true)`)
			assertEventually(t, func() bool { return s.third.get("ads.test/embed.html") == 1 }, "the first embed loads")
			assert.Zero(t, s.third.get("ads.test/embed2.html"), "only that one")
			assert.Empty(t, s.store.all(), "Load this once decides nothing")

			// Always allow: a decision, and every embed of the category.
			eval[bool](tb, `(document.querySelector('#v2').contentDocument.querySelector('.ck-always').click(), true)`)
			assertEventually(t, func() bool { return s.third.get("ads.test/embed2.html") == 1 && len(s.store.all()) == 1 }, "the second embed loads after a decision")
			evalEventually(tb, `document.readyState === 'complete' && !!document.querySelector('#v2') && document.querySelector('#v2').getAttribute('src').includes('embed2')`)
			recs := s.store.all()
			assert.Equal(t, []string{"necessary", "marketing"}, recs[0].Granted(), "marketing granted, and nothing else")
			assert.Equal(t, 2, s.third.get("ads.test/embed.html"), "the first embed loads again with the page, now allowed")
		})
	}
}

// The placeholder page itself passes axe-core, in light and dark, LTR and RTL.
func TestEmbedPlaceholderAccessibility(t *testing.T) {
	t.Parallel()
	if enabled() {
		_, err := axeSource()
		require.NoError(t, err, "CONSENT_BROWSER=1 needs axe-core")
	}
	for _, lang := range []string{"en", "ar"} {
		for _, scheme := range []string{"light", "dark"} {
			t.Run(lang+" "+scheme, func(t *testing.T) {
				t.Parallel()
				s := newSite(t)
				tb := newTab(t, withLanguage(lang), withScheme(scheme), withViewport(560, 315, 1, false))
				tb.open(s.URL + "/embeds")
				src := eval[string](tb, `document.querySelector('#v1').src`)
				require.Contains(t, src, "/consent/embed?")
				tb.open(src)
				tb.injectAxe()
				for _, v := range tb.axeSerious("html") {
					t.Errorf("placeholder: %s", v)
				}
			})
		}
	}
}

// evalEventually waits, bounded, for js to be true, polling from Go.
func evalEventually(tb *tab, js string) {
	tb.t.Helper()
	assert.Eventually(tb.t, func() bool {
		v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](js))
		return err == nil && v
	}, 15*time.Second, 50*time.Millisecond, "waiting for %s", js)
}

// The banner probe must see what it checks, or the tests above could pass
// on a broken banner: a smaller, different Reject all and a cover over
// Accept all.
func TestBannerProbeSeesProblems(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t)
	tb.open(s.URL + "/")
	require.Empty(t, eval[bannerFigures](tb, bannerProbe).problems(""))
	eval[bool](tb, `(() => { const st = document.createElement('style');
		st.textContent = '#ck-banner .ck-reject { font-size: 10px !important; background: gray !important }';
		document.head.append(st);
		const c = document.createElement('div'), a = document.querySelector('.ck-accept').getBoundingClientRect();
		c.style.cssText = 'position:fixed;z-index:2147483647;left:' + a.left + 'px;top:' + a.top + 'px;width:' + a.width + 'px;height:' + a.height + 'px';
		document.body.append(c); return true; })()`)
	p := strings.Join(eval[bannerFigures](tb, bannerProbe).problems("page a"), "\n")
	for _, want := range []string{"fontSize: 16px / 10px", "backgroundColor", "text at 10.0 px", "covered: ck-btn ck-accept", "first Tab lands on page a"} {
		assert.Contains(t, p, want)
	}
}

// demoPages are the demo site's pages. Its footer also links
// /es/privacidad, which the demo answers 404 (its "/es/" case comes first).
var demoPages = []string{"", "en/ferry-timetable", "en/market-square", "es/", "es/horario-ferry", "es/plaza-mercado", "privacy"}

// On every demo page: the first layer passes the checks for an
// undecided visitor; after a decision the reopen control is in the first
// viewport, one Shift+Tab away, and opens the preferences; withdrawing
// from there takes two activations, with and without JavaScript.
func TestDemoBannerAndReopen(t *testing.T) {
	t.Parallel()
	if !enabled() {
		t.Skip(skipMessage)
	}
	d := startDemo(t)
	tb := newTab(t, withFocus(), withViewport(390, 664, 1, true))
	for _, p := range demoPages {
		tb.open(d.url + p)
		f := eval[bannerFigures](tb, bannerProbe)
		tb.press(kb.Tab, false)
		tab := eval[string](tb, firstTabProbe)
		t.Logf("/%s undecided: %s; first Tab: %s", p, f, tab)
		assert.Empty(t, f.problems(tab), "/%s", p)
	}
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`!document.querySelector('#ck-banner') && !document.getElementById('ck-open').hidden`)
	for _, p := range demoPages {
		tb.open(d.url + p)
		checkReopen(t, tb)
		tb.press(kb.Enter, false)
		tb.waitFor(prefsOpen)
		tb.press(kb.Escape, false)
		tb.waitFor(`!document.querySelector('#ck-prefs')`)
	}
	tb.press(kb.Enter, false) // focus went back to the control
	tb.waitFor(prefsOpen)
	tb.click("#ck-prefs .ck-reject")
	// A withdrawal reloads the page, whose loader then knows only necessary.
	evalEventually(tb, `!!window.consentkit && window.consentkit.granted().join() === 'necessary' && !document.querySelector('#ck-banner')`)

	nojs := newTab(t, withoutJavaScript(), withViewport(390, 664, 1, true))
	nojs.open(d.url)
	nojs.clickAndLoad("#ck-banner .ck-accept")
	for _, p := range demoPages {
		nojs.open(d.url + p)
		assert.Empty(t, eval[[]string](nojs, `(() => { const c = document.getElementById('ck-open'), q = c.getBoundingClientRect();
			return q.top >= 0 && q.bottom <= innerHeight && document.elementFromPoint(q.left + q.width / 2, q.top + q.height / 2) === c ? [] : ['not in view']; })()`), "/%s", p)
	}
	nojs.clickAndLoad("#ck-open")
	nojs.clickAndLoad("#ck-prefs .ck-reject")
	assert.True(t, strings.HasPrefix(nojs.location(), d.url), "back on the site")
	assert.False(t, nojs.exists("#ck-banner"))
}

// corpusLook is the first layer's figures on one corpus page.
type corpusLook struct {
	page     string
	f        bannerFigures
	tab      string
	problems []string
}

// logLooks prints the first layer's figures over the corpus: how many
// pages pass each of the checks, the smallest font and the tallest
// banner, and the worst page (most failed checks, then smallest font).
func logLooks(t *testing.T, looks []corpusLook) {
	t.Helper()
	if len(looks) == 0 {
		return
	}
	var visible, alike, font, uncovered, tab, positive int
	worst, minFont, maxHeight := looks[0], looks[0].f.MinFont, 0.0
	for _, l := range looks {
		if l.f.Visible {
			visible++
		}
		if len(l.f.Diff) == 0 {
			alike++
		}
		if l.f.MinFont >= 14 {
			font++
		}
		if len(l.f.Covered) == 0 {
			uncovered++
		}
		if strings.HasSuffix(l.tab, positiveTabindex) {
			positive++
		}
		if strings.HasPrefix(l.tab, "banner ") {
			tab++
		}
		minFont = min(minFont, l.f.MinFont)
		maxHeight = max(maxHeight, l.f.Height)
		if len(l.problems) > len(worst.problems) || len(l.problems) == len(worst.problems) && l.f.MinFont < worst.f.MinFont {
			worst = l
		}
	}
	n := len(looks)
	t.Logf("banner on %d pages (undecided, JavaScript on, %s viewport): visible in the first viewport %d/%d; Accept and Reject alike %d/%d; text >= 14 px %d/%d (smallest %.1f px); no control covered %d/%d; first Tab in the banner %d/%d (%d pages use tabindex > 0); tallest banner %.0f px",
		n, fmt.Sprintf("%.0fx%.0f", looks[0].f.VW, looks[0].f.VH), visible, n, alike, n, font, n, minFont, uncovered, n, tab, n, positive, maxHeight)
	t.Logf("worst page: %s.html.gz: %s; first Tab: %s; problems: %q", worst.page, worst.f, worst.tab, worst.problems)
}
