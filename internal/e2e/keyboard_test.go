package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// focused describes document.activeElement: its classes, or its tag and
// name, and whether it sits inside the preferences dialog.
const focused = `(() => { const e = document.activeElement; if (!e || e === document.body) return 'body';
	const where = e.closest('#ck-prefs') ? 'prefs ' : e.closest('#ck-banner') ? 'banner ' : 'page ';
	return where + (e.className || e.tagName.toLowerCase() + (e.name ? '[' + e.name + '=' + e.value + ']' : '')); })()`

// press sends one key, with Shift when shift is true.
func (tb *tab) press(key string, shift bool) {
	tb.t.Helper()
	var opts []chromedp.KeyOption
	if shift {
		opts = append(opts, chromedp.KeyModifiers(kb.ModifierShift))
	}
	tb.do(chromedp.KeyEvent(key, opts...))
}

// Scenario 8: a keyboard-only visitor reaches Accept, Reject and Choose in
// that order, the preferences dialog traps focus, and Escape closes it,
// returns focus to Choose and writes no consent.
func TestKeyboardOnly(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t, withFocus())
	tb.open(s.URL + "/")

	// Tab through the page until Choose has focus; a bounded walk.
	var order []string
	for i := 0; i < 30; i++ {
		tb.press(kb.Tab, false)
		order = append(order, eval[string](tb, focused))
		if order[len(order)-1] == "banner ck-btn ck-choose" {
			break
		}
	}
	require.GreaterOrEqual(t, len(order), 3, "tab order: %q", order)
	assert.Contains(t, order[0], "banner ", "the first Tab lands in the banner, which comes first in the page: %q", order)
	assert.LessOrEqual(t, len(order), 4, "Choose within four Tabs (the policy link, Accept, Reject, Choose): %q", order)
	assert.Equal(t, []string{"banner ck-btn ck-accept", "banner ck-btn ck-reject", "banner ck-btn ck-choose"}, order[len(order)-3:],
		"Accept, Reject and Choose come one after the other: %q", order)
	assert.True(t, eval[bool](tb, `document.activeElement.matches(':focus-visible')`), "keyboard focus is visible")
	assert.NotEqual(t, "none", eval[string](tb, `getComputedStyle(document.activeElement).outlineStyle`), "a focus ring is drawn")

	// Enter on Choose opens the dialog with focus inside it.
	tb.press(kb.Enter, false)
	tb.waitFor(`document.querySelector('#ck-prefs') && document.querySelector('#ck-prefs').open && document.activeElement.closest('#ck-prefs') !== null`)
	assert.True(t, eval[bool](tb, `document.querySelector('#ck-prefs').matches(':modal')`), "the dialog is modal")

	// Tab and Shift+Tab cycle inside the dialog.
	n := eval[int](tb, `document.querySelectorAll('#ck-prefs a[href], #ck-prefs button, #ck-prefs input:not([disabled]):not([type=hidden]), #ck-prefs select').length`)
	require.Greater(t, n, 3)
	first := eval[string](tb, focused)
	seen := map[string]bool{first: true}
	for i := 0; i < n; i++ {
		tb.press(kb.Tab, false)
		f := eval[string](tb, focused)
		require.Contains(t, f, "prefs ", "Tab %d left the dialog", i+1)
		seen[f] = true
	}
	assert.Equal(t, first, eval[string](tb, focused), "after %d Tabs focus is back where it started", n)
	tb.press(kb.Tab, true)
	assert.Contains(t, eval[string](tb, focused), "prefs ", "Shift+Tab from the first control stays in the dialog")
	tb.press(kb.Tab, false)
	assert.Equal(t, first, eval[string](tb, focused))
	assert.GreaterOrEqual(t, len(seen), 3, "Tab visits the dialog's controls: %v", seen)

	// Space toggles a category; Escape throws the change away.
	for i := 0; i < n && eval[string](tb, focused) != "prefs input[category=analytics]"; i++ {
		tb.press(kb.Tab, false)
	}
	require.Equal(t, "prefs input[category=analytics]", eval[string](tb, focused))
	tb.press(" ", false)
	require.True(t, eval[bool](tb, `document.activeElement.checked`), "Space ticks the box")

	tb.press(kb.Escape, false)
	tb.waitFor(`!document.querySelector('#ck-prefs')`)
	assert.Equal(t, "banner ck-btn ck-choose", eval[string](tb, focused), "focus returns to Choose")
	assert.True(t, tb.visible("#ck-banner"), "the banner is still there")
	assert.Empty(t, s.store.all(), "Escape writes no consent")
	assert.NotContains(t, tb.cookies(s.URL), "consent", "and sets no consent cookie")
	assert.Equal(t, []string{"necessary"}, eval[[]string](tb, `window.consentkit.granted()`))

	// The dialog opens again unticked: the discarded change is gone.
	tb.press(kb.Enter, false)
	tb.waitFor(prefsOpen)
	assert.False(t, eval[bool](tb, `document.querySelector('#ck-prefs input[value=analytics]').checked`), "the Escaped change was not kept")

	// Finally decide by keyboard: focus Reject all in the dialog, press Enter.
	for i := 0; i < 2*n && eval[string](tb, focused) != "prefs ck-btn ck-reject"; i++ {
		tb.press(kb.Tab, false)
	}
	require.Equal(t, "prefs ck-btn ck-reject", eval[string](tb, focused), fmt.Sprintf("dialog order reaches Reject all (seen %v)", seen))
	tb.press(kb.Enter, false)
	tb.waitFor(`window.changes.length === 1 && !document.querySelector('#ck-prefs') && !document.querySelector('#ck-banner')`)
	assert.Equal(t, "page ck ck-settings", eval[string](tb, focused), "focus moves to the Cookie settings control, not to the top of the page")
	require.Len(t, s.store.all(), 1)
	assert.Equal(t, "reject_all", string(s.store.all()[0].Outcome))
}
