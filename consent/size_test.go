package consent

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func gzLen(t *testing.T, b []byte) int {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	require.NoError(t, err)
	_, _ = zw.Write(b)
	require.NoError(t, zw.Close())
	return buf.Len()
}

// TestBannerWeightThroughTheMiddleware measures what the middleware really
// adds to a page with the default categories, for a German visitor on an
// English, Spanish and French site (so a four-language switcher): the size budgets of the banner
// issue are 4 KB gzipped for an undecided visitor (markup, CSS and JS) and
// 600 bytes for a decided one.
func TestBannerWeightThroughTheMiddleware(t *testing.T) {
	t.Parallel()
	const page = "<!doctype html><html><head><title>t</title></head><body><p>x</p></body></html>"
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog,
		Languages: []string{"en", "es", "fr"}})
	require.NoError(t, err)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(page))
	}))
	added := func(cookie string) []byte {
		rec := get(t, h, "/news/2026/harbour-ferry?id=12345", "Accept-Language", "de-DE,de;q=0.9,en;q=0.5", "Cookie", cookie)
		out := rec.Body.String()
		require.True(t, strings.HasPrefix(out, "<!doctype html><html><head>"))
		// The page's own bytes, in order, are what is left after removing
		// the insertions.
		ins := strings.Replace(out, "<!doctype html><html><head>", "", 1)
		ins = strings.Replace(ins, "<title>t</title></head><body><p>x</p>", "", 1)
		ins = strings.Replace(ins, "</body></html>", "", 1)
		return []byte(ins)
	}
	js, css := banner.AssetNames()
	jsb, _, _ := banner.Asset(js)
	cssb, _, _ := banner.Asset(css)
	undecided := added("")
	require.Contains(t, string(undecided), `<option value="fr"`, "the switcher offers the site's languages")
	require.Contains(t, string(undecided), `lang="de"`)
	total := gzLen(t, undecided) + gzLen(t, jsb) + gzLen(t, cssb)
	t.Logf("undecided: markup %d B raw / %d B gz, js %d B gz, css %d B gz: %d B gz in all",
		len(undecided), gzLen(t, undecided), gzLen(t, jsb), gzLen(t, cssb), total)
	assert.LessOrEqual(t, total, 4096, "undecided banner over 4 KB gzipped")

	st := &State{decided: true, set: m.set, rev: m.rev, granted: 0b0101, method: MethodForm, decidedAt: m.cfg.Now()}
	var v string
	v, err = m.codec.encode(marshalPayload(st))
	require.NoError(t, err)
	decided := added("consent=" + v)
	t.Logf("decided: %d bytes added to the page", len(decided))
	assert.LessOrEqual(t, len(decided), 600, "decided visitor over 600 bytes")
}
