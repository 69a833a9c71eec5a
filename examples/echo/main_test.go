package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/consent"
)

// TestPage checks the example serves its page behind consentkit: the banner
// is there and the Google tag is held back for an undecided visitor.
func TestPage(t *testing.T) {
	t.Setenv("COOKIE_KEY", strings.Repeat("ab", 32))
	cm, err := newManager(consent.StoreFunc(func(ctx context.Context, rec consent.Record) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newApp(cm))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if body := string(b); !strings.Contains(body, `id="ck-banner"`) || !strings.Contains(body, `data-ck-src="https://www.googletagmanager.com/`) {
		t.Errorf("GET /: no banner or a live tracker:\n%s", body)
	}
}
