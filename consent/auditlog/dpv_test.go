package auditlog

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// The shapes an ISO/IEC TS 27560 record in the DPV JSON-LD profile must
// have, written down from the DPV consent record guide: each property the
// record needs, and what its value must be.
type ldShape map[string]func(v any) bool

func isString(v any) bool { s, ok := v.(string); return ok && s != "" }

func isNode(v any) bool {
	m, ok := v.(map[string]any)
	return ok && isString(m["@id"])
}

func isDateTime(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || m["@type"] != "xsd:dateTime" {
		return false
	}
	s, _ := m["@value"].(string)
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && strings.HasSuffix(s, "Z")
}

func isListOf(each func(any) bool) func(any) bool {
	return func(v any) bool {
		l, ok := v.([]any)
		if !ok {
			return false
		}
		for _, x := range l {
			if !each(x) {
				return false
			}
		}
		return true
	}
}

func is(want string) func(any) bool { return func(v any) bool { return v == want } }

var consentStatuses = map[string]bool{"dpv:ConsentGiven": true, "dpv:ConsentRefused": true, "dpv:ConsentWithdrawn": true}

var recordShape = ldShape{
	"@id":                     isString,
	"@type":                   is("dpv:ConsentRecord"),
	"dpv:hasIdentifier":       isString,
	"dpv:hasDataSubject":      isNode,
	"dpv:isIndicatedBy":       isNode,
	"dpv:isIndicatedAtTime":   isDateTime,
	"dpv:hasIndicationMethod": isString,
	"dpv:hasJurisdiction":     isString,
	"dpv:hasNotice":           isListOf(isNode),
	"dct:hasVersion":          isString,
	"dct:hasPart":             isListOf(func(v any) bool { return checkShape(consentShape, v) == "" }),
}

var consentShape = ldShape{
	"@type": is("dpv:Consent"),
	"dpv:hasPurpose": func(v any) bool {
		m, ok := v.(map[string]any)
		return ok && isString(m["@id"]) && m["@type"] == "dpv:Purpose" && isString(m["dct:title"])
	},
	"dpv:hasConsentStatus": func(v any) bool {
		m, ok := v.(map[string]any)
		return ok && consentStatuses[m["@id"].(string)]
	},
}

// dpvTerms are the DPV terms a record may use: a misspelt one is no term.
var dpvTerms = map[string]bool{"dpv:hasIdentifier": true, "dpv:hasDataSubject": true, "dpv:isIndicatedBy": true,
	"dpv:isIndicatedAtTime": true, "dpv:hasIndicationMethod": true, "dpv:hasDataController": true,
	"dpv:hasJurisdiction": true, "dpv:hasNotice": true, "dpv:hasPurpose": true, "dpv:hasConsentStatus": true,
	"dpv:hasRecipient": true, "dpv:hasName": true, "dpv:hasAddress": true, "dpv:hasContact": true}

// checkShape returns "" when v has shape, else what is wrong.
func checkShape(shape ldShape, v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return "not an object"
	}
	for k, ok := range shape {
		if _, present := m[k]; !present {
			return "missing " + k
		}
		if !ok(m[k]) {
			return "wrong value of " + k
		}
	}
	var walk func(any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if strings.HasPrefix(k, "dpv:") && !dpvTerms[k] {
					return "unknown DPV term " + k
				}
				if s := walk(y); s != "" {
					return s
				}
			}
		case []any:
			for _, y := range x {
				if s := walk(y); s != "" {
					return s
				}
			}
		}
		return ""
	}
	return walk(v)
}

func dpvEntry() Entry {
	rec := testRecord(0)
	rec.Method = consent.MethodForm
	rec.Decisions = []consent.CategoryDecision{{Category: "analytics", Granted: true},
		{Category: "marketing"}, {Category: "necessary", Granted: true}, {Category: "preferences"}}
	rec.Withdrawn = []string{"marketing"}
	rec.ShownHash = strings.Repeat("ab", 32)
	return Entry{Seq: 3, Record: rec, HashVersion: HashVersion, PrevHash: GenesisHash, Hash: strings.Repeat("cd", 32)}
}

func TestRecordDPVHasTheShapeOf27560(t *testing.T) {
	t.Parallel()
	e := dpvEntry()
	shown := &consent.Shown{Providers: []consent.CategoryProviders{{Category: "analytics", Providers: []string{"Google Analytics"}}}}
	b, err := RecordDPV(&e, Controller{Name: "Example News S.L.", Email: "dpo@example.com", URL: "https://example.com/"}, shown)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, map[string]any{"dpv": "https://w3id.org/dpv#", "dct": "http://purl.org/dc/terms/",
		"xsd": "http://www.w3.org/2001/XMLSchema#"}, doc["@context"])
	assert.Empty(t, checkShape(recordShape, doc))

	status := map[string]string{}
	for _, p := range doc["dct:hasPart"].([]any) {
		m := p.(map[string]any)
		status[m["dpv:hasPurpose"].(map[string]any)["dct:title"].(string)] = m["dpv:hasConsentStatus"].(map[string]any)["@id"].(string)
	}
	assert.Equal(t, map[string]string{"analytics": "dpv:ConsentGiven", "marketing": "dpv:ConsentWithdrawn",
		"preferences": "dpv:ConsentRefused"}, status, "necessary is no consent")
	assert.Contains(t, string(b), `"dpv:hasRecipient":[{"@type":"dpv:ThirdParty","dpv:hasName":"Google Analytics"}]`)
	assert.Contains(t, string(b), `"dpv:hasDataController":{"@id":"https://example.com/","@type":"dpv:DataController","dpv:hasName":"Example News S.L."`)
	assert.Contains(t, string(b), `{"@id":"urn:sha256:`+e.ShownHash+`"}`)

	// The shape check itself fails on a record missing a field.
	delete(doc, "dpv:hasDataSubject")
	assert.Equal(t, "missing dpv:hasDataSubject", checkShape(recordShape, doc))
}

// The auditor's export in the DPV profile: one JSON-LD document whose
// graph holds every selected record, each of the shape.
func TestExportDPV(t *testing.T) {
	t.Parallel()
	l := openLog(t, sqliteBackend, filepath.Join(t.TempDir(), "d.db"), Options{Controller: Controller{Name: "Example"}})
	ctx := context.Background()
	for i := range 3 {
		require.NoError(t, l.Record(ctx, testRecord(i)))
	}
	h, err := NewReviewHandler(l, ReviewOptions{Authorize: func(*http.Request) bool { return true }})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/export?format=dpv", nil))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "application/ld+json; charset=utf-8", w.Header().Get("Content-Type"))
	var doc struct {
		Context map[string]string `json:"@context"`
		Graph   []map[string]any  `json:"@graph"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc))
	assert.Equal(t, "https://w3id.org/dpv#", doc.Context["dpv"])
	require.Len(t, doc.Graph, 3)
	for _, r := range doc.Graph {
		assert.Empty(t, checkShape(recordShape, r))
		assert.Equal(t, "Example", r["dpv:hasDataController"].(map[string]any)["dpv:hasName"])
	}
	b, err := l.DPV(ctx, 2)
	require.NoError(t, err)
	var one map[string]any
	require.NoError(t, json.Unmarshal(b, &one))
	assert.Empty(t, checkShape(recordShape, one))
}
