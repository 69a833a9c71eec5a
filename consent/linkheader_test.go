package consent

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinkHeadersToTrackersAreDropped(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog})
	require.NoError(t, err)
	gtm := "<https://www.googletagmanager.com/gtm.js?id=GTM-1>; rel=preload; as=script"
	own := "</app.css>; rel=preload; as=style"
	dns := `<//connect.facebook.net>; rel="dns-prefetch"`
	canonical := "<https://www.facebook.com/page>; rel=canonical"
	tests := []struct {
		name  string
		in    []string
		want  []string
		grant bool
	}{
		{"one of several entries", []string{gtm + ", " + own}, []string{own}, false},
		{"separate headers", []string{gtm, own, dns}, []string{own}, false},
		{"only trackers", []string{gtm, dns}, nil, false},
		{"a tracker that is not fetched", []string{canonical}, []string{canonical}, false},
		{"comma inside a quoted parameter", []string{`</a.js>; rel=preload; title="a, b", ` + gtm}, []string{`</a.js>; rel=preload; title="a, b"`}, false},
		{"a first-party image whose imagesrcset is a tracker's", []string{own + `, </a.gif>; rel=preload; as=image; imagesrcset="/b.gif 1x, https://www.facebook.com/tr?a=1;b=2 2x"`}, []string{own}, false},
		{"a first-party imagesrcset", []string{`</a.gif>; rel=preload; as=image; imagesrcset="/b.gif 1x, /c.gif 2x"`}, []string{`</a.gif>; rel=preload; as=image; imagesrcset="/b.gif 1x, /c.gif 2x"`}, false},
		{"a compression dictionary", []string{`<https://www.googletagmanager.com/dict>; rel="compression-dictionary"`, own}, []string{own}, false},
		{"upper case, spaces inside <>", []string{"< https://www.googletagmanager.com/gtm.js >; REL = PRELOAD; AS=script"}, nil, false},
		{"granted", []string{gtm + ", " + own, dns}, []string{gtm + ", " + own, dns}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Link": append([]string(nil), tt.in...)}
			st := NewState([]string{"analytics", "marketing"})
			if tt.grant {
				st = NewState([]string{"analytics", "marketing"}, "analytics", "marketing")
			}
			m.filterLinkHeaders(h, st)
			assert.Equal(t, tt.want, h["Link"])
		})
	}
}

func TestEarlyHintsAreFiltered(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog})
	require.NoError(t, err)
	var seen []string
	rec := httptest.NewRecorder()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "<https://www.googletagmanager.com/gtm.js>; rel=preload; as=script")
		w.Header().Add("Link", "</app.js>; rel=preload; as=script")
		w.WriteHeader(http.StatusEarlyHints)
		seen = append(seen, w.Header()["Link"]...)
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok"))
	}))
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, []string{"</app.js>; rel=preload; as=script"}, seen, "103 Early Hints")
	assert.Equal(t, []string{"</app.js>; rel=preload; as=script"}, rec.Header()["Link"], "final response")
}
