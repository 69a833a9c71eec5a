// Command echo is consentkit in an Echo application, registered as Echo
// middleware with frameworks/echo, so the error pages Echo's central error
// handler writes go through consentkit too. It is registered first, the
// preferred placement for Echo; wrapping the whole engine,
// http.ListenAndServe(addr, cm.Handler(e)), works as well and frameworks/echo
// tests both.
//
//	COOKIE_KEY=$(openssl rand -hex 32) LOG_KEY=$(openssl rand -hex 32) go run .
//
// Without the variables it generates throw-away keys (consents then do not
// survive a restart) and says so.
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

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
	consentecho "github.com/consentkit/consentkit/frameworks/echo"
)

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Echo</title>
<script src="https://www.googletagmanager.com/gtag/js?id=G-XXXX" async></script>
</head><body><h1>Hello from Echo</h1><p>%s</p></body></html>`

func main() {
	addr := flag.String("addr", "127.0.0.1:8084", "address to listen on")
	flag.Parse()
	clog, err := auditlog.Open(context.Background(), sqlite.File(logPath()), auditlog.Options{Key: key("LOG_KEY")})
	if err != nil {
		log.Fatal(err)
	}
	defer clog.Close()
	cm, err := newManager(clog)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Echo example on http://%s/\n", *addr)
	srv := &http.Server{Addr: *addr, Handler: newApp(cm), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// newApp is the application; consentecho.Middleware comes first, so that
// Recover's error page goes through it too.
func newApp(cm *consent.Manager) *echo.Echo {
	e := echo.New()
	e.Use(consentecho.Middleware(cm))
	e.Use(middleware.Recover())
	e.GET("/", func(c echo.Context) error {
		msg := "Analytics is off."
		if consent.FromRequest(c.Request()).Allowed("analytics") {
			msg = "Analytics is on."
		}
		return c.HTML(http.StatusOK, fmt.Sprintf(page, msg))
	})
	return e
}

func newManager(store consent.Store) (*consent.Manager, error) {
	return consent.New(consent.Config{
		Keys:          []consent.KeyPair{{HashKey: key("COOKIE_KEY")}},
		PolicyVersion: "2026-11",
		Store:         store,
		Cookie:        consent.Cookie{Insecure: true}, // plain HTTP on a development machine only
		Cookies: []consent.CookieSpec{
			{Name: "_ga", Category: "analytics", Provider: "Google Analytics", Lifetime: 390 * 24 * time.Hour},
		},
	})
}

// logPath is the consent log's file: a fresh one per run with a throw-away
// LOG_KEY, since a log signed with one key cannot be reopened with another.
func logPath() string {
	if os.Getenv("LOG_KEY") != "" {
		return "consent-log.sqlite"
	}
	dir, err := os.MkdirTemp("", "consentkit-example-")
	if err != nil {
		log.Fatal(err)
	}
	return dir + "/consent.sqlite"
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
