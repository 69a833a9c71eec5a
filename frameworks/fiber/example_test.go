package ckfiber_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"strings"

	"github.com/consentkit/consentkit/consent"
	ckfiber "github.com/consentkit/consentkit/frameworks/fiber"
	"github.com/gofiber/fiber/v3"
)

func ExampleNew() {
	cm, err := consent.New(consent.Config{
		Keys:   []consent.KeyPair{{HashKey: []byte("example-key-0123456789abcdef!!!!")}},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		log.Fatal(err)
	}
	mw, err := ckfiber.New(cm, ckfiber.Options{})
	if err != nil {
		log.Fatal(err)
	}
	app := fiber.New()
	app.Use(mw) // first
	app.Get("/", func(c fiber.Ctx) error {
		msg := "analytics off"
		if ckfiber.FromCtx(c).Allowed("analytics") {
			msg = "analytics on"
		}
		return c.Type("html").SendString("<!doctype html><html><head></head><body><p>" + msg + "</p></body></html>")
	})

	req, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	resp, err := app.Test(req)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(body), "analytics off"), strings.Contains(string(body), `id="ck-banner"`))
	// Output: 200 true true
}
