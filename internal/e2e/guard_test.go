package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/internal/trackers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The runtime guard's tests: what a page's scripts create at run time (no
// rewriter can see it) must not reach a tracker of a refused category, and
// must come back, working, when the visitor grants it.

// guardSite is a site for the guard's tests: the middleware around the
// pages a test gives, and the two fake third parties of newSite
// (tracker.test for analytics, ads.test for marketing), which count every
// request by host and path.
type guardSite struct {
	URL, tracker, ads string
	third             hits
}

// guardPage is one page of a guardSite. In body, {N} becomes the nonce
// attribute (or nothing), {T} the analytics origin and {A} the marketing one.
type guardPage struct {
	body string
	csp  bool // serve under a strict nonce-only Content-Security-Policy
}

func guardStartSite(t *testing.T, pages map[string]guardPage) *guardSite {
	t.Helper()
	s := &guardSite{}
	third := newLoopbackServer(t, http.HandlerFunc(s.serveThird))
	_, port, err := net.SplitHostPort(third.Listener.Addr().String())
	require.NoError(t, err)
	s.tracker, s.ads = "http://tracker.test:"+port, "http://ads.test:"+port
	m, err := consent.New(consent.Config{
		Keys:     []consent.KeyPair{{HashKey: testKey}},
		Store:    &memStore{},
		Cookie:   consent.Cookie{Insecure: true},
		Trackers: map[string]string{"tracker.test": "analytics", "ads.test": "marketing"},
	})
	require.NoError(t, err)
	srv := newLoopbackServer(t, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/own.js": // a first-party script, never held
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, `(window.ran = window.ran || []).push('own');`)
			return
		case "/own.gif":
			w.Header().Set("Content-Type", "image/gif")
			w.Write(gif1x1)
			return
		}
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		n := ""
		if p.csp {
			nonce := newNonce()
			n = ` nonce="` + nonce + `"`
			w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+
				"'; img-src 'self' "+s.tracker+" "+s.ads+"; connect-src 'self' "+s.tracker+" "+s.ads+"; frame-src "+s.ads+"; object-src 'none'; base-uri 'none'")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, strings.NewReplacer("{N}", n, "{T}", s.tracker, "{A}", s.ads).Replace(p.body))
	})))
	s.URL = srv.URL
	return s
}

// serveThird plays both third parties, by the extension of the path: a
// script records its host and path in window.ran when it runs; images,
// frames, stylesheets and captions are what they say; anything else (the
// beacons) is an empty answer. A path with "slow" in it answers late, so
// that scripts run in order only if something orders them.
func (s *guardSite) serveThird(w http.ResponseWriter, r *http.Request) {
	host, _, _ := strings.Cut(r.Host, ":")
	key := host + r.URL.Path
	s.third.add(key)
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Access-Control-Allow-Origin", "*")
	if strings.Contains(r.URL.Path, "slow") {
		time.Sleep(300 * time.Millisecond)
	}
	switch path.Ext(r.URL.Path) {
	case ".js":
		h.Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, "(window.ran = window.ran || []).push(%q);\n", key)
	case ".gif":
		h.Set("Content-Type", "image/gif")
		w.Write(gif1x1)
	case ".html":
		h.Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>Third</title><p>third party</p>`)
	case ".css":
		h.Set("Content-Type", "text/css")
		io.WriteString(w, `.k-css{outline:3px solid rgb(1, 2, 3)}`)
	case ".vtt":
		h.Set("Content-Type", "text/vtt")
		io.WriteString(w, "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// guardHits returns the requests that reached a host ("ads.test"), for
// failure messages and emptiness checks.
func (s *guardSite) guardHits(host string) []string {
	var out []string
	for k := range s.third.snapshot() {
		if strings.HasPrefix(k, host+"/") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// guardPatchFirst installs, before any script of the page (and so before the
// guard), a wrapper around document.createElement of the kind tag managers
// and polyfills install, counting the scripts it makes.
func guardPatchFirst() tabOption {
	return func(t *testing.T, ctx context.Context) {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `(() => {
			const ce = document.createElement;
			document.createElement = function (name, opts) {
				const e = ce.call(this, name, opts);
				if (String(name).toLowerCase() === 'script') window.patchedFirst = (window.patchedFirst || 0) + 1;
				return e;
			};
		})();`})
		require.NoError(t, err)
	}
}

// guardRuntimePage inserts trackers at run time in every way the guard must
// catch. window.log records what the page's own code saw. Its scripts are
// marked necessary: the rewriter reads an inline script's text and would
// neutralise these, which name tracker hosts, on its own; marked, they stand
// for what it cannot see (hosts put together at run time, first-party
// bundles).
const guardRuntimePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Runtime insertions</title>
<script{N} data-consent="necessary">
window.log = []; window.ran = window.ran || [];
var nonce = document.currentScript.nonce;
// A dynamic script whose onload the page relies on.
var dyn = document.createElement('script');
dyn.nonce = nonce;
dyn.onload = function () { log.push('dyn-onload'); };
dyn.src = '{T}/dyn.js';
document.head.appendChild(dyn);
// Two dynamic scripts that must run in order (async = false), the first slow.
['{T}/slow-order-1.js', '{T}/order-2.js'].forEach(function (u) {
	var s = document.createElement('script');
	s.nonce = nonce; s.async = false; s.src = u;
	document.head.appendChild(s);
});
// setAttribute instead of the property.
var attr = document.createElement('script');
attr.nonce = nonce;
attr.setAttribute('src', '{A}/attr.js');
document.head.appendChild(attr);
// A tracking pixel that is never inserted.
var px = new Image();
px.onload = function () { log.push('px-onload'); };
px.src = '{A}/px.gif';
// A first-party script goes through.
var own = document.createElement('script');
own.nonce = nonce; own.src = '/own.js';
document.head.appendChild(own);
// Beacons: refused, and never replayed.
fetch('{T}/beacon?via=fetch').then(function () { log.push('fetch-sent'); }, function () { log.push('fetch-refused'); });
log.push('sendBeacon-' + navigator.sendBeacon('{T}/beacon?via=sendBeacon', 'x'));
var xhr = new XMLHttpRequest();
xhr.open('POST', '{T}/beacon?via=xhr');
xhr.send('x');
// The script the guard runs before and the page's wrapper around
// createElement, installed before it, both see the same element.
var first = document.createElement('script');
first.nonce = nonce;
first.onload = function () { log.push('patched-first-onload'); };
first.src = '{T}/patched-first.js';
document.head.appendChild(first);
</script>
<script{N} data-consent="necessary">
// A snippet that removes itself once it has inserted its tag.
(function () {
	var me = document.currentScript, t = document.createElement('script');
	t.nonce = me.nonce; t.src = '{T}/self-removing.js';
	me.parentNode.insertBefore(t, me);
	me.remove();
})();
</script>
<script{N} data-consent="necessary">
// A wrapper around createElement installed after the guard, and a script
// that goes around every wrapper to the prototype's own.
var ce = document.createElement;
document.createElement = function (n) { var e = ce.apply(document, arguments); e.setAttribute('data-wrapped', ''); return e; };
var after = document.createElement('script');
after.nonce = document.currentScript.nonce;
after.onload = function () { log.push('patched-after-onload'); };
after.src = '{A}/patched-after.js';
document.head.appendChild(after);
var raw = Document.prototype.createElement.call(document, 'script');
raw.nonce = document.currentScript.nonce;
raw.src = '{A}/raw.js';
document.head.appendChild(raw);
</script>
<script{N} data-consent="necessary">
// An ad tag written while the page is parsed.
document.write('<script src="{A}/written.js"><\/script><img src="{A}/written.gif" alt="">');
</script>
</head>
<body>
<h1>Runtime insertions</h1>
<div id="inner"></div>
<script{N} data-consent="necessary">
document.getElementById('inner').innerHTML = '<img src="{A}/inner.gif" alt=""><iframe src="{A}/inner.html" title="ad"></iframe>';
document.getElementById('inner').insertAdjacentHTML('beforeend', '<img srcset="{A}/adjacent.gif 1x" alt="">');
// A fragment (whose scripts run, unlike innerHTML's) and a shadow root.
document.getElementById('inner').append(document.createRange().createContextualFragment('<img src="{A}/fragment.gif" alt=""><script src="{A}/fragment.js"><\/script>'));
var shadow = document.createElement('div');
shadow.id = 'shadow';
document.body.append(shadow);
shadow.attachShadow({mode: 'open'}).innerHTML = '<iframe src="{A}/shadow.html" title="ad"></iframe>';
</script>
</body></html>
`

// guardAnalytics and guardMarketing are what guardRuntimePage loads from
// each third party once it may.
var (
	guardAnalytics = []string{"tracker.test/dyn.js", "tracker.test/slow-order-1.js", "tracker.test/order-2.js",
		"tracker.test/patched-first.js", "tracker.test/self-removing.js"}
	guardMarketing = []string{"ads.test/attr.js", "ads.test/px.gif", "ads.test/patched-after.js", "ads.test/raw.js",
		"ads.test/written.js", "ads.test/written.gif", "ads.test/inner.gif", "ads.test/inner.html", "ads.test/adjacent.gif",
		"ads.test/fragment.gif", "ads.test/fragment.js", "ads.test/shadow.html"}
)

// guardScripts lists the scripts among keys.
func guardScripts(keys []string) []string {
	var out []string
	for _, k := range keys {
		if strings.HasSuffix(k, ".js") {
			out = append(out, k)
		}
	}
	return out
}

// Before any choice nothing reaches a third party, however the page's
// scripts insert it; Accept all releases everything, in place and in order,
// onload handlers included, without a reload; the refused beacons stay
// refused.
func TestGuardHoldsRuntimeInsertions(t *testing.T) {
	t.Parallel()
	s := guardStartSite(t, map[string]guardPage{"/": {body: guardRuntimePage}})
	tb := newTab(t, guardPatchFirst())
	tb.open(s.URL + "/")
	tb.waitFor(`window.ran.includes('own') && window.log.includes('fetch-refused')`)
	time.Sleep(300 * time.Millisecond) // room for a request that got through to arrive

	assert.Empty(t, s.third.snapshot(), "no request reaches a third party before consent")
	assert.Equal(t, []string{"own"}, eval[[]string](tb, `window.ran`), "only the first-party script ran")
	assert.Equal(t, []string{"sendBeacon-false", "fetch-refused"}, eval[[]string](tb, `window.log`),
		"sendBeacon reports false and fetch rejects; no onload fired")
	assert.Equal(t, 8, eval[int](tb, `window.patchedFirst`), "the wrapper installed before the guard made the page's scripts (all but the one made with the prototype's own createElement)")
	assert.Equal(t, "marketing", eval[string](tb, `document.querySelector('script[data-wrapped]').dataset.ckBlocked`),
		"a script from a wrapper installed after the guard is held too")
	assert.Equal(t, s.ads+"/written.js", eval[string](tb, `document.querySelector('script[data-ck-src$="written.js"]').getAttribute('data-ck-src')`),
		"the written ad tag is in the page, neutralised")
	assert.Equal(t, s.ads+"/inner.html", eval[string](tb, `document.querySelector('#inner iframe').getAttribute('data-ck-src')`),
		"the iframe inserted through innerHTML is neutralised")
	for _, l := range tb.consoleLines() {
		assert.NotContains(t, l, "parser-blocking, cross site", "Chrome saw no cross-site script written with document.write")
	}

	eval[bool](tb, `window.stay = true`)
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.ran.length === 1 + 10 && window.log.includes('dyn-onload') && window.log.includes('px-onload')`)
	tb.waitFor(`window.log.includes('patched-first-onload') && window.log.includes('patched-after-onload')`)

	assert.True(t, eval[bool](tb, `window.stay === true`), "no reload")
	ran := eval[[]string](tb, `window.ran`)
	assert.ElementsMatch(t, append([]string{"own"}, append(guardScripts(guardAnalytics), guardScripts(guardMarketing)...)...), ran,
		"every held script ran once")
	assert.Less(t, slices.Index(ran, "tracker.test/slow-order-1.js"), slices.Index(ran, "tracker.test/order-2.js"),
		"scripts created with async = false run in the order they were created, the slow one first")
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('[data-ck-blocked]').length`), "nothing left held")
	tb.waitFor(`[...document.querySelectorAll('#inner img')].every(i => i.complete && i.naturalWidth === 1)`)
	for _, k := range append(append([]string(nil), guardAnalytics...), guardMarketing...) {
		assertEventually(t, func() bool { return s.third.get(k) == 1 }, k+" fetched once after consent")
	}
	assert.Zero(t, s.third.get("tracker.test/beacon"), "refused beacons are not replayed")

	// Granted now: what the page inserts next goes straight through.
	eval[bool](tb, `(() => { new Image().src = '`+s.ads+`/after.gif'; return true; })()`)
	assertEventually(t, func() bool { return s.third.get("ads.test/after.gif") == 1 }, "a pixel after consent loads at once")
	assert.True(t, eval[bool](tb, `navigator.sendBeacon('`+s.tracker+`/beacon', 'x')`), "a beacon after consent is sent")
}

// A category still refused stays held, after the choice and on the next
// pages, while the granted one is released and then runs from the first
// byte.
func TestGuardKeepsRefusedCategory(t *testing.T) {
	t.Parallel()
	s := guardStartSite(t, map[string]guardPage{"/": {body: guardRuntimePage}})
	tb := newTab(t)
	tb.open(s.URL + "/")
	tb.waitFor(`window.log.includes('fetch-refused')`)
	tb.click("#ck-banner .ck-choose")
	tb.waitFor(prefsOpen)
	tb.click(`#ck-prefs input[name=category][value=analytics]`)
	tb.click(`#ck-prefs .ck-save`)
	tb.waitFor(`window.ran.length === 1 + 5 && window.log.includes('dyn-onload')`)
	time.Sleep(300 * time.Millisecond)

	assert.ElementsMatch(t, append([]string{"own"}, guardScripts(guardAnalytics)...), eval[[]string](tb, `window.ran`), "analytics ran")
	assert.Empty(t, s.guardHits("ads.test"), "nothing reached the ad network")
	assert.NotContains(t, eval[[]string](tb, `window.log`), "px-onload", "the marketing pixel is still held")
	assert.Equal(t, 10, eval[int](tb, `document.querySelectorAll('[data-ck-blocked=marketing]').length`),
		"the marketing elements in the page stay held: 5 scripts, the written image, 4 inserted through markup; the pixel and the shadow root's frame are held outside it")
	assert.True(t, eval[bool](tb, `document.querySelector('#shadow').shadowRoot.querySelector('iframe').dataset.ckBlocked === 'marketing'`))

	tb.reload()
	tb.waitFor(`window.ran.length === 1 + 5`)
	time.Sleep(300 * time.Millisecond)
	assert.True(t, tb.exists(`script[src*="/assets/ck-hosts."]`), "a refused category keeps the guard on the next page")
	assert.Empty(t, s.guardHits("ads.test"), "nothing reached the ad network on the next page either")
	assert.Equal(t, 2, s.third.get("tracker.test/dyn.js"), "analytics loads from the first byte")
	assert.True(t, eval[bool](tb, `window.log.includes('dyn-onload')`))
}

// Once everything is granted, the page gets no host set and no guard: the
// loader is deferred as before, and nothing is held.
func TestGuardAbsentWhenAllGranted(t *testing.T) {
	t.Parallel()
	s := guardStartSite(t, map[string]guardPage{"/": {body: guardRuntimePage}})
	tb := newTab(t)
	tb.open(s.URL + "/")
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.ran.length === 1 + 10`)
	tb.reload()
	tb.waitFor(`window.ran.length === 1 + 10 && window.log.includes('px-onload')`)
	assert.False(t, tb.exists(`script[src*="/assets/ck-hosts."]`), "no host set")
	assert.True(t, eval[bool](tb, `typeof window.ckH === 'undefined' && document.querySelector('script[data-g]').defer`),
		"no guard, and a deferred loader")
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('[data-ck-blocked]').length`))
	assertEventually(t, func() bool { return s.third.get("tracker.test/beacon") == 3 }, "fetch, sendBeacon and XHR beacons went out")
}

// guardKindsPage holds every kind of element the rewriter neutralises, in
// the data-ck form it writes (hand-written here), each loading its own path
// from the ad network once re-activated.
const guardKindsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Every kind</title>
<script{N}>window.ran = [];</script>
<link rel="stylesheet" data-ck-blocked="marketing" data-ck-href="{A}/k-link.css"{N}>
<link rel="preload" as="image" data-ck-blocked="marketing" data-ck-href="{A}/k-preload.gif" data-ck-imagesrcset="{A}/k-preload-set.gif 1x">
<style{N}>.k-bg{background-image:url(//[ck=marketing]{A}/k-style-element.gif);inline-size:10px;block-size:10px}</style>
<script type="text/plain" data-ck-blocked="marketing" data-ck-src="{A}/k-script.js"{N}></script>
<script type="text/plain" data-ck-blocked="marketing"{N}>window.ran.push('k-inline'); new Image().src = '{A}/k-inline.gif';</script>
<meta data-ck-blocked="marketing" data-ck-http-equiv="refresh" content="0;url={A}/k-refresh.html">
</head>
<body>
<h1>Every kind</h1>
<img data-ck-blocked="marketing" data-ck-src="{A}/k-img.gif" data-ck-srcset="{A}/k-img-set.gif 1x" alt="" width="10" height="10">
<picture><source data-ck-blocked="marketing" data-ck-srcset="{A}/k-picture.gif"><img src="/own.gif" alt="" width="10" height="10"></picture>
<iframe data-ck-blocked="marketing" data-ck-src="{A}/k-iframe.html" title="embed" width="50" height="20"></iframe>
<iframe id="k-srcdoc" data-ck-blocked="marketing" data-ck-srcdoc="&lt;img src=&quot;{A}/k-srcdoc.gif&quot;&gt;" title="srcdoc" width="50" height="20"></iframe>
<video data-ck-blocked="marketing" data-ck-poster="{A}/k-poster.gif" width="20" height="20" preload="auto" crossorigin="anonymous"><source data-ck-blocked="marketing" data-ck-src="{A}/k-source.webm" type="video/webm"><track default kind="captions" srclang="en" data-ck-blocked="marketing" data-ck-src="{A}/k-track.vtt"></video>
<audio data-ck-blocked="marketing" data-ck-src="{A}/k-audio.mp3" preload="auto"></audio>
<object data-ck-blocked="marketing" data-ck-data="{A}/k-object.html" type="text/html" width="20" height="20"></object>
<embed data-ck-blocked="marketing" data-ck-src="{A}/k-embed.html" type="text/html" width="20" height="20">
<input type="image" alt="go" data-ck-blocked="marketing" data-ck-src="{A}/k-input.gif" width="10" height="10">
<div id="k-style" data-ck-blocked="marketing" data-ck-style="background-image:url({A}/k-style-attr.gif);width:10px;height:10px" style="background-image:url(//[ck=marketing]{A}/k-style-attr.gif);width:10px;height:10px"></div>
<table data-ck-blocked="marketing" data-ck-background="{A}/k-table.gif"><tr><td data-ck-blocked="marketing" data-ck-background="{A}/k-td.gif">cell</td></tr></table>
<div class="k-bg k-css">styled</div>
<svg width="20" height="10"><image data-ck-blocked="marketing" data-ck-href="{A}/k-svg-href.gif" width="10" height="10"/><image data-ck-blocked="marketing" data-ck-xlink:href="{A}/k-svg-xlink.gif" x="10" width="10" height="10"/></svg>
</body></html>
`

// guardKinds are the paths guardKindsPage loads once re-activated ("a|b":
// either). An img fetches its srcset's candidate rather than its src; a
// preload link, given its href back before its imagesrcset, may fetch either.
var guardKinds = []string{"k-link.css", "k-preload.gif|k-preload-set.gif", "k-style-element.gif", "k-script.js", "k-inline.gif", "k-img-set.gif",
	"k-picture.gif", "k-iframe.html", "k-srcdoc.gif", "k-poster.gif", "k-source.webm", "k-track.vtt", "k-audio.mp3",
	"k-object.html", "k-embed.html", "k-input.gif", "k-style-attr.gif", "k-table.gif", "k-td.gif", "k-svg-href.gif", "k-svg-xlink.gif"}

// Every kind of element of the rewriter's contract comes back after Accept
// all, in place, without a reload; a meta refresh never does.
func TestGuardReleasesEveryKind(t *testing.T) {
	t.Parallel()
	s := guardStartSite(t, map[string]guardPage{"/": {body: guardKindsPage}})
	tb := newTab(t)
	tb.open(s.URL + "/")
	time.Sleep(300 * time.Millisecond)
	assert.Empty(t, s.third.snapshot(), "nothing neutralised is fetched before consent")

	eval[bool](tb, `window.stay = true`)
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.ran.includes('ads.test/k-script.js') && window.ran.includes('k-inline')`)
	for _, k := range guardKinds {
		assertEventually(t, func() bool {
			for _, p := range strings.Split(k, "|") {
				if s.third.get("ads.test/"+p) >= 1 {
					return true
				}
			}
			return false
		}, k+" fetched after consent")
	}
	assert.True(t, eval[bool](tb, `window.stay === true`), "no reload")
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('[data-ck-blocked]').length`), "nothing left neutralised")
	assert.True(t, eval[bool](tb, `(m => !m.hasAttribute('http-equiv') && m.hasAttribute('data-ck-http-equiv'))(document.querySelector('meta[content*="k-refresh"]'))`),
		"a meta refresh is never re-activated")
	assert.Zero(t, s.third.get("ads.test/k-refresh.html"))
	tb.waitFor(`getComputedStyle(document.querySelector('.k-css')).outlineWidth === '3px'`) // the stylesheet applies
	assert.Contains(t, eval[string](tb, `getComputedStyle(document.querySelector('#k-style')).backgroundImage`), "k-style-attr.gif",
		"the style attribute is the original again")
	assert.NotContains(t, eval[string](tb, `document.querySelector('style').textContent`), "[ck=", "the marker is gone from the style element")
	assert.Equal(t, 1, s.third.get("ads.test/k-script.js"), "the script ran once")
}

// Under a strict nonce-only CSP the guard holds and releases alike: the host
// set and the loader carry the nonce, released scripts keep theirs, the
// <style> element's text is restored, and the browser reports no violation.
func TestGuardUnderStrictCSP(t *testing.T) {
	t.Parallel()
	const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CSP</title>
<script{N} data-consent="necessary">
window.log = []; window.ran = []; window.violations = [];
document.addEventListener('securitypolicyviolation', function (e) { violations.push(e.violatedDirective + ' ' + e.blockedURI); });
var s = document.createElement('script');
s.nonce = document.currentScript.nonce;
s.onload = function () { log.push('dyn-onload'); };
s.src = '{A}/csp.js';
document.head.appendChild(s);
var i = new Image(); i.onload = function () { log.push('px-onload'); }; i.src = '{T}/csp.gif';
</script>
<style{N}>.k-bg{background-image:url({A}/csp-style.gif);inline-size:10px;block-size:10px}</style>
</head><body><h1>CSP</h1><div class="k-bg"></div></body></html>
`
	s := guardStartSite(t, map[string]guardPage{"/": {body: body, csp: true}})
	tb := newTab(t)
	tb.open(s.URL + "/")
	require.True(t, tb.visible("#ck-banner"))
	time.Sleep(300 * time.Millisecond)
	assert.Empty(t, s.third.snapshot(), "the nonce'd guard held everything")
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.log.includes('dyn-onload') && window.log.includes('px-onload')`)
	assertEventually(t, func() bool { return s.third.get("ads.test/csp-style.gif") == 1 }, "the style element's URL is restored")
	assert.Equal(t, []string{"ads.test/csp.js"}, eval[[]string](tb, `window.ran`))
	// The rewriter's CSS marker makes a URL the browser cannot parse, so a
	// strict img-src neither refuses nor reports it.
	assert.Empty(t, eval[[]string](tb, `window.violations`), "no securitypolicyviolation event")
	assert.Empty(t, cspComplaints(tb), "no CSP report on the console")
}

// Chrome blocks cross-site scripts that document.write inserts during
// parsing on slow connections (an intervention a Blink setting forces on).
// The guard neutralises the written tag, so Chrome fetches nothing, and
// releases it after consent as a script the intervention does not touch.
// A second browser runs with the setting, so the rest of the suite keeps
// Chrome's defaults.
func TestGuardDocumentWriteIntervention(t *testing.T) {
	t.Parallel()
	if !enabled() {
		t.Skip(skipMessage)
	}
	path, err := chromiumPath(false)
	require.NoError(t, err)
	const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Written</title>
<script>window.ran = [];</script>
<script data-consent="necessary">document.write('<script src="{A}/slow-written.js"><\/script>');</script>
<script data-consent="necessary">document.write('<script src="{T}/written.js"><\/script>');</script>
<script>document.write('<script src="http://cdn.test:' + location.search.slice(1) + '/control.js"><\/script>');</script>
</head><body><h1>Written</h1></body></html>
`
	s := guardStartSite(t, map[string]guardPage{"/": {body: body}})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("host-resolver-rules", "MAP tracker.test 127.0.0.1, MAP ads.test 127.0.0.1, MAP cdn.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.Flag("blink-settings", "disallowFetchForDocWrittenScriptsInMainFrame=true"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, tabTimeout)
	t.Cleanup(cancelTimeout)
	tb := &tab{t: t, ctx: ctx}
	_, port, _ := strings.Cut(strings.TrimPrefix(s.ads, "http://"), ":")
	tb.open(s.URL + "/?" + port)
	tb.waitFor(`document.readyState === 'complete'`)
	time.Sleep(300 * time.Millisecond)
	assert.Empty(t, s.guardHits("ads.test"), "Chrome fetched no written tracker: the guard neutralised them")
	assert.Empty(t, s.guardHits("tracker.test"))
	assert.Empty(t, eval[[]string](tb, `window.ran`), "the intervention is on: the written script from a third party that is no tracker did not run")

	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.ran.length === 2`)
	assert.Equal(t, []string{"ads.test/slow-written.js", "tracker.test/written.js"}, eval[[]string](tb, `window.ran`),
		"both trackers ran after consent, in document order: the slow first one was awaited")
}

// The guard in the browser and the tracker table in Go agree: FNV-1a over
// the URL parser's host, each parent domain, the Golomb-Rice sets. A refused
// sendBeacon (false) is the guard saying "tracker"; a queued one (true) "no".
func TestGuardAgreesWithTheTable(t *testing.T) {
	t.Parallel()
	s := guardStartSite(t, map[string]guardPage{"/": {body: `<!doctype html><html><head><title>Plain</title></head><body><h1>Plain</h1></body></html>`}})
	tb := newTab(t)
	tb.open(s.URL + "/")
	table := trackers.Default()
	for _, u := range []string{
		"https://www.google-analytics.com/g/collect",
		"https://region1.analytics.google.com/g/collect",
		"https://GOOGLE-ANALYTICS.COM./collect",
		"https://%77ww.googletagmanager.com/gtm.js",
		"//connect.facebook.net/en_US/fbevents.js",
		"https://stats.g.doubleclick.net/j/collect",
		"https://user:pw@bat.bing.com:8443/action/0",
		"https://www.clarity.ms/tag/x",
		"https://static.hotjar.com/c/hotjar.js",
		"https://example.org/app.js",
		"https://notgoogle-analytics.com/x",
		"https://com/",
		"/relative/path",
	} {
		_, want := table.LookupURL(u)
		abs := u
		if strings.HasPrefix(u, "//") {
			abs = "https:" + u
		}
		got := !eval[bool](tb, fmt.Sprintf(`navigator.sendBeacon(%s, 'x')`, jsString(u)))
		assert.Equal(t, want, got, "%s: held by the guard %v, listed in the table %v", abs, got, want)
	}
}
