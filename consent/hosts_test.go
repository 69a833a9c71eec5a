package consent

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostSetAsset checks the runtime guard's host set as the Manager serves
// it: built from its own tracker table at New, so Config.Trackers changes
// its content and name; cached for a year, gzipped once; linked from a page
// only while a category is refused.
func TestHostSetAsset(t *testing.T) {
	t.Parallel()
	plain, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog})
	require.NoError(t, err)
	own, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog,
		Trackers: map[string]string{"metrics.example.org": "analytics", "google-analytics.com": ""}})
	require.NoError(t, err)
	assert.Regexp(t, `^ck-hosts\.[0-9a-f]{8}\.js$`, plain.hosts.Name)
	assert.NotEqual(t, plain.hosts.Name, own.hosts.Name, "the developer's hosts make another host set, under another name")
	again, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog})
	require.NoError(t, err)
	assert.Equal(t, plain.hosts.Name, again.hosts.Name, "the same table gives the same name")

	for _, m := range []*Manager{plain, own} {
		h := m.Handler(pageHandler(nil))
		rec := get(t, h, "/consent/assets/"+m.hosts.Name, "Accept-Encoding", "gzip")
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "text/javascript; charset=utf-8", rec.Header().Get("Content-Type"))
		assert.Equal(t, "public, max-age=31536000, immutable", rec.Header().Get("Cache-Control"))
		assert.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
		assert.Equal(t, "Accept-Encoding", rec.Header().Get("Vary"))
		zr, err := gzip.NewReader(rec.Body)
		require.NoError(t, err)
		body, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, m.hosts.Body, body)
		assert.True(t, strings.HasPrefix(string(body), `self.ckH=[`), "%.40s", body)

		rec = get(t, h, "/consent/assets/"+m.hosts.Name)
		assert.Equal(t, m.hosts.Body, rec.Body.Bytes(), "plain for a client without gzip")
		post := httptest.NewRecorder()
		h.ServeHTTP(post, httptest.NewRequest(http.MethodPost, "/consent/assets/"+m.hosts.Name, nil))
		assert.Equal(t, http.StatusMethodNotAllowed, post.Code)
	}
	// Other names under the prefix go on to the application.
	h := plain.Handler(http.NotFoundHandler())
	assert.Equal(t, http.StatusNotFound, get(t, h, "/consent/assets/"+own.hosts.Name).Code, "each Manager serves its own host set only")
	assert.Equal(t, http.StatusNotFound, get(t, h, "/consent/assets/ck-hosts.00000000.js").Code)

	page := get(t, plain.Handler(pageHandler(nil)), "/").Body.String()
	assert.Contains(t, page, `<script src="/consent/assets/`+plain.hosts.Name+`"></script>`, "an undecided page loads the host set")
	loader := page[strings.Index(page, `<script src="/consent/assets/ck.`):]
	assert.NotContains(t, loader[:strings.Index(loader, ">")], "defer", "and then the loader, synchronously")
}
