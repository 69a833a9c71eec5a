package auditlog

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

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
		Keys:           []consent.KeyPair{{HashKey: []byte("0123456789abcdef0123456789abcdef")}},
		Store:          l,
		HistoryHandler: HistoryHandler(l),
		Messages:       map[string]map[string]string{"de": {"history.title": "Ihre Einwilligungen"}},
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

// pileUp writes n records of consent ID id behind the Log's back, in one
// statement, as fast as the database can (n at most 100,000): the history page reads them
// without checking the chain, so no hashes are needed.
func pileUp(t testing.TB, be backend, loc, id string, n int) {
	t.Helper()
	be.raw(t, loc, `INSERT INTO consent_records (`+recordColumns+`)
		WITH d(x) AS (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)),
			n(i) AS (SELECT 1 + a.x + 10*b.x + 100*c.x + 1000*e.x + 10000*f.x FROM d a, d b, d c, d e, d f)
		SELECT i, 1767225600000000 + CAST(i AS BIGINT) * 1000000, ?, 'r1', '2026-01', '/privacy',
			'[{"category":"analytics","granted":false},{"category":"necessary","granted":true}]', '[]',
			'reject_all', 'gpc', 1, 'en', 'b1', '', '', '/', '203.0.113.0/24', 'Mozilla/5.0', 1, '', '', '', '', ''
		FROM n WHERE i <= ? ORDER BY i`, id, int64(n))
}

// TestHistoryPageIsBounded is the regression test for the unbounded visitor
// history (#12 item 1): 100,000 records under one consent ID, which a
// replayed cookie with Sec-GPC: 1 can write, used to be read into memory
// at once (450 MB for 75,000). A page now holds HistoryPageSize rows and
// reads a bounded number, and its links walk the whole history.
func TestHistoryPageIsBounded(t *testing.T) {
	// Not parallel: the heap is measured for the whole process.
	const id = "00000000000000000000000000000bad"
	forEachBackend(t, func(t *testing.T, be backend) {
		n := 100_000
		if raceEnabled && be.name == sqliteBackend.name {
			// Under the race detector SQLite writes 100,000 rows in a
			// minute or two; 10,000 still allocate 60 MB unpaged.
			n = 10_000
		}
		loc := be.fresh(t)
		l := openLog(t, be, loc, Options{})
		pileUp(t, be, loc, id, n)
		h := HistoryHandler(l)
		get := func(target string) *httptest.ResponseRecorder {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
			return w
		}
		get("/?id=" + id) // warm the connection pools and statement caches

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		w := get("/?id=" + id + "&lang=pt-BR")
		runtime.ReadMemStats(&after)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		allocated := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: one history page of %d records allocated %d KB (heap in use %+d KB)", be.name, n,
			allocated/1024, (int64(after.HeapAlloc)-int64(before.HeapAlloc))/1024)
		assert.Less(t, allocated, uint64(8<<20), "a page's memory must not grow with the history")

		body := w.Body.String()
		assert.Equal(t, HistoryPageSize, strings.Count(body, `<tr><td dir="ltr">`))
		newest := time.UnixMicro(1767225600000000 + int64(n)*1000000).UTC().Format("2006-01-02 15:04:05")
		assert.Contains(t, body, newest, "the newest record comes first")
		assert.NotContains(t, body, `rel="prev"`, "nothing is newer than the first page")

		// The older link, as the browser reads it from the escaped
		// attribute, leads to the next page, which links back.
		older := pageLink(t, body, "next")
		assert.Equal(t, fmt.Sprintf("?before=%d&id=%s&lang=pt-BR", n-49, id), older)
		w = get("/" + older)
		require.Equal(t, http.StatusOK, w.Code)
		assert.Contains(t, w.Body.String(), `<html lang="pt-BR"`, "the language goes along")
		newer := pageLink(t, w.Body.String(), "prev")
		assert.Equal(t, fmt.Sprintf("?after=%d&id=%s&lang=pt-BR", n-50, id), newer)
		assert.Equal(t, HistoryPageSize, strings.Count(get("/"+newer).Body.String(), `<tr><td dir="ltr">`))

		// The last page: the remainder, and no older link.
		w = get("/?id=" + id + "&before=21")
		assert.Equal(t, 20, strings.Count(w.Body.String(), `<tr><td dir="ltr">`))
		assert.NotContains(t, w.Body.String(), `rel="next"`)

		// JSON pages the same way, through Link headers.
		w = get("/?format=json&id=" + id + "&after=10")
		var got []VisitorEntry
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		require.Len(t, got, HistoryPageSize)
		assert.Equal(t, int64(60), got[0].Seq, "newest first within the page")
		assert.Equal(t, int64(11), got[len(got)-1].Seq)
		assert.ElementsMatch(t, []string{`<?before=11&format=json&id=` + id + `>; rel="next"`,
			`<?after=60&format=json&id=` + id + `>; rel="prev"`}, w.Header().Values("Link"))
	})
}

// pageLink returns the href of the page's link with rel, unescaped as a
// browser reads it.
func pageLink(t *testing.T, body, rel string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="([^"]*)" rel="` + rel + `">`).FindStringSubmatch(body)
	require.NotNil(t, m, "no %s link in %s", rel, body)
	return html.UnescapeString(m[1])
}

// BenchmarkHistoryPage serves the newest history page of a consent ID
// holding 100,000 records: its cost must not depend on that number.
func BenchmarkHistoryPage(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			loc := be.fresh(b)
			l := openLog(b, be, loc, Options{})
			const id = "00000000000000000000000000000bad"
			pileUp(b, be, loc, id, 100_000)
			h := HistoryHandler(l)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/?id="+id, nil))
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
