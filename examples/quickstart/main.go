package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
)

func main() {
	// Two secrets of 32 random bytes each: `openssl rand -hex 32`.
	cookieKey, err := consent.ParseKey(os.Getenv("COOKIE_KEY"))
	if err != nil {
		log.Fatal("COOKIE_KEY: ", err)
	}
	logKey, err := consent.ParseKey(os.Getenv("LOG_KEY"))
	if err != nil {
		log.Fatal("LOG_KEY: ", err)
	}

	clog, err := auditlog.Open(context.Background(), sqlite.File("consent-log.sqlite"), auditlog.Options{Key: logKey})
	if err != nil {
		log.Fatal(err)
	}
	defer clog.Close()

	cm, err := consent.New(consent.Config{
		Keys:          []consent.KeyPair{{HashKey: cookieKey}},
		PolicyVersion: "2026-11",
		PolicyURL:     "/privacy",
		Store:         clog,
	})
	if err != nil {
		log.Fatal(err) // every configuration error is reported here, never on a request
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if consent.FromRequest(r).Allowed("analytics") {
			// the visitor agreed: render your analytics tag
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html><head><title>Hi</title>
<script src="https://www.googletagmanager.com/gtag/js?id=G-XXXX" async></script>
<script data-consent="analytics">/* your analytics code */</script>
</head><body>Hello</body></html>`))
	})

	addr := "localhost:8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = "localhost:" + port
	}
	srv := &http.Server{Addr: addr, Handler: cm.Handler(mux), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
