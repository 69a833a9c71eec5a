package e2e

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fetchersBody holds, once per {U} (the ad network's URL prefix, or a
// first-party one for the controls), every element and attribute found to
// make Chromium fetch a URL by itself that the rewriter once let through:
// background on the table parts, SVG's feImage, the url() of SVG's
// presentation attributes (on the <svg> too), the SVG animations that set
// an href or such a url() when they start, and a compression dictionary. {I} keeps the ids of the two copies apart.
const fetchersBody = `<table><thead background="{U}thead.gif"><tr><td>a</td></tr></thead>
<tbody background="{U}tbody.gif"><tr background="{U}tr.gif"><td>b</td></tr></tbody>
<tfoot background="{U}tfoot.gif"><tr><td>c</td></tr></tfoot></table>
<table><colgroup background="{U}colgroup.gif"><col background="{U}col.gif"></colgroup><tr><td>d</td></tr></table>
<svg width="20" height="20"><filter id="{I}f1"><feImage href="{U}feimage.gif"/></filter><filter id="{I}f2"><feImage xlink:href="{U}feimage-xlink.gif"/></filter></svg>
<svg width="20" height="20" cursor="url({U}cursor.cur), auto"><rect width="20" height="20" fill="url({U}fill.svg#g)" stroke="url({U}stroke.svg#g)" clip-path="url({U}clip.svg#c)" mask="url({U}mask.svg#m)"/>
<path d="M0 0L5 5L10 10" marker-start="url({U}marker-start.svg#m)" marker-mid="url({U}marker-mid.svg#m)" marker-end="url({U}marker-end.svg#m)"/></svg>
<svg width="20" height="20"><image width="20" height="20"><set attributeName="href" to="{U}set-href.gif"/></image>
<rect width="20" height="20"><set attributeName="clip-path" to="url({U}set-clip.svg#c)"/></rect></svg>
<link rel="compression-dictionary" href="{U}dictionary">
`

// fetchersPaths are the files fetchersBody names, one a case;
// fetchersInPlace those the loader's restoring fetches in place. An
// animation that has started applies no value given to it later: its
// target is fetched with the next page.
var (
	fetchersPaths = []string{"thead.gif", "tbody.gif", "tr.gif", "tfoot.gif", "colgroup.gif", "col.gif",
		"feimage.gif", "feimage-xlink.gif", "cursor.cur", "fill.svg", "stroke.svg", "clip.svg", "mask.svg",
		"marker-start.svg", "marker-mid.svg", "marker-end.svg", "set-href.gif", "set-clip.svg", "dictionary"}
	fetchersInPlace = slices.DeleteFunc(slices.Clone(fetchersPaths), func(p string) bool { return strings.HasPrefix(p, "set-") })
)

// fetchersSite serves fetchersBody and a frameset document whose first frame
// is the ad network's, as the site wrote them (/raw/…) and through the
// middleware; the page's phase (its query) goes into every URL, so that
// each visit's requests are told apart. The controls are the same markup
// with first-party URLs, after the ad network's in document order: once
// the browser has fetched every control, it has had its chance to fetch
// every case.
type fetchersSite struct{ *phaseSite }

func newFetchersSite(t *testing.T) *fetchersSite {
	t.Helper()
	return &fetchersSite{newPhaseSite(t, func(s *phaseSite, w http.ResponseWriter, path, phase string) {
		ads, ctl := s.adsBase(phase), "/ctl/"+phase+"/"
		var doc string
		switch path {
		case "/page":
			doc = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fetchers</title></head><body><h1>Fetchers</h1>` +
				strings.NewReplacer("{U}", ads, "{I}", "a").Replace(fetchersBody) +
				strings.NewReplacer("{U}", ctl, "{I}", "c").Replace(fetchersBody) + `</body></html>`
		case "/frames":
			doc = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Frames</title></head>` +
				`<frameset cols="50%,50%"><frame src="` + ads + `frame.html"><frame src="` + ctl + `frame.html"></frameset></html>`
		default:
			http.Error(w, "no such page", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, doc)
	})}
}

// fetched returns the files of names the ad network was asked for in phase.
func (s *fetchersSite) fetched(phase string, names []string) []string {
	var got []string
	for _, n := range names {
		if s.ads.get(phase+"/"+n) > 0 {
			got = append(got, n)
		}
	}
	return got
}

// assertAllFetched waits until every one of paths has been fetched from
// the ad network in phase, and says which were not when some never are.
func (s *fetchersSite) assertAllFetched(t *testing.T, phase string, paths []string, msg string) {
	t.Helper()
	assertEventually(t, func() bool { return len(s.fetched(phase, paths)) == len(paths) }, msg)
	assert.Equal(t, paths, s.fetched(phase, paths), msg)
}

// settle waits until the browser has fetched every control of phase, then
// a little longer, for requests issued together to arrive.
func (s *fetchersSite) settle(t *testing.T, phase string, names []string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, n := range names {
			if s.ctl.get(phase+"/"+n) == 0 {
				return false
			}
		}
		return true
	}, 15*time.Second, 20*time.Millisecond, "the controls of %s are fetched", phase)
	time.Sleep(300 * time.Millisecond)
}

// Every element and attribute that made Chromium fetch a tracker's URL
// without a click, and passed the rewriter: the raw page fetches each (so
// the test notices when Chromium stops), an undecided visitor fetches none,
// JavaScript on or off, and once the visitor accepts all, each is fetched
// again: in place without a reload (but the animations, see
// fetchersInPlace), and every one, the frame too, with the next page.
func TestFetchersBlockedUntilConsent(t *testing.T) {
	t.Parallel()
	s := newFetchersSite(t)
	frame := []string{"frame.html"}

	raw := newTab(t)
	raw.open(s.URL + "/raw/page?raw")
	s.assertAllFetched(t, "raw", fetchersPaths, "the raw page fetches every case")
	raw.open(s.URL + "/raw/frames?rawframes")
	assertEventually(t, func() bool { return s.ads.get("rawframes/frame.html") > 0 }, "the raw frameset fetches its frame")

	for _, js := range []bool{true, false} {
		phase := map[bool]string{true: "undecided", false: "nojs"}[js]
		var opts []tabOption
		if !js {
			opts = append(opts, withoutJavaScript())
		}
		tb := newTab(t, opts...)
		tb.open(s.URL + "/page?" + phase)
		s.settle(t, phase, fetchersPaths)
		assert.Empty(t, s.fetched(phase, fetchersPaths), "undecided (JavaScript %t): nothing fetched", js)
		tb.open(s.URL + "/frames?" + phase + "frames")
		s.settle(t, phase+"frames", frame)
		assert.Empty(t, s.fetched(phase+"frames", frame), "undecided (JavaScript %t): no frame fetched", js)
		if !js {
			continue
		}
		tb.open(s.URL + "/page?accepted")
		s.settle(t, "accepted", fetchersPaths)
		require.Empty(t, s.fetched("accepted", fetchersPaths), "undecided: nothing fetched before the choice")
		tb.click("#ck-banner .ck-accept")
		s.assertAllFetched(t, "accepted", fetchersInPlace, "accepted all: every case is fetched in place")
		tb.open(s.URL + "/page?acceptednext")
		s.assertAllFetched(t, "acceptednext", fetchersPaths, "accepted all: every case is fetched with the next page")
		tb.open(s.URL + "/frames?acceptedframes")
		assertEventually(t, func() bool { return s.ads.get("acceptedframes/frame.html") > 0 }, "accepted all: the frame is fetched")
	}
}
