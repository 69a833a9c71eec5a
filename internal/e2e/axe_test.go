package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// axeSource is axe-core's axe.min.js, read once from CONSENT_AXE.
var axeSource = sync.OnceValues(func() (string, error) {
	p := os.Getenv("CONSENT_AXE")
	if p == "" {
		return "", fmt.Errorf("CONSENT_AXE is not set: run eval \"$(bash .ci/browser.sh)\", which installs axe-core and sets it")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("read axe-core: %w", err)
	}
	return string(b), nil
})

// axeViolation is the part of an axe result a failure message needs.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target         []any  `json:"target"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %v: %s", n.Target, strings.ReplaceAll(n.FailureSummary, "\n", "; "))
	}
	return b.String()
}

// injectAxe loads axe-core into the page through the DevTools protocol,
// which a page's Content-Security-Policy does not govern.
func (tb *tab) injectAxe() {
	tb.t.Helper()
	src, err := axeSource()
	require.NoError(tb.t, err)
	_, err = chromedp.Call(tb.ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: src})
	require.NoError(tb.t, err)
	require.True(tb.t, eval[bool](tb, `typeof window.axe === 'object'`), "axe-core loaded")
}

// axeSerious runs axe-core on the element sel and returns its violations of
// impact serious or critical.
func (tb *tab) axeSerious(sel string) []axeViolation {
	tb.t.Helper()
	raw := eval[[]byte](tb, fmt.Sprintf(`axe.run(document.querySelector(%s), {resultTypes: ['violations']})
		.then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical'))`, jsString(sel)))
	var out []axeViolation
	require.NoError(tb.t, json.Unmarshal(raw, &out))
	return out
}

// screenshotDir is where CONSENT_SCREENSHOTS=1 writes the README's pictures.
var screenshotDir = filepath.Join("..", "..", "docs", "screenshots")

// screenshot writes the viewport as docs/screenshots/name.png when
// CONSENT_SCREENSHOTS=1, so that ordinary runs leave the tree clean.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	if os.Getenv("CONSENT_SCREENSHOTS") != "1" {
		return
	}
	// Let transitions and the web font settle: a screenshot is for people.
	tb.waitFor(`document.fonts.status === 'loaded'`)
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	require.NoError(tb.t, err)
	require.NoError(tb.t, os.MkdirAll(screenshotDir, 0o755))
	require.NoError(tb.t, os.WriteFile(filepath.Join(screenshotDir, name+".png"), png, 0o644))
}

// The banner and the open preferences dialog pass axe-core with no serious
// or critical violation, in both layouts, light and dark, left-to-right and
// right-to-left; the same tabs take the README's screenshots.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	if enabled() {
		_, err := axeSource()
		require.NoError(t, err, "CONSENT_BROWSER=1 needs axe-core")
	}
	for _, layout := range []string{consent.LayoutBar, consent.LayoutBox} {
		for _, lang := range []string{"en", "ar"} {
			for _, scheme := range []string{"light", "dark"} {
				t.Run(layout+" "+lang+" "+scheme, func(t *testing.T) {
					t.Parallel()
					s := newSite(t, func(c *consent.Config) { c.BannerLayout = layout })
					tb := newTab(t, withLanguage(lang), withScheme(scheme), withViewport(800, 600, 1, false))
					tb.open(s.URL + "/")
					require.Equal(t, scheme == "dark", eval[bool](tb, `matchMedia('(prefers-color-scheme: dark)').matches`))
					require.Equal(t, lang, eval[string](tb, `document.querySelector('#ck-banner').lang`))
					tb.injectAxe()
					tb.screenshot(fmt.Sprintf("banner-%s-%s-%s", layout, lang, scheme))
					for _, v := range tb.axeSerious("#ck-banner") {
						t.Errorf("banner: %s", v)
					}
					if layout == consent.LayoutBox {
						return // the same dialog
					}

					tb.click("#ck-banner .ck-choose")
					tb.waitFor(prefsOpen)
					tb.screenshot(fmt.Sprintf("preferences-%s-%s", lang, scheme))
					for _, v := range tb.axeSerious("#ck-prefs") {
						t.Errorf("preferences dialog: %s", v)
					}

					// The reopen control, once decided.
					tb.click("#ck-prefs .ck-reject")
					tb.waitFor(`!document.querySelector('#ck-prefs') && !document.getElementById('ck-open').hidden`)
					for _, v := range tb.axeSerious("#ck-open") {
						t.Errorf("reopen control: %s", v)
					}
				})
			}
		}
	}
}

// The axe check must be able to fail: a button without a name and text
// without contrast are found.
func TestAxeSeesViolations(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t)
	if _, err := axeSource(); err != nil {
		require.NoError(t, err, "CONSENT_BROWSER=1 needs axe-core")
	}
	tb.open(s.URL + "/")
	tb.injectAxe()
	eval[bool](tb, `(() => { const b = document.createElement('button'); b.className = 'ck-bad';
		document.querySelector('#ck-banner').append(b); return true; })()`)
	var ids []string
	for _, v := range tb.axeSerious("#ck-banner") {
		ids = append(ids, v.ID)
	}
	assert.Contains(t, ids, "button-name")
}
