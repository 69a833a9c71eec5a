package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
)

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quick start</title>
<script src="https://www.googletagmanager.com/gtag/js?id=G-XXXX" async></script>
<script data-consent="analytics">window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments)} gtag('js', new Date()); gtag('config', 'G-XXXX');</script>
</head><body><h1>Hello</h1><p>%s</p></body></html>`

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	logPath := flag.String("log", "quickstart-consent.sqlite", "consent log file")
	flag.Parse()

	ctx := context.Background()
	if os.Getenv("LOG_KEY") == "" {
		// A log signed with a throw-away key cannot be reopened with the
		// next one: use a fresh file each run.
		dir, err := os.MkdirTemp("", "consentkit-quickstart-")
		if err != nil {
			log.Fatal(err)
		}
		*logPath = dir + "/consent.sqlite"
	}
	clog, err := auditlog.Open(ctx, sqlite.File(*logPath), auditlog.Options{Key: key("LOG_KEY")})
	if err != nil {
		log.Fatal(err)
	}
	defer clog.Close()

	cm, err := consent.New(consent.Config{
		Keys:           []consent.KeyPair{{HashKey: key("COOKIE_KEY")}},
		PolicyVersion:  "2026-11",
		Store:          clog,
		HistoryHandler: auditlog.HistoryHandler(clog),
		Cookie:         consent.Cookie{Insecure: true}, // plain HTTP on a development machine only
		Cookies: []consent.CookieSpec{
			{Name: "_ga", Category: "analytics", Provider: "Google Analytics", Lifetime: 390 * 24 * time.Hour,
				Purpose: map[string]string{"en": "Distinguishes visitors."}},
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		msg := "Analytics is off."
		if consent.FromRequest(r).Allowed("analytics") {
			msg = "Analytics is on."
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, page, msg)
	})
	fmt.Printf("quick start on http://%s/\n", *addr)
	srv := &http.Server{Addr: *addr, Handler: cm.Handler(mux), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// key reads a 32-byte hex key from the environment, or makes a throw-away one.
func key(name string) []byte {
	if v := os.Getenv(name); v != "" {
		b, err := consent.ParseKey(v)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		return b
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	log.Printf("%s not set: using a throw-away key; consents will not survive a restart", name)
	return b
}
