package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cspComplaints returns the console lines about Content-Security-Policy.
func cspComplaints(tb *tab) []string {
	var out []string
	for _, l := range tb.consoleLines() {
		if strings.Contains(l, "Content Security Policy") || strings.Contains(l, "Content-Security-Policy") {
			out = append(out, l)
		}
	}
	return out
}

// Scenario 9: under a strict nonce-based CSP (no 'unsafe-inline', no host
// allow-list for scripts) the banner works, re-activated scripts run, and
// the browser reports no violation.
func TestStrictCSP(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t)
	tb.open(s.URL + "/csp")
	require.True(t, tb.visible("#ck-banner"))
	assert.Equal(t, "fixed", eval[string](tb, `getComputedStyle(document.querySelector('#ck-banner')).position`), "the nonce'd stylesheet applied")
	assert.Equal(t, "object", eval[string](tb, `typeof window.consentkit`), "the nonce'd loader ran")

	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.changes.length === 1 && window.order.length === 5`)
	assert.Equal(t, []string{"necessary", "body-end", "analytics-ext", "inline-analytics", "marketing-ext"}, eval[[]string](tb, `window.order`),
		"re-activated scripts, external and inline, ran under the nonce")
	tb.waitFor(`document.querySelector('iframe').src !== ''`)
	assertEventually(t, func() bool {
		return s.third.get("ads.test/embed.html") == 1 && s.third.get("tracker.test/collect") == 1
	}, "embed loaded, analytics ran")

	// The settings dialog is fetched and shown under the same policy.
	tb.click(".ck-settings")
	tb.waitFor(prefsOpen)
	assert.Equal(t, "block", eval[string](tb, `getComputedStyle(document.querySelector('#ck-prefs')).display`))
	tb.click("#ck-prefs .ck-close")
	tb.waitFor(`!document.querySelector('#ck-prefs')`)

	tb.reload()
	assert.Equal(t, []string{"necessary", "analytics-ext", "inline-analytics", "marketing-ext", "body-end"}, eval[[]string](tb, `window.order`))

	assert.Empty(t, eval[[]string](tb, `window.violations`), "no securitypolicyviolation event")
	assert.Empty(t, cspComplaints(tb), "no CSP report on the console")

	// Both detectors do see a violation: an inline script without the nonce.
	eval[bool](tb, `(() => { const s = document.createElement('script'); s.textContent = 'window.sneaky = 1'; document.body.append(s); return true; })()`)
	tb.waitFor(`window.violations.length > 0`)
	assert.False(t, eval[bool](tb, `'sneaky' in window`), "the policy is really enforced")
	assertEventually(t, func() bool { return len(cspComplaints(tb)) > 0 }, "the console reports the violation")
}

// layoutProblems lists what is cut off or out of reach in the element sel:
// horizontal overflow of the page or the element, text that sticks out
// sideways, and controls (buttons, links, selects, inputs) that, scrolled
// into view, still do not fit the viewport or clip their own text.
const layoutProblems = `((sel) => {
	const root = document.querySelector(sel), out = [], W = innerWidth, H = innerHeight;
	if (!root) return ['no ' + sel];
	if (document.documentElement.scrollWidth > W) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + W);
	if (root.scrollWidth > root.clientWidth) out.push(sel + ' overflows: scrollWidth ' + root.scrollWidth + ' > clientWidth ' + root.clientWidth);
	for (const e of root.querySelectorAll('button, a[href], select, input:not([type=hidden]), h2, p')) {
		e.scrollIntoView({block: 'nearest', inline: 'nearest'});
		const r = e.getBoundingClientRect(), name = e.tagName + '.' + e.className + ' "' + e.textContent.trim().slice(0, 24) + '"';
		if (r.left < -0.5 || r.right > W + 0.5) out.push(name + ' sticks out sideways: ' + r.left + '..' + r.right + ' of ' + W);
		// Text taller than the scrollable banner is read by scrolling;
		// a control must fit whole.
		if (!/^(H2|P)$/.test(e.tagName) && (r.top < -0.5 || r.bottom > H + 0.5)) out.push(name + ' cannot be scrolled fully into view: ' + r.top + '..' + r.bottom + ' of ' + H);
		if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') out.push(name + ' clips its text');
	}
	return out;
})`

// Scenario 10: on a 320 px wide screen, and at 200% zoom of a 640 px
// window (320 CSS px), the banner and the dialog fit and work.
func TestNarrowAndZoomed(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		opt  tabOption
		lang string
	}{
		"320px phone":          {opt: withViewport(320, 568, 1, true), lang: "en"},
		"320px phone, german":  {opt: withViewport(320, 568, 1, true), lang: "de"},
		"200% zoom of 640x480": {opt: withViewport(320, 240, 2, false), lang: "en"},
		"200% zoom, arabic":    {opt: withViewport(320, 240, 2, false), lang: "ar"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t)
			tb := newTab(t, tt.opt, withLanguage(tt.lang))
			tb.open(s.URL + "/")
			require.Equal(t, 320, eval[int](tb, `innerWidth`))
			require.True(t, tb.visible("#ck-banner"))
			assert.Empty(t, eval[[]string](tb, layoutProblems+`('#ck-banner')`), "banner")

			tb.click("#ck-banner .ck-choose")
			tb.waitFor(prefsOpen)
			assert.Empty(t, eval[[]string](tb, layoutProblems+`('#ck-prefs')`), "preferences dialog")

			tb.click("#ck-prefs .ck-save")
			tb.waitFor(`window.changes.length === 1 && !document.querySelector('#ck-banner')`)
			require.Len(t, s.store.all(), 1, "usable: the choice was saved")
			assert.Equal(t, "reject_all", string(s.store.all()[0].Outcome))
		})
	}
}

// The layout probe itself must see a control that does not fit, or the
// test above could pass on a broken banner.
func TestLayoutProbeSeesOverflow(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t, withViewport(320, 568, 1, true))
	tb.open(s.URL + "/")
	require.Empty(t, eval[[]string](tb, layoutProblems+`('#ck-banner')`))
	eval[bool](tb, `(() => { const b = document.createElement('button'); b.textContent = 'wide'; b.style.minWidth = '600px';
		document.querySelector('#ck-banner form').append(b); return true; })()`)
	problems := eval[[]string](tb, layoutProblems+`('#ck-banner')`)
	assert.NotEmpty(t, problems)
	assert.Contains(t, strings.Join(problems, "\n"), `"wide" sticks out sideways`)
}
