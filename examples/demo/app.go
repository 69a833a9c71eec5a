package main

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
)

//go:embed static templates
var files embed.FS

type appConfig struct {
	DataDir string
	Logger  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

type app struct {
	Handler         http.Handler
	Consent         *consent.Manager
	Log             *auditlog.Log
	AuditorUser     string
	AuditorPassword string
}

func (a *app) Close() error { return a.Log.Close() }

func newApp(ctx context.Context, cfg appConfig) (*app, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	keys, err := loadKeys(cfg.DataDir, cfg.Logger)
	if err != nil {
		return nil, err
	}
	clock := cfg.Now
	if clock == nil {
		clock = time.Now
	}
	logStore, err := auditlog.Open(ctx, sqlite.File(filepath.Join(cfg.DataDir, "consent-log.sqlite")),
		auditlog.Options{Key: keys.Log, Logger: cfg.Logger, Now: clock})
	if err != nil {
		return nil, fmt.Errorf("opening the consent log: %w", err)
	}
	a := &app{Log: logStore, AuditorUser: "auditor", AuditorPassword: os.Getenv("CONSENT_AUDITOR_PASSWORD")}
	if a.AuditorPassword == "" {
		b := make([]byte, 9)
		_, _ = rand.Read(b)
		a.AuditorPassword = hex.EncodeToString(b)
	}
	cm, err := consent.New(consent.Config{
		Keys:          []consent.KeyPair{{HashKey: keys.Cookie}},
		PolicyVersion: "2026-11",
		PolicyURL:     "/privacy",
		Store:         logStore,
		Logger:        cfg.Logger,
		Now:           clock,
		// Plain HTTP on a development machine: browsers do keep Secure
		// cookies for localhost, but not for every loopback name, and
		// the demo must work everywhere. Never do this in production.
		Cookie:    consent.Cookie{Insecure: true},
		GPC:       consent.GPC{WellKnown: true},
		Languages: []string{"en", "es"},
		// The banner speaks the page's language; a visitor's choice in
		// the banner's switcher still wins.
		Language: func(r *http.Request) string {
			switch p := r.URL.Path; {
			case p == "/es" || strings.HasPrefix(p, "/es/"):
				return "es"
			case p == "/" || strings.HasPrefix(p, "/en/") || p == "/privacy":
				return "en"
			}
			return ""
		},
		Cookies:        demoCookies,
		HistoryHandler: auditlog.HistoryHandler(logStore),
	})
	if err != nil {
		logStore.Close()
		return nil, err
	}
	a.Consent = cm

	review, err := auditlog.NewReviewHandler(logStore, auditlog.ReviewOptions{
		Authorize: auditlog.BasicAuth(a.AuditorUser, a.AuditorPassword),
	})
	if err != nil {
		logStore.Close()
		return nil, err
	}

	site, err := newSite(cm)
	if err != nil {
		logStore.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	static, _ := fs.Sub(files, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	mux.Handle("/admin/consent-log/", http.StripPrefix("/admin/consent-log", review))
	mux.Handle("/", site)
	a.Handler = cm.Handler(mux)
	return a, nil
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	v := fmt.Sprintf("public, max-age=%d", int(d.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", v)
		h.ServeHTTP(w, r)
	})
}

// demoCookies declares the cookies the demo sets: one per category, set by
// the server on every page, so the enforcement can be watched in the
// browser's developer tools.
var demoCookies = []consent.CookieSpec{
	{Name: "demo_session", Category: consent.Necessary, Path: "/", Provider: "The Harbour Gazette",
		Purpose:       map[string]string{"en": "Keeps your place between pages.", "es": "Mantiene su sesión entre páginas."},
		Justification: map[string]string{"en": "Without it the site cannot tell one request of yours from the next.", "es": "Sin ella el sitio no puede relacionar sus peticiones."}},
	{Name: "demo_theme", Category: "preferences", Path: "/", Provider: "The Harbour Gazette", Lifetime: 365 * 24 * time.Hour,
		Purpose: map[string]string{"en": "Remembers the colour theme you picked.", "es": "Recuerda el tema de color que eligió."}},
	{Name: "_demo_ga", Category: "analytics", Path: "/", Provider: "Demo Analytics", Lifetime: 390 * 24 * time.Hour,
		Purpose: map[string]string{"en": "Counts visits to measure which stories are read.", "es": "Cuenta las visitas para saber qué noticias se leen."}},
	{Name: "_demo_ads*", Category: "marketing", Path: "/", Provider: "Demo Ads", Lifetime: 90 * 24 * time.Hour,
		Purpose: map[string]string{"en": "Lets the advertising partner show you related ads.", "es": "Permite al socio publicitario mostrarle anuncios relacionados."}},
}

type site struct {
	cm   *consent.Manager
	tmpl *template.Template
}

func newSite(cm *consent.Manager) (*site, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"t": func(lang, key string) string { return ui[lang][key] },
	}).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &site{cm: cm, tmpl: t}, nil
}

type pageData struct {
	Lang     string
	Title    string
	Path     string
	Articles []article
	Article  *article
	State    *consent.State
	Cats     []string
	Privacy  bool
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var lang, rest string
	switch {
	case r.URL.Path == "/":
		lang, rest = "en", "/"
	case r.URL.Path == "/privacy":
		lang, rest = "en", "/privacy"
	case r.URL.Path == "/es/privacidad": // before the "/es/" prefix, which would take it
		lang, rest = "es", "/privacy"
	case strings.HasPrefix(r.URL.Path, "/en/"):
		lang, rest = "en", r.URL.Path[3:]
	case strings.HasPrefix(r.URL.Path, "/es/"):
		lang, rest = "es", r.URL.Path[3:]
	case r.URL.Path == "/embed/video":
		s.video(w, r)
		return
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	st := consent.FromRequest(r)
	d := pageData{Lang: lang, Path: r.URL.RequestURI(), Articles: articles[lang], State: st, Cats: st.Categories()}
	switch {
	case rest == "/":
		d.Title = ui[lang]["site"]
	case rest == "/privacy":
		d.Title, d.Privacy = ui[lang]["privacy"], true
	default:
		for i := range d.Articles {
			if "/"+d.Articles[i].Slug == rest {
				d.Article = &d.Articles[i]
				d.Title = d.Article.Title
			}
		}
		if d.Article == nil {
			http.NotFound(w, r)
			return
		}
	}
	// Every category's cookie is set on every page; consentkit removes
	// the Set-Cookie headers the visitor has not agreed to.
	http.SetCookie(w, &http.Cookie{Name: "demo_session", Value: "1", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: "demo_theme", Value: "light", Path: "/", MaxAge: 365 * 86400})
	http.SetCookie(w, &http.Cookie{Name: "_demo_ga", Value: "GA1.1.demo", Path: "/", MaxAge: 390 * 86400, HttpOnly: true})
	http.SetCookie(w, &http.Cookie{Name: "_demo_ads_id", Value: "ad-demo", Path: "/", MaxAge: 90 * 86400})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.tmpl.ExecuteTemplate(w, "page.html", d); err != nil {
		slog.Error("demo: rendering", "err", err)
	}
}

func (s *site) video(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html><html lang="en"><title>Harbour webcam</title><body><p>Live: the harbour at dawn (a stand-in for a third-party video player).</p></body></html>`))
}
