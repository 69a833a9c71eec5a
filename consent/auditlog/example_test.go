package auditlog_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "consentlog")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	// In production the key comes from a secret store, never the database.
	log, err := auditlog.Open(ctx, sqlite.File(filepath.Join(dir, "consent.db")),
		auditlog.Options{Key: []byte("example key: 32 bytes or longer!")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer log.Close()

	err = log.Record(ctx, consent.Record{
		ConsentID: "0123456789abcdef0123456789abcdef",
		Time:      time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Decisions: []consent.CategoryDecision{{Category: "necessary", Granted: true}, {Category: "analytics"}},
		Outcome:   consent.OutcomeRejectAll,
		Method:    consent.MethodForm,
		Language:  "en",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := log.Verify(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("verified:", rep.OK, "records:", rep.Records)
	// Output: verified: true records: 1
}

func ExampleNewReviewHandler() {
	dir, _ := os.MkdirTemp("", "consentlog")
	defer os.RemoveAll(dir)
	log, err := auditlog.Open(context.Background(), sqlite.File(filepath.Join(dir, "consent.db")),
		auditlog.Options{Key: []byte("example key: 32 bytes or longer!")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer log.Close()

	review, err := auditlog.NewReviewHandler(log, auditlog.ReviewOptions{
		Authorize: auditlog.BasicAuth("dpo", os.Getenv("EXAMPLE_REVIEW_PASSWORD")+"long password"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/audit/", http.StripPrefix("/audit", review))
	mux.Handle("/consent/history", auditlog.HistoryHandler(log))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/audit/", nil))
	fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))
	// Output: 401 Basic realm="Consent log", charset="UTF-8"
}

func ExampleSafeCSVCell() {
	fmt.Println(auditlog.SafeCSVCell(`=HYPERLINK("http://evil.example")`))
	fmt.Println(auditlog.SafeCSVCell("Mozilla/5.0;=cmd|' /C calc'!A0"))
	fmt.Println(auditlog.SafeCSVCell("Mozilla/5.0"))
	// Output:
	// '=HYPERLINK("http://evil.example")
	// Mozilla/5.0;'=cmd|' /C calc'!A0
	// Mozilla/5.0
}

func ExampleHashRecord() {
	rec := consent.Record{ConsentID: "0123456789abcdef0123456789abcdef", Outcome: consent.OutcomeAcceptAll,
		Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	first, _ := auditlog.HashRecord(1, &rec, auditlog.GenesisHash)
	second, _ := auditlog.HashRecord(2, &rec, first)
	fmt.Println(len(first), first != second)
	// Output: 64 true
}
