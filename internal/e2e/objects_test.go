package e2e

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// objectsPage has an <embed> and two <object>s of the ad network, blocked
// until marketing is granted: sized by attributes, by CSS, and one whose
// type would hand its content to the PDF viewer.
const objectsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>A player, a map and a report</title></head>
<body><main><h1>A player, a map and a report</h1>
<embed id="e1" src="{A}/embed.html" type="text/html" title="Player" width="480" height="270">
<object id="o1" data="{A}/embed2.html" type="text/html" title="Map" style="width:400px;height:225px"><p>A map</p></object>
<object id="o2" data="{A}/doc.pdf" type="application/pdf" title="Report" width="320" height="200"><p>The report</p></object>
</main></body></html>
`

// frameOf returns the window an embed or object shows (an embed has no
// contentWindow; window.frames are in the order they were made).
const frameOf = `var frameOf = e => [...Array(frames.length).keys()].map(i => frames[i]).find(w => { try { return w.frameElement === e; } catch (_) { return false; } });`

// objectFrames reads, for each embed and object of the page in document
// order, the element's size and whether its frame shows the placeholder.
const objectFrames = `[...document.querySelectorAll('embed,object')].map(e => {
	let ph = null;
	const w = frameOf(e);
	try { ph = w.document.querySelector('#ck-ph'); } catch (_) {}
	const r = ph && ph.getBoundingClientRect();
	return {id: e.id, w: e.clientWidth, h: e.clientHeight, ph: !!ph, pw: r ? r.width : 0, phh: r ? r.height : 0,
		text: ph ? ph.innerText : '', complete: !!ph && w.document.readyState === 'complete'};
})`

// objectFrame is one entry of objectFrames.
type objectFrame struct {
	ID       string  `json:"id"`
	W        float64 `json:"w"`
	H        float64 `json:"h"`
	PH       bool    `json:"ph"`
	PW       float64 `json:"pw"`
	PHH      float64 `json:"phh"`
	Text     string  `json:"text"`
	Complete bool    `json:"complete"`
}

// The click-to-load placeholder of a blocked <embed> and <object>: in the
// element's place and size, naming the provider and the category; "Load
// this once" loads only that element and decides nothing; "Always allow"
// records a decision and loads every element of the category; with and
// without JavaScript.
func TestObjectPlaceholder(t *testing.T) {
	t.Parallel()
	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("javascript %t", js), func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			opts := []tabOption{withViewport(1280, 900, 1, false)}
			if !js {
				opts = append(opts, withoutJavaScript())
			}
			tb := newTab(t, opts...)
			tb.open(s.URL + "/objects")
			evalEventually(tb, frameOf+`(`+objectFrames+`).every(f => f.complete)`)
			got := eval[[]objectFrame](tb, frameOf+objectFrames)
			require.Len(t, got, 3)
			for i, want := range [][2]float64{{480, 270}, {400, 225}, {320, 200}} {
				f := got[i]
				assert.Equal(t, want, [2]float64{f.W, f.H}, "%s keeps its size", f.ID)
				assert.Equal(t, [2]float64{f.W, f.H}, [2]float64{f.PW, f.PHH}, "the placeholder fills %s", f.ID)
				assert.Contains(t, f.Text, "ads.test", "%s: the provider named", f.ID)
				assert.Contains(t, f.Text, "Always allow Marketing", "%s: the category named", f.ID)
			}
			s.assertNoAds(t, "nothing fetched from the ad network")
			if js {
				tb.screenshot("object-placeholder")
			}

			// Load this once: only the embed, and no decision.
			eval[bool](tb, frameOf+`frameOf(document.querySelector('#e1')).document.querySelector('.ck-once').click(); true`)
			assertEventually(t, func() bool { return s.third.get("ads.test/embed.html") == 1 }, "the embed loads")
			evalEventually(tb, frameOf+`(() => { try { return frameOf(document.querySelector('#e1')).document.querySelector('#video') !== null; } catch (_) { return true; } })()`)
			assert.Zero(t, s.third.get("ads.test/embed2.html"), "only that one")
			assert.Zero(t, s.third.get("ads.test/doc.pdf"), "only that one")
			assert.Empty(t, s.store.all(), "Load this once decides nothing")

			// Always allow, from the object: a decision, and every element of
			// the category, the embed and both objects.
			eval[bool](tb, frameOf+`frameOf(document.querySelector('#o1')).document.querySelector('.ck-always').click(); true`)
			assertEventually(t, func() bool { return s.third.get("ads.test/embed2.html") == 1 && len(s.store.all()) == 1 }, "the object loads after a decision")
			evalEventually(tb, `document.readyState === 'complete' && !!document.querySelector('#o1') && document.querySelector('#o1').getAttribute('data').includes('embed2')`)
			recs := s.store.all()
			assert.Equal(t, []string{"necessary", "marketing"}, recs[0].Granted(), "marketing granted, and nothing else")
			assertEventually(t, func() bool { return s.third.get("ads.test/embed.html") == 2 && s.third.get("ads.test/doc.pdf") == 1 },
				"the embed loads again with the page, now allowed, and the report too")
			assert.Equal(t, []string{"text/html", "text/html", "application/pdf"},
				eval[[]string](tb, `[...document.querySelectorAll('embed,object')].map(e => e.type)`), "their types as written")
		})
	}
}

// A decision made with JavaScript (Accept all in the banner) loads the
// blocked embed and objects in place, with their own type, without a
// reload.
func TestObjectRestoredInPlace(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t, withViewport(1280, 900, 1, false))
	tb.open(s.URL + "/objects")
	evalEventually(tb, frameOf+`(`+objectFrames+`).every(f => f.complete)`)
	eval[bool](tb, `window.stay = true`)
	tb.click("#ck-banner .ck-accept")
	assertEventually(t, func() bool {
		return s.third.get("ads.test/embed.html") == 1 && s.third.get("ads.test/embed2.html") == 1 && s.third.get("ads.test/doc.pdf") == 1
	}, "the embed and both objects load")
	assert.True(t, eval[bool](tb, `window.stay === true`), "no reload")
	// The ad network's pages are of another origin: a frame that can no
	// longer be read has left the placeholder.
	evalEventually(tb, frameOf+`['#e1', '#o1'].every(x => { try { return !frameOf(document.querySelector(x)).document; } catch (_) { return true; } })`)
	assert.Equal(t, []string{"text/html", "text/html", "application/pdf"},
		eval[[]string](tb, `[...document.querySelectorAll('embed,object')].map(e => e.type)`), "their types back")
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('[data-ck-blocked]').length`), "nothing left neutralised")
	// The report is a 404, so its object shows its fallback content instead.
	got := eval[[]objectFrame](tb, frameOf+objectFrames)
	assert.Equal(t, [][2]float64{{480, 270}, {400, 225}}, [][2]float64{{got[0].W, got[0].H}, {got[1].W, got[1].H}}, "in place, at their size")
}

// The page with the placeholders passes axe-core, frames included.
func TestObjectPlaceholderAccessibility(t *testing.T) {
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
				tb := newTab(t, withLanguage(lang), withScheme(scheme), withViewport(1280, 900, 1, false))
				tb.open(s.URL + "/objects")
				evalEventually(tb, frameOf+`(`+objectFrames+`).every(f => f.complete)`)
				tb.injectAxe()
				for _, v := range tb.axeSerious("main") {
					t.Errorf("page: %s", v)
				}
				src := eval[string](tb, `document.querySelector('#o1').data`)
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

// tabindexPage puts tabindex="1".."3" on controls of its own, which come
// before every element without one in sequential focus order.
const tabindexPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Search first</title></head>
<body><header><form role="search"><input id="q" name="q" tabindex="1" aria-label="Search">
<button id="go" tabindex="2">Search</button></form>
<a id="skip" href="#main" tabindex="3">Skip</a></header>
<main id="main"><h1>Search first</h1><p><a href="/article">An article</a></p></main></body></html>
`
