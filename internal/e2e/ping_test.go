package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/internal/corpustest"
)

// pingPage holds a link and an image map's area whose pings go to
// trackers (Google Analytics, DoubleClick; the link's list begins with a
// first-party URL, held with the rest), and three links a script of the
// page makes, which the runtime guard must hold: one whose ping property
// it sets, one through setAttribute (the tracker second in the list), one
// through insertAdjacentHTML. The script is marked necessary, so that the
// rewriter lets it run although its text names trackers. Each link leads
// to a fragment of the page itself, so that following it leaves the tab
// where it is.
const pingPage = `<!doctype html><html><head><title>pings</title></head><body>
<p><a id=story href="#story" ping="/ctl/own-ping https://www.google-analytics.com/collect?ping-test=a">a story</a></p>
<map name=m><area id=spot shape=rect coords="0,0,80,80" href="#spot" ping="https://ad.doubleclick.net/click?ping-test=area"></map>
<img usemap="#m" width=80 height=80 alt="" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p id=made></p>
<script data-consent="necessary">
const p = document.getElementById('made'), link = id => { const a = document.createElement('a'); a.id = id; a.href = '#' + id; a.textContent = id + ' '; return a; };
const a = link('prop'); a.ping = 'https://www.google-analytics.com/collect?ping-test=prop'; p.append(a);
const b = link('attr'); b.setAttribute('ping', '/ctl/own-ping https://ad.doubleclick.net/click?ping-test=attr'); p.append(b);
p.insertAdjacentHTML('beforeend', '<a id=html href="#html" ping="https://www.google-analytics.com/collect?ping-test=html">html</a>');
</script>
</body></html>`

// madeLinks are the links pingPage's script makes, by id.
var madeLinks = []string{"#prop", "#attr", "#html"}

// pingsSent returns which of the page's tracker pings (by their ping-test
// value) were asked for.
func pingsSent(rs []corpusRequest) map[string]bool {
	got := map[string]bool{}
	for _, r := range rs {
		if _, v, ok := strings.Cut(r.URL, "ping-test="); ok {
			got[v] = true
		}
	}
	return got
}

// follow clicks, with the mouse, the link and the image its map's area
// covers, and waits for what they send to settle. (The corpus tab turns
// the DOM domain off, which chromedp's node queries need: the points are
// read from the page instead.)
func (tb *corpusTab) follow(ctx context.Context, t *testing.T, made bool) {
	t.Helper()
	sels := []string{"#story", "img"}
	if made {
		sels = append(sels, madeLinks...)
	}
	for _, sel := range sels {
		pt, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('`+sel+`').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`))
		require.NoError(t, err, "find %s", sel)
		require.Len(t, pt, 2)
		require.NoError(t, chromedp.Do(ctx, chromedp.MouseClickXY(pt[0], pt[1])), "click %s", sel)
	}
	tb.settle(ctx)
}

// pingVisitor is who visits the ping page in TestPingsBlockedUntilConsent.
type pingVisitor int

const (
	pingRaw             pingVisitor = iota // the page without the middleware
	pingUndecided                          // through the middleware, no decision
	pingAcceptsInBanner                    // undecided, then Accept all in the banner
	pingAccepted                           // with the accept-all cookie set
)

// TestPingsBlockedUntilConsent follows links whose ping attribute names a
// tracker: Chromium sends the ping as it follows the link (hyperlink
// auditing, on by default), a request a click does not make consented. As
// written, the page pings both trackers; through the middleware, an
// undecided visitor's clicks ping neither, JavaScript on or off; after
// Accept all in the banner, the same links ping both, without a reload;
// and so does the next visit with the accept-all cookie.
func TestPingsBlockedUntilConsent(t *testing.T) {
	if !enabled() {
		t.Skip(skipMessage)
	}
	t.Parallel()
	bctx, err := corpusBrowser.start(corpusBrowserFlags...)
	require.NoError(t, err, "CONSENT_BROWSER=1 needs a working Chromium")
	base := corpusServer(t, []corpustest.Page{{Name: "pings", HTML: []byte(pingPage)}})
	cookie := corpusAcceptCookie(t, base)
	tb, err := newCorpusTab(bctx)
	require.NoError(t, err)
	defer tb.close()
	ctx, cancel := context.WithTimeout(tb.ctx, 4*corpusVisitTimeout)
	defer cancel()

	// visit opens target with JavaScript on or off as the visitor says,
	// follows the links and returns which pings were sent.
	visit := func(target string, js bool, v pingVisitor) map[string]bool {
		accept := v == pingAcceptsInBanner
		t.Helper()
		tb.rec.take()
		if accept {
			_, err := chromedp.Call(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: base, StorageTypes: "all"})
			require.NoError(t, err)
		}
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !js})
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(target)))
		tb.settle(ctx)
		if accept {
			tb.acceptInPlace(ctx, t)
			// The restore runs as the decision comes back.
			restored := false
			for deadline := time.Now().Add(10 * time.Second); !restored && time.Now().Before(deadline); {
				restored, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`['#story', '#spot', '`+strings.Join(madeLinks, "', '")+`'].every(s => document.querySelector(s)?.hasAttribute('ping'))`))
				require.NoError(t, err)
				if !restored {
					require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(50*time.Millisecond)))
				}
			}
			if !restored {
				html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.outerHTML`))
				t.Fatalf("the links did not get their pings back: %s", html)
			}
		}
		if js && v == pingUndecided {
			// The guard moved the pings of the script's links aside, as
			// the rewriter does (data-ck-ping).
			held, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`['`+strings.Join(madeLinks, "', '")+`'].every(s => document.querySelector(s).hasAttribute('data-ck-ping'))`))
			require.NoError(t, err)
			assert.True(t, held, "undecided: the guard holds the made links' pings as data-ck-ping")
		}
		tb.follow(ctx, t, js)
		if accept {
			tb.assertStayed(ctx, t)
		}
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")))
		reqs, _ := tb.rec.take()
		return pingsSent(reqs)
	}

	want := map[string]bool{"a": true, "area": true, "prop": true, "attr": true, "html": true}
	assert.Equal(t, want, visit(base+"/raw/pings", true, pingRaw), "as written, every ping is sent (has Chromium changed?)")
	assert.Empty(t, visit(base+"/page/pings", true, pingUndecided), "undecided, JavaScript on: no ping to a tracker, the script's links' included")
	assert.Empty(t, visit(base+"/page/pings", false, pingUndecided), "undecided, JavaScript off: no ping to a tracker")
	assert.Equal(t, want, visit(base+"/page/pings", true, pingAcceptsInBanner), "Accept all in the banner: every ping, in place")
	_, err = chromedp.Call(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: base, StorageTypes: "all"})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
		Name: cookie.Name, Value: cookie.Value, URL: base + "/", Path: "/", HTTPOnly: ptr(true)})
	require.NoError(t, err)
	assert.Equal(t, want, visit(base+"/page/pings", true, pingAccepted), "with the accept-all cookie: both pings")
}
