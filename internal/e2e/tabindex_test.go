package e2e

import (
	"testing"

	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On a page whose own controls have tabindex="1".."3", which precede every
// other element in sequential focus order, the first Tab still lands in
// the banner, and the banner's controls come before the page's; on a page
// without a positive tabindex the banner gets none (axe counts one as a
// serious fault).
func TestFirstTabBeatsPositiveTabindex(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tb := newTab(t, withFocus())
	tb.open(s.URL + "/tabindex")
	tb.waitFor(`document.readyState === 'complete'`)
	n := eval[int](tb, `document.querySelectorAll('#ck-banner a[href], #ck-banner button, #ck-banner select').length`)
	require.GreaterOrEqual(t, n, 4, "the policy link, Accept, Reject, Choose at least")
	var order []string
	for range n + 3 {
		tb.press(kb.Tab, false)
		order = append(order, eval[string](tb, focused))
	}
	assert.Equal(t, "banner ck-policy", order[0], "the first Tab lands in the banner: %q", order)
	for i := range n {
		assert.Contains(t, order[i], "banner ", "Tab %d: %q", i+1, order)
	}
	assert.Equal(t, []string{"page input[q=]", "page button", "page a"}, order[n:], "then the page's own, in their tabindex order")
	assert.Equal(t, "skip", eval[string](tb, `document.activeElement.id`), "the last is the page's tabindex=3 link")

	// A page without a positive tabindex: none on the banner either.
	tb.open(s.URL + "/")
	tb.waitFor(`document.readyState === 'complete'`)
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('#ck-banner [tabindex]').length`), "no tabindex on a page without a positive one")
	tb.press(kb.Tab, false)
	assert.Contains(t, eval[string](tb, focused), "banner ", "and the first Tab lands in the banner all the same")
}
