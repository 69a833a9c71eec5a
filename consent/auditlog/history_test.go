package auditlog

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// historyLog is a SQLite log holding one decision of consent ID id.
func historyLog(t *testing.T, id string, mod func(*consent.Record)) *Log {
	t.Helper()
	l := openLog(t, sqliteBackend, filepath.Join(t.TempDir(), "h.db"), Options{})
	rec := testRecord(0)
	rec.ConsentID = id
	rec.Outcome = consent.OutcomeCustom
	rec.Method = consent.MethodBanner
	rec.GPC = true
	rec.Decisions = []consent.CategoryDecision{{Category: "necessary", Granted: true},
		{Category: "analytics", Granted: true}, {Category: "marketing"}}
	rec.Withdrawn = nil
	if mod != nil {
		mod(&rec)
	}
	require.NoError(t, l.Record(context.Background(), rec))
	return l
}

func TestHistoryPageSpeaksTheVisitorsLanguage(t *testing.T) {
	t.Parallel()
	const id = "0123456789abcdef0123456789abcdef"
	l := historyLog(t, id, nil)
	m, err := consent.New(consent.Config{
		Keys:     []consent.KeyPair{{HashKey: []byte("0123456789abcdef0123456789abcdef")}},
		Store:    l,
		History:  HistoryHandler(l),
		Messages: map[string]map[string]string{"de": {"history.title": "Ihre Einwilligungen"}},
		Categories: []consent.Category{{ID: consent.Necessary}, {ID: "analytics"},
			{ID: "marketing", Titles: map[string]string{"de": "Werbepartner"}}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	h := m.Handler(http.NotFoundHandler())

	get := func(target, acceptLanguage string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Accept-Language", acceptLanguage)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	t.Run("through the Manager, with the site's texts", func(t *testing.T) {
		w := get(m.Prefix()+"/history?id="+id, "de-DE,de;q=0.9")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		body := w.Body.String()
		assert.Contains(t, body, `<html lang="de" dir="ltr">`)
		assert.Equal(t, "de", w.Header().Get("Content-Language"))
		assert.Contains(t, body, "<h1>Ihre Einwilligungen</h1>", "Config.Messages overrides the catalog")
		assert.Contains(t, body, "<td>Werbepartner</td>", "the category title the banner shows")
		de := func(key string) string { return consentText(t, "de", key) }
		for _, key := range []string{"history.receipt", "history.caption", "history.allowed", "history.refused",
			"history.outcome.custom", "history.method.banner", "history.gpc", "history.none"} {
			assert.Contains(t, body, htmlEscape(de(key)), key)
		}
		assert.NotContains(t, body, "Your consent history")
		assert.NotContains(t, body, "Every choice made with this consent ID", "the German catalog, not English")
	})
	t.Run("right to left", func(t *testing.T) {
		w := get(m.Prefix()+"/history?id="+id, "ar")
		require.Equal(t, http.StatusOK, w.Code)
		assert.Contains(t, w.Body.String(), `<html lang="ar" dir="rtl">`)
		assert.Contains(t, w.Body.String(), `<code dir="ltr">`+id+`</code>`, "the ID keeps its order")
	})
	t.Run("errors too", func(t *testing.T) {
		w := get(m.Prefix()+"/history?id=nope&format=json", "fr")
		require.Equal(t, http.StatusBadRequest, w.Code)
		var got map[string]string
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		assert.Equal(t, consentText(t, "fr", "history.error.bad_id"), got["error"])
	})
}

func TestHistoryPageWithoutTheManager(t *testing.T) {
	t.Parallel()
	const id = "00000000000000000000000000000abc"
	l := historyLog(t, id, func(rec *consent.Record) {
		rec.Outcome = "something_new" // written by a later version
		rec.Method = consent.MethodGPC
		rec.Withdrawn = []string{"analytics"}
	})
	h := HistoryHandler(l)
	r := httptest.NewRequest(http.MethodGet, "/?id="+id, nil)
	r.Header.Set("Accept-Language", "pl;q=0.5, fr")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	assert.Contains(t, body, `<html lang="fr" dir="ltr">`)
	assert.Contains(t, body, "<td>something_new</td>", "an unknown outcome shows as stored")
	assert.Contains(t, body, htmlEscape(consentText(t, "fr", "history.method.gpc")))
	assert.NotContains(t, body, htmlEscape(consentText(t, "fr", "history.gpc")), "GPC is said once")
	assert.Contains(t, body, "<td>"+htmlEscape(consentText(t, "fr", "cat.analytics.title"))+"</td>",
		"the catalog's category title")

	r = httptest.NewRequest(http.MethodGet, "/?id="+id+"&lang=ja", nil)
	r.Header.Set("Accept-Language", "fr")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Contains(t, w.Body.String(), `<html lang="ja" dir="ltr">`, "?lang= wins")
}

// consentText is the bundled catalog's message for key in lang.
func consentText(t *testing.T, lang, key string) string {
	t.Helper()
	ht := historyTextFor(httptest.NewRequest(http.MethodGet, "/?lang="+lang, nil))
	s := ht.text(key)
	require.NotEqual(t, key, s, "catalog %s lacks %s", lang, key)
	return s
}

func htmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '"':
			b.WriteString("&#34;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
