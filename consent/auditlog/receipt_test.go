package auditlog

import (
	"bytes"
	"encoding/json"
	"html"
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

// receiptSite is a site behind the middleware with the history page, its
// log naming a controller, and one decision granting analytics under a
// banner that named Google Analytics.
func receiptSite(t *testing.T) (http.Handler, string) {
	t.Helper()
	l := openLog(t, sqliteBackend, filepath.Join(t.TempDir(), "r.db"), Options{
		Controller: Controller{Name: "Example News S.L.", Email: "dpo@example.com", Jurisdiction: "ES"}})
	m, err := consent.New(consent.Config{
		Keys:           []consent.KeyPair{{HashKey: []byte("0123456789abcdef0123456789abcdef")}},
		Store:          l,
		HistoryHandler: HistoryHandler(l),
		Cookies: []consent.CookieSpec{{Name: "_ga", Category: "analytics", Provider: "Google Analytics",
			Purpose: map[string]string{"en": "Counts visits"}, Lifetime: 1}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	h := m.Handler(http.NotFoundHandler())
	r := httptest.NewRequest(http.MethodPost, "/consent/decision", strings.NewReader("action=save&category=analytics&return=/"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusSeeOther, w.Code, w.Body.String())
	e, err := l.Get(t.Context(), 1)
	require.NoError(t, err)
	return h, e.ConsentID
}

func getAs(h http.Handler, target, lang string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Accept-Language", lang)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// The Kantara v1.1 fields a receipt carries, in the specification's
// names.
var receiptFields = []string{"version", "jurisdiction", "consentTimestamp", "collectionMethod", "consentReceiptID",
	"language", "piiPrincipalId", "piiControllers", "policyUrl", "services", "sensitive", "spiCat"}

func TestReceiptRoundTrips(t *testing.T) {
	t.Parallel()
	h, id := receiptSite(t)
	w := getAs(h, "/consent/history?id="+id+"&receipt=1&format=json", "en")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Header().Get("Content-Disposition"), `attachment; filename="consent-receipt-1.json"`)

	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &fields))
	for _, f := range receiptFields {
		assert.Contains(t, fields, f)
	}
	// JSON -> struct -> JSON gives the same document.
	var rc receipt
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&rc))
	again, err := json.Marshal(rc)
	require.NoError(t, err)
	assert.JSONEq(t, w.Body.String(), string(again))
	assert.Equal(t, strings.TrimSpace(w.Body.String()), string(again), "byte for byte")

	assert.Equal(t, receiptVersion, rc.Version)
	assert.Equal(t, "ES", rc.Jurisdiction)
	assert.Equal(t, id, rc.PIIPrincipalID)
	assert.Len(t, rc.ConsentReceiptID, 64, "the record's chain hash")
	assert.Equal(t, "Example News S.L.", rc.PIIControllers[0].PIIController)
	require.Len(t, rc.Services, 1)
	require.Len(t, rc.Services[0].Purposes, 1, "only what was granted, necessary aside")
	p := rc.Services[0].Purposes[0]
	assert.Equal(t, []string{"analytics"}, p.PurposeCategory)
	assert.True(t, p.ThirdPartyDisclosure)
	assert.Equal(t, "Google Analytics", p.ThirdPartyName)
}

func TestReceiptPage(t *testing.T) {
	t.Parallel()
	h, id := receiptSite(t)
	hist := getAs(h, "/consent/history?id="+id, "de")
	require.Equal(t, http.StatusOK, hist.Code)
	assert.Contains(t, html.UnescapeString(hist.Body.String()), `<a href="?id=`+id+`&receipt=1">Beleg</a>`)

	w := getAs(h, "/consent/history?id="+id+"&receipt=1", "de")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	body := w.Body.String()
	assert.Contains(t, body, `<html lang="de"`)
	assert.Contains(t, body, "<h1>Einwilligungsbeleg</h1>")
	assert.Contains(t, body, "Example News S.L.")
	assert.Contains(t, body, "Google Analytics")
	assert.Contains(t, html.UnescapeString(body), `?format=json&id=`+id+`&receipt=1`)
	assert.NotContains(t, body, "<script")

	// A receipt is only served under its own consent ID.
	other := strings.Repeat("f", 32)
	assert.Equal(t, http.StatusNotFound, getAs(h, "/consent/history?id="+other+"&receipt=1", "en").Code)
	assert.Equal(t, http.StatusNotFound, getAs(h, "/consent/history?id="+other+"&receipt=1&format=json", "en").Code)
	assert.Equal(t, http.StatusNotFound, getAs(h, "/consent/history?id="+id+"&receipt=99", "en").Code)
	assert.Equal(t, http.StatusNotFound, getAs(h, "/consent/history?id="+id+"&receipt=x", "en").Code)
}
