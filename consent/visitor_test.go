package consent

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/internal/locales"
)

func TestHistoryHandlerGetsTheVisitor(t *testing.T) {
	t.Parallel()
	got := make(chan Visitor, 1)
	f := newFixture(t, func(c *Config) {
		c.Categories = []Category{{ID: Necessary}, {ID: "analytics"}, {ID: "chat", Titles: map[string]string{"en": "Live chat"}}}
		c.Messages = map[string]map[string]string{"he": {"history.title": "override"}}
		c.HistoryHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, ok := VisitorFrom(r.Context())
			if !ok {
				http.Error(w, "no visitor", http.StatusInternalServerError)
				return
			}
			got <- v
		})
	})
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+f.m.Prefix()+"/history?id=x", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Language", "he-IL, en;q=0.5")
	resp, err := f.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Values("Vary"), "Accept-Language")
	v := <-got
	assert.Equal(t, "he", v.Lang)
	assert.Equal(t, "rtl", v.Dir)
	assert.Equal(t, "override", v.Text("history.title"), "Config.Messages first")
	assert.NotEmpty(t, v.Text("history.caption"))
	assert.NotEqual(t, locales.Match("en").Text("history.caption"), v.Text("history.caption"), "Hebrew, not English")
	assert.Empty(t, v.Text("no.such.key"))
	assert.Equal(t, "Live chat", v.CategoryTitle("chat"), "the developer's English title when Hebrew has none")
	assert.NotEqual(t, "analytics", v.CategoryTitle("analytics"), "the catalog's title")
	assert.Equal(t, "unknown", v.CategoryTitle("unknown"))

	_, ok := VisitorFrom(context.Background())
	assert.False(t, ok)
	var zero Visitor
	assert.Empty(t, zero.Text("history.title"))
	assert.Equal(t, "x", zero.CategoryTitle("x"))
}
