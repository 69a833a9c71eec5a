package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/consent"
)

func TestHomePageCarriesTheBanner(t *testing.T) {
	cm, err := consent.New(consent.Config{
		Keys:   []consent.KeyPair{{HashKey: []byte("example-fiber-0123456789abcdef!!")}},
		Store:  consent.StoreFunc(func(_ context.Context, _ consent.Record) error { return nil }),
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	app, err := newApp(cm)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := app.Test(httptestRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="ck-banner"`) || !strings.Contains(body, "Analytics is off.") {
		t.Errorf("GET /: status %d, want 200 with the banner and analytics off: %.300s", resp.StatusCode, body)
	}
	if strings.Contains(body, `<script src="https://www.googletagmanager.com`) {
		t.Error("GET /: the tag manager script is live for an undecided visitor")
	}
}

func httptestRequest(t *testing.T) *http.Request {
	req, err := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
