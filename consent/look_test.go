package consent

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBannerLook checks the layout and reopen-corner options: validated by
// New, and rendered as the classes the stylesheet places.
func TestBannerLook(t *testing.T) {
	t.Parallel()
	for _, bad := range []Config{{BannerLayout: "modal"}, {ReopenCorner: "top-left"}} {
		bad.Keys, bad.Store, bad.Logger = []KeyPair{{HashKey: testKey1}}, &memStore{}, quietLog
		_, err := New(bad)
		require.ErrorIs(t, err, ErrBadLook, "%+v", bad)
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<!doctype html><html><head></head><body><p>x</p></body></html>"))
	})
	for _, tt := range []struct {
		name           string
		layout, corner string
		banner, open   string // a pattern each
	}{
		{"defaults", "", "", `<body><div id="ck-banner" class="ck ck-banner" role="region" aria-labelledby="ck-title"`, `<a id="ck-open" class="ck ck-settings"`},
		{"box, end corner", LayoutBox, CornerEnd, `<body><div id="ck-banner" class="ck ck-banner ck-box"`, `<a id="ck-open" class="ck ck-end ck-settings"`},
		{"the site places its own", LayoutBar, CornerNone, `<body><div id="ck-banner" class="ck ck-banner"`, `<p>x</p><a class="ck-settings" href=`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog,
				BannerLayout: tt.layout, ReopenCorner: tt.corner})
			require.NoError(t, err)
			out := get(t, m.Handler(page), "/").Body.String()
			assert.Regexp(t, tt.banner, out)
			assert.Regexp(t, tt.open, out)
		})
	}
}
