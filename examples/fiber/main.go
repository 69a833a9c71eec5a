// Command fiber is consentkit in a Fiber (v3) app: the ckfiber middleware
// registered first, a handler that reads the visitor's choice, and a SQLite
// consent log.
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
	"os"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
	ckfiber "github.com/consentkit/consentkit/frameworks/fiber"
	"github.com/gofiber/fiber/v3"
)

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fiber</title>
<script src="https://www.googletagmanager.com/gtag/js?id=G-XXXX" async></script>
</head><body><h1>Hello from Fiber</h1><p>%s</p></body></html>`

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "address to listen on")
	flag.Parse()

	ctx := context.Background()
	logPath := "fiber-consent.sqlite"
	if os.Getenv("LOG_KEY") == "" {
		// A log signed with a throw-away key cannot be reopened with the
		// next one: use a fresh file each run.
		dir, err := os.MkdirTemp("", "consentkit-fiber-")
		if err != nil {
			log.Fatal(err)
		}
		logPath = dir + "/consent.sqlite"
	}
	clog, err := auditlog.Open(ctx, sqlite.File(logPath), auditlog.Options{Key: key("LOG_KEY")})
	if err != nil {
		log.Fatal(err)
	}
	defer clog.Close()

	cm, err := consent.New(consent.Config{
		Keys:   []consent.KeyPair{{HashKey: key("COOKIE_KEY")}},
		Store:  clog,
		Cookie: consent.Cookie{Insecure: true}, // plain HTTP on a development machine only
		Cookies: []consent.CookieSpec{
			{Name: "_ga", Category: "analytics", Provider: "Google Analytics", Lifetime: 390 * 24 * time.Hour,
				Purpose: map[string]string{"en": "Distinguishes visitors."}},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	app, err := newApp(cm)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Fiber example on http://%s/\n", *addr)
	log.Fatal(app.Listen(*addr, fiber.ListenConfig{DisableStartupMessage: true}))
}

// newApp is the site: ckfiber first, so that every route, the error
// handler's pages and consentkit's own endpoints pass through it.
func newApp(cm *consent.Manager) (*fiber.App, error) {
	mw, err := ckfiber.New(cm, ckfiber.Options{})
	if err != nil {
		return nil, err
	}
	app := fiber.New()
	app.Use(mw)
	app.Get("/", func(c fiber.Ctx) error {
		msg := "Analytics is off."
		if ckfiber.FromCtx(c).Allowed("analytics") {
			msg = "Analytics is on."
		}
		return c.Type("html").SendString(fmt.Sprintf(page, msg))
	})
	return app, nil
}

// key reads a 32-byte key from the environment, or makes a throw-away one.
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
