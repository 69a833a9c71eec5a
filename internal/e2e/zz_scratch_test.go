package e2e

import "testing"

func TestZZScratch(t *testing.T) {
	s := newSite(t)
	tb := newTab(t)
	tb.open(s.URL + "/")
	t.Log(evalJSON(tb, `(() => { const e = document.querySelector('iframe'); return [e.outerHTML, e.src]; })()`))
	t.Log(s.lastPageHeader("Content-Security-Policy"))
}
