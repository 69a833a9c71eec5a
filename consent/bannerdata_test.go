package consent

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decidedCookie(t *testing.T, m *Manager, granted uint64) string {
	t.Helper()
	st := &State{decided: true, set: m.set, rev: m.rev, granted: granted | 1, method: MethodForm, decidedAt: m.cfg.Now()}
	st.id[0] = 0xab
	v, err := m.codec.encode(marshalPayload(st))
	require.NoError(t, err)
	return hostConsent + "=" + v
}

func TestMessagesAndCategoryTextsOverride(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog,
		Categories: append(DefaultCategories(), Category{ID: "social",
			Titles:       map[string]string{"en": "Social media", "es": "Redes sociales"},
			Descriptions: map[string]string{"en": "Share buttons <b>and</b> embeds."}}),
		Messages: map[string]map[string]string{
			"en": {"banner.title": "Your privacy on the Gazette"},
			"es": {"banner.title": "Su privacidad en la Gaceta"},
			"pt": {"banner.accept_all": "Aceitar tudo (site)"},
		}})
	require.NoError(t, err)
	h := m.Handler(pageHandler(nil))
	assert.Contains(t, get(t, h, "/", "Accept-Language", "en").Body.String(), "Your privacy on the Gazette")
	assert.Contains(t, get(t, h, "/", "Accept-Language", "es").Body.String(), "Su privacidad en la Gaceta")
	assert.Contains(t, get(t, h, "/", "Accept-Language", "pt-BR").Body.String(), "Aceitar tudo (site)",
		"an override for a language also applies to its regional variants")
	de := get(t, h, "/", "Accept-Language", "de").Body.String()
	assert.NotContains(t, de, "Your privacy on the Gazette", "English overrides do not replace other languages' catalogs")

	prefs := get(t, m.Handler(http.NotFoundHandler()), "/consent/preferences?fragment=1", "Accept-Language", "es").Body.String()
	assert.Contains(t, prefs, "Redes sociales")
	prefs = get(t, m.Handler(http.NotFoundHandler()), "/consent/preferences?fragment=1", "Accept-Language", "fr").Body.String()
	assert.Contains(t, prefs, "Social media", "English is the fallback of a developer's category")
	assert.Contains(t, prefs, "Share buttons &lt;b&gt;and&lt;/b&gt; embeds.", "developer texts are escaped")
}

func TestConsentModeMapping(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog,
		ConsentMode: ConsentMode{
			Mapping: map[string][]string{"analytics": {"analytics_storage", "ad_user_data"}, "marketing": {"ad_storage", "ad_user_data"}},
			Regions: []string{"ES", "US-CA"}}})
	require.NoError(t, err)
	h := m.Handler(pageHandler(nil))
	// analytics granted (bit 2), marketing not: ad_user_data needs both.
	body := get(t, h, "/", "Cookie", decidedCookie(t, m, 1<<2)).Body.String()
	assert.Contains(t, body, `analytics_storage:"granted"`)
	assert.Contains(t, body, `ad_user_data:"denied"`)
	assert.Contains(t, body, `ad_storage:"denied"`)
	assert.NotContains(t, body, "functionality_storage", "unmapped types are left to Google's defaults")
	assert.Contains(t, body, `region:["ES","US-CA"]`)
	assert.NotContains(t, body, "wait_for_update", "a decided state is final from the first byte")

	_, err = New(Config{Keys: []KeyPair{{HashKey: testKey1}}, ConsentMode: ConsentMode{Mapping: map[string][]string{"analytics": {"analytics_store"}}}})
	assert.ErrorIs(t, err, ErrBadConfig)
	assert.ErrorContains(t, err, "analytics_store")
}

func TestHistoryLinkAndEndpoint(t *testing.T) {
	t.Parallel()
	without := fuzzManager(t)
	prefs := get(t, without.Handler(http.NotFoundHandler()), "/consent/preferences?fragment=1", "Cookie", decidedCookie(t, without, 0)).Body.String()
	assert.Contains(t, prefs, "ck-receipt", "the receipt is always shown to a decided visitor")
	assert.NotContains(t, prefs, "/consent/history", "no history page, no link")
	assert.Equal(t, http.StatusNotFound, get(t, without.Handler(http.NotFoundHandler()), "/consent/history?id=x").Code)

	with, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog,
		HistoryHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "history of "+r.URL.Query().Get("id"))
		})})
	require.NoError(t, err)
	h := with.Handler(http.NotFoundHandler())
	prefs = get(t, h, "/consent/preferences?fragment=1", "Cookie", decidedCookie(t, with, 0)).Body.String()
	assert.Contains(t, prefs, `href="/consent/history?id=ab000000000000000000000000000000"`)
	assert.Equal(t, "history of abc", get(t, h, "/consent/history?id=abc").Body.String())
}

func TestLanguageSwitcherShortList(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog, Languages: []string{"es", "pt-BR"}})
	require.NoError(t, err)
	body := get(t, m.Handler(pageHandler(nil)), "/", "Accept-Language", "de-AT,de;q=0.9").Body.String()
	var opts []string
	for _, part := range strings.Split(body, `<option value="`)[1:] {
		opts = append(opts, part[:strings.IndexByte(part, '"')])
	}
	assert.Equal(t, []string{"de", "es", "pt-BR", "en"}, opts)
	prefs := get(t, m.Handler(http.NotFoundHandler()), "/consent/preferences?fragment=1").Body.String()
	assert.GreaterOrEqual(t, strings.Count(prefs, "<option "), 50, "the dialog offers every catalog")

	_, err = New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Languages: []string{"tlh"}})
	assert.ErrorIs(t, err, ErrBadConfig)

	none, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog, NoLanguageSwitcher: true})
	require.NoError(t, err)
	assert.NotContains(t, get(t, none.Handler(pageHandler(nil)), "/", "Accept-Language", "de").Body.String(), "ck-lang")
}
