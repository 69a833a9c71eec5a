package consent

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"regexp"
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
// English, Spanish and French site (so a four-language switcher). The
// budgets of the runtime guard's issue: 5 KB gzipped for an undecided visitor
// (markup, CSS, and the loader with its guard) and 1 KB of bytes added to
// the page for a decided one. The host set the guard reads is weighed apart:
// it grows with the tracker table, and it is cached for a year.
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
	// What a browser downloads for an asset: its gzip form, as served.
	served := func(name string) []byte {
		rec := get(t, h, m.Prefix()+"/assets/"+name, "Accept-Encoding", "gzip")
		require.Equal(t, http.StatusOK, rec.Code, name)
		require.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
		return rec.Body.Bytes()
	}
	_, css := banner.AssetNames()
	require.NotEmpty(t, m.hosts.Name)
	undecided := added("")
	require.Contains(t, string(undecided), `<option value="fr"`, "the switcher offers the site's languages")
	require.Contains(t, string(undecided), `lang="de"`)
	require.Contains(t, string(undecided), m.hosts.Name, "an undecided page loads the host set")
	// The loader the page really references: with vendor signals on (the
	// default) that is the loader with the hook, not AssetNames' plain one.
	loader := regexp.MustCompile(`/assets/(ck\.[0-9a-f]+\.js)"`).FindSubmatch(undecided)
	require.NotNil(t, loader, "the page loads a loader")
	js := string(loader[1])
	jsGz, cssGz, hostsGz := len(served(js)), len(served(css)), len(served(m.hosts.Name))
	total := gzLen(t, undecided) + jsGz + cssGz
	t.Logf("undecided: markup %d B raw / %d B gz, js (loader and guard) %d B gz, css %d B gz: %d B gz in all",
		len(undecided), gzLen(t, undecided), jsGz, cssGz, total)
	assert.LessOrEqual(t, total, 5000, "undecided banner over 5 KB (5,000 B) gzipped")

	// The host set: N hashes as base-36 deltas, which gzip brings under
	// the 32 bits of the hashes themselves.
	gs := m.trackers.GuardSet()
	n := 0
	for _, c := range gs.Sets {
		n += c.N
	}
	t.Logf("host set %s: %d hosts, %d B raw, %d B gz (%.1f bits a host)",
		m.hosts.Name, n, len(m.hosts.Body), hostsGz, float64(hostsGz*8)/float64(n))
	assert.LessOrEqual(t, hostsGz*8, n*32, "the host set weighs more than the raw hashes")

	for _, s := range []struct {
		name    string
		granted uint64
		guard   bool
	}{
		{"decided, marketing refused", 0b0101, true},
		{"decided, all granted", 0b1111, false},
	} {
		st := &State{decided: true, set: m.set, rev: m.rev, granted: s.granted, method: MethodForm, decidedAt: m.cfg.Now()}
		var v string
		v, err = m.codec.encode(marshalPayload(st))
		require.NoError(t, err)
		decided := added(hostConsent + "=" + v)
		t.Logf("%s: %d bytes added to the page", s.name, len(decided))
		assert.LessOrEqual(t, len(decided), 1024, "%s: decided visitor over 1 KB", s.name)
		assert.Equal(t, s.guard, strings.Contains(string(decided), m.hosts.Name), "%s: the host set is linked only while a category is refused", s.name)
	}
}
