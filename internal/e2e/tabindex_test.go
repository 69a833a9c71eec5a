package e2e

import (
	"testing"

	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On a page whose own controls have tabindex="1".."3", which precede every
// other element in sequential focus order, the first Tab from a fresh load
// still lands in the banner and walks through it; the banner gets no
// tabindex of its own (axe counts a positive one as a serious fault), so
// Shift+Tab from its first control reaches the page's last positive one.
func TestFirstTabBeatsPositiveTabindex(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t, withFocus())
	tb.open(s.URL + "/tabindex")
	tb.waitFor(`document.readyState === 'complete' && !!window.consentkit`)
	n := eval[int](tb, `document.querySelectorAll('#ck-banner a[href], #ck-banner button, #ck-banner select').length`)
	require.GreaterOrEqual(t, n, 4, "the policy link, Accept, Reject, Choose at least")
	var order []string
	for range n + 1 {
		tb.press(kb.Tab, false)
		order = append(order, eval[string](tb, focused))
	}
	assert.Equal(t, "banner ck-policy", order[0], "the first Tab lands in the banner: %q", order)
	assert.Equal(t, []string{"banner ck-btn ck-accept", "banner ck-btn ck-reject", "banner ck-btn ck-choose"}, order[1:4], "then Accept, Reject, Choose")
	for i := range n {
		assert.Contains(t, order[i], "banner ", "Tab %d: %q", i+1, order)
	}
	assert.Equal(t, "page a", order[n], "then the page, in its own order: %q", order)
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('#ck-banner [tabindex]').length`), "no tabindex on the banner")
	tb.injectAxe()
	for _, v := range tb.axeSerious("#ck-banner") {
		t.Errorf("banner: %s", v)
	}

	eval[bool](tb, `document.querySelector('#ck-banner .ck-policy').focus(), true`)
	tb.press(kb.Tab, true)
	assert.Equal(t, "skip", eval[string](tb, `document.activeElement.id`), "Shift+Tab from the banner reaches the page's tabindex=3 link")
	tb.press(kb.Tab, false)
	assert.Equal(t, "banner ck-policy", eval[string](tb, focused), "and Tab comes back")

	// Focus that is somewhere already is left alone.
	tb.open(s.URL + "/tabindex")
	tb.waitFor(`document.readyState === 'complete' && !!window.consentkit`)
	eval[bool](tb, `document.getElementById('q').focus(), true`)
	tb.press(kb.Tab, false)
	assert.Equal(t, "go", eval[string](tb, `document.activeElement.id`), "Tab from the page's search field goes on in the page's order")
}
