package consent

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/language"
)

// page is what a test reads from a rendered declaration page.
type page struct {
	lang, dir  string
	h1         string
	h2         []string
	headers    [][]string          // each table's column headers
	rows       map[string][]string // row name -> the row's cells
	style      string
	hasScripts bool
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func parsePage(t *testing.T, body string) page {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	require.NoError(t, err)
	p := page{rows: map[string][]string{}}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Html:
			p.lang, p.dir = attr(n, "lang"), attr(n, "dir")
		case atom.H1:
			p.h1 = text(n)
		case atom.H2:
			p.h2 = append(p.h2, text(n))
		case atom.Style:
			p.style = text(n)
		case atom.Script:
			p.hasScripts = true
		case atom.Thead:
			var hs []string
			for th := range n.Descendants() {
				if th.DataAtom == atom.Th {
					hs = append(hs, text(th))
				}
			}
			p.headers = append(p.headers, hs)
		case atom.Tr:
			var name string
			var cells []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				switch {
				case c.DataAtom == atom.Th && attr(c, "scope") == "row":
					name = text(c)
				case c.DataAtom == atom.Td:
					cells = append(cells, text(c))
				}
			}
			if name != "" {
				p.rows[name] = cells
			}
		}
	}
	return p
}

func getDecl(t *testing.T, m *Manager, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	m.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
	return rec
}

func TestDeclarationPage(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	type want struct {
		lang, h1    string
		h2          []string
		necessary   []string // the necessary table's headers
		analytics   []string // the analytics table's headers
		gaPurpose   string
		gaDuration  string
		sessionWhy  string
		sessionLife string
	}
	en := want{
		lang: "en", h1: "Cookies we use", h2: []string{"Necessary", "Preferences", "Analytics", "Marketing"},
		necessary:  []string{"Name", "Provider", "Purpose", "Duration", "Domain", "Why it is necessary"},
		analytics:  []string{"Name", "Provider", "Purpose", "Duration", "Domain"},
		gaPurpose:  "Tells visitors apart.",
		gaDuration: "400 days", sessionWhy: "Sign-in needs it.", sessionLife: "Until you close the browser",
	}
	es := want{
		lang: "es", h1: "Cookies que utilizamos", h2: []string{"Necesarias", "Preferencias", "Analíticas", "Publicidad"},
		necessary:  []string{"Nombre", "Proveedor", "Finalidad", "Duración", "Dominio", "Por qué es necesaria"},
		analytics:  []string{"Nombre", "Proveedor", "Finalidad", "Duración", "Dominio"},
		gaPurpose:  "Distingue a los visitantes.",
		gaDuration: "400 días", sessionWhy: "El inicio de sesión lo necesita.", sessionLife: "Hasta que cierre el navegador",
	}
	tests := []struct {
		name   string
		target string
		hdr    []string
		want   want
	}{
		{"english by default", "/consent/cookies", nil, en},
		{"english header", "/consent/cookies", []string{"Accept-Language", "en-GB,en;q=0.8"}, en},
		{"spanish header", "/consent/cookies", []string{"Accept-Language", "es-ES,es;q=0.9,en;q=0.5"}, es},
		{"?lang wins over the header", "/consent/cookies?lang=es", []string{"Accept-Language", "en"}, es},
		{"language cookie wins over the header", "/consent/cookies", []string{"Accept-Language", "en", "Cookie", "consent_lang=es"}, es},
		{"?lang wins over the cookie", "/consent/cookies?lang=en", []string{"Cookie", "consent_lang=es"}, en},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := getDecl(t, m, http.MethodGet, "https://news.example.com"+tt.target, tt.hdr...)
			require.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
			assert.Equal(t, tt.want.lang, rec.Header().Get("Content-Language"))
			assert.Contains(t, rec.Header().Get("Vary"), "Accept-Language")
			p := parsePage(t, rec.Body.String())
			assert.Equal(t, tt.want.lang, p.lang)
			assert.Equal(t, "ltr", p.dir)
			assert.Equal(t, tt.want.h1, p.h1)
			assert.Equal(t, tt.want.h2, p.h2)
			require.Len(t, p.headers, 4, "a table per category with cookies")
			assert.Equal(t, tt.want.necessary, p.headers[0])
			assert.Equal(t, tt.want.analytics, p.headers[2])
			require.Contains(t, p.rows, "_ga"+"localStorage: ga:clientId")
			ga := p.rows["_ga"+"localStorage: ga:clientId"]
			assert.Equal(t, []string{"Google Analyticswww.googletagmanager.com", tt.want.gaPurpose, tt.want.gaDuration, ".example.com"}, ga)
			require.Contains(t, p.rows, "session")
			session := p.rows["session"]
			require.Len(t, session, 5)
			assert.Equal(t, "news.example.com", session[0], "an empty provider is the site")
			assert.Equal(t, tt.want.sessionLife, session[2])
			assert.Equal(t, "news.example.com", session[3], "a host-only cookie's domain is the site")
			assert.Equal(t, tt.want.sessionWhy, session[4])
			assert.Contains(t, p.rows, hostConsent, "the consent cookie is declared")
			assert.Contains(t, p.rows, "_ga_*")
			assert.False(t, p.hasScripts, "the page runs no script")
			sum := sha256.Sum256([]byte(p.style))
			assert.Contains(t, rec.Header().Get("Content-Security-Policy"),
				"style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'", "the CSP allows exactly the page's stylesheet")
		})
	}
}

func TestDeclarationFollowsBannerSettings(t *testing.T) {
	t.Parallel()
	m := cookieManager(t, func(c *Config) {
		c.Cookie.LanguageName = "site_lang"
		c.Messages = map[string]map[string]string{"es": {"decl.title": "Nuestras cookies", "decl.days": "días"}}
	})
	rec := getDecl(t, m, http.MethodGet, "/consent/cookies", "Accept-Language", "en", "Cookie", "site_lang=es")
	require.Equal(t, http.StatusOK, rec.Code)
	p := parsePage(t, rec.Body.String())
	assert.Equal(t, "es", p.lang, "the configured language cookie is read")
	assert.Equal(t, "Nuestras cookies", p.h1, "Config.Messages applies")
	assert.Contains(t, p.rows, "__Host-site_lang", "the language cookie is declared under its configured name, prefixed")
	assert.NotContains(t, p.rows, "consent_lang")
	assert.Equal(t, "400 días", p.rows["_ga"+"localStorage: ga:clientId"][2], "an override without %d is not used for durations")
}

// TestDeclarationDurations checks that lifetimes take the plural form CLDR
// gives their number of days in the page's language, and that a
// Config.Messages override of decl.days or of one of its forms is used.
func TestDeclarationDurations(t *testing.T) {
	t.Parallel()
	plain := cookieManager(t)
	overridden := cookieManager(t, func(c *Config) {
		c.Messages = map[string]map[string]string{
			"en": {"decl.days#one": "a single day (%d)"},
			"pl": {"decl.days": "%d dni (zmienione)"},
			"de": {"decl.days#one": "%d Tag%"}, // a broken override is not used
		}
	})
	tests := []struct {
		name, lang   string
		m            *Manager
		gid, ga, fbp string // 1, 400 and 90 days
	}{
		{"english", "en", plain, "1 day", "400 days", "90 days"},
		{"spanish", "es", plain, "1 día", "400 días", "90 días"},
		{"polish", "pl", plain, "1 dzień", "400 dni", "90 dni"},
		{"russian", "ru", plain, "1 день", "400 дней", "90 дней"},
		{"lithuanian", "lt", plain, "1 diena", "400 dienų", "90 dienų"},
		{"romanian", "ro", plain, "1 zi", "400 de zile", "90 de zile"},
		{"arabic", "ar", plain, "1 يوم", "400 يوم", "90 يومًا"},
		{"japanese", "ja", plain, "1日", "400日", "90日"},
		{"override of the one form", "en", overridden, "a single day (1)", "400 days", "90 days"},
		{"override of decl.days covers every count", "pl", overridden, "1 dni (zmienione)", "400 dni (zmienione)", "90 dni (zmienione)"},
		{"broken override ignored", "de", overridden, "1 Tag", "400 Tage", "90 Tage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := tt.m.CookieDeclaration(tt.lang)
			require.Equal(t, tt.lang, d.Lang)
			got := map[string]string{}
			for _, c := range d.Categories {
				for _, k := range c.Cookies {
					got[k.Name] = k.Duration
				}
			}
			assert.Equal(t, tt.gid, got["_gid"])
			assert.Equal(t, tt.ga, got["_ga"])
			assert.Equal(t, tt.fbp, got["_fbp"])
		})
	}
}

func TestDeclarationPageEscapes(t *testing.T) {
	t.Parallel()
	m := cookieManager(t, func(c *Config) {
		c.Cookies = []CookieSpec{{Name: "x", Category: "analytics", Provider: `<script>alert(1)</script>`,
			Purpose: map[string]string{"en": `"><img src=x onerror=alert(1)>`}}}
	})
	rec := getDecl(t, m, http.MethodGet, "/consent/cookies")
	require.Equal(t, http.StatusOK, rec.Code)
	p := parsePage(t, rec.Body.String())
	assert.False(t, p.hasScripts)
	assert.NotContains(t, rec.Body.String(), "<img")
	assert.Equal(t, []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, "Until you close the browser", "example.com"},
		p.rows["x"], "shown as text")
}

func TestDeclarationMethods(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	tests := []struct {
		name, method, path string
		code               int
		body               bool
	}{
		{"get page", http.MethodGet, "/consent/cookies", http.StatusOK, true},
		{"head page", http.MethodHead, "/consent/cookies", http.StatusOK, false},
		{"head json", http.MethodHead, "/consent/cookies.json", http.StatusOK, false},
		{"post refused", http.MethodPost, "/consent/cookies", http.StatusMethodNotAllowed, true},
		{"other prefix paths go to the site", http.MethodGet, "/consent/cookies.xml", http.StatusNotFound, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := getDecl(t, m, tt.method, tt.path)
			assert.Equal(t, tt.code, rec.Code)
			assert.Equal(t, tt.body, rec.Body.Len() > 0)
			if tt.code == http.StatusMethodNotAllowed {
				assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
			}
			if tt.method == http.MethodHead {
				assert.NotEmpty(t, rec.Header().Get("Content-Length"), "HEAD tells the length GET would send")
			}
		})
	}
}

func TestDeclarationJSON(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	tests := []struct {
		name, target, lang string
		gaPurpose, titleAn string
	}{
		{"english", "/consent/cookies.json", "en", "Tells visitors apart.", "Analytics"},
		{"spanish", "/consent/cookies.json?lang=es", "es", "Distingue a los visitantes.", "Analíticas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := getDecl(t, m, http.MethodGet, tt.target)
			require.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			var d Declaration
			dec := json.NewDecoder(strings.NewReader(rec.Body.String()))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&d))
			assert.Equal(t, tt.lang, d.Lang)
			assert.Equal(t, "1", d.PolicyVersion)
			assert.Equal(t, "/privacy", d.PolicyURL)
			assert.Equal(t, m.Revision(), d.Revision)
			assert.Equal(t, "block", d.UndeclaredCookies)
			var ids []string
			for _, c := range d.Categories {
				ids = append(ids, c.ID)
				assert.NotNil(t, c.Cookies)
			}
			require.Equal(t, []string{Necessary, "preferences", "analytics", "marketing"}, ids)
			assert.Equal(t, tt.titleAn, d.Categories[2].Title)

			nec := d.Categories[0].Cookies
			require.Len(t, nec, 3)
			assert.Equal(t, []string{hostConsent, hostLang, "session"}, []string{nec[0].Name, nec[1].Name, nec[2].Name})
			for _, c := range nec {
				assert.NotEmpty(t, c.Justification, "%s: necessary cookies say why", c.Name)
				assert.NotEmpty(t, c.Purpose, c.Name)
			}
			assert.True(t, nec[0].HTTPOnly)
			assert.True(t, nec[0].Secure)
			assert.Equal(t, int64(defaultLifetime/time.Second), nec[0].LifetimeSeconds)

			an := d.Categories[2].Cookies
			require.Len(t, an, 3)
			assert.Equal(t, DeclaredCookie{Name: "_ga", Provider: "Google Analytics", Purpose: tt.gaPurpose, Domain: ".example.com",
				Path: "/", LifetimeSeconds: 400 * 24 * 3600, Duration: an[0].Duration, Hosts: []string{"www.googletagmanager.com"},
				LocalStorage: []string{"ga:clientId"}}, an[0])
			assert.True(t, an[1].Pattern)
			assert.Equal(t, "_ga_*", an[1].Name)
			assert.Empty(t, an[1].Justification, "only necessary cookies are justified")
			assert.True(t, d.Categories[3].Cookies[1].Secure, "__Host- cookies are Secure")
		})
	}
}

// TestDeclarationJSONFieldNames pins the JSON field names that auditors'
// tools and privacy policies rely on.
func TestDeclarationJSONFieldNames(t *testing.T) {
	t.Parallel()
	rec := getDecl(t, cookieManager(t), http.MethodGet, "/consent/cookies.json")
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &raw))
	assert.ElementsMatch(t, []string{"lang", "policy_version", "policy_url", "revision", "undeclared_cookies", "categories"}, keys(raw))
	var cats []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw["categories"], &cats))
	assert.ElementsMatch(t, []string{"id", "title", "description", "cookies"}, keys(cats[0]))
	var cookies []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(cats[0]["cookies"], &cookies))
	assert.ElementsMatch(t, []string{"name", "pattern", "provider", "purpose", "justification", "domain", "path", "lifetime_seconds",
		"duration", "http_only", "secure", "hosts", "local_storage"}, keys(cookies[0]))
	assert.JSONEq(t, "[]", string(cookies[0]["hosts"]), "lists are [] rather than null")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCookieTable(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	req := httptest.NewRequest(http.MethodGet, "https://example.com/privacy", nil)
	req.Header.Set("Accept-Language", "es")
	got := string(m.CookieTable(req))
	require.True(t, strings.HasPrefix(got, `<section class="ck-decl" lang="es" dir="ltr">`), got)
	assert.NotContains(t, got, "<html")
	assert.NotContains(t, got, "<style")
	p := parsePage(t, "<!doctype html><html><body>"+got+"</body></html>")
	assert.Equal(t, []string{"Necesarias", "Preferencias", "Analíticas", "Publicidad"}, p.h2)
	assert.Contains(t, p.rows, "_fbp"+"localStorage: fb_*")
}

func TestCookieDeclarationLanguage(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	tests := []struct{ in, want string }{
		{"es", "es"},
		{"es-MX", "es-419"}, // Latin American Spanish has its own catalog
		{"fr-CH, es;q=0.5", "fr"},
		{"", "en"},
		{"zz-garbage;;", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, m.CookieDeclaration(tt.in).Lang)
		})
	}
}

func TestPickText(t *testing.T) {
	t.Parallel()
	texts := map[string]string{"en": "colour", "en-US": "color", "es-ES": "color (es)", "pt": "", "de": "Farbe"}
	tests := []struct {
		tag    string
		want   string
		inLang bool
	}{
		{"en-US", "color", true},
		{"en", "colour", true},
		{"en-GB", "colour", true},
		{"es", "color (es)", true},
		{"es-419", "color (es)", true},
		{"pt", "colour", false}, // an empty text does not count
		{"fr", "colour", false},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			t.Parallel()
			got, inLang := pickTextFor(texts, language.MustParse(tt.tag))
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.inLang, inLang)
		})
	}
	got, _ := pickTextFor(map[string]string{"fr": "b", "de": "a"}, language.Japanese)
	assert.Equal(t, "a", got, "without English, the first tag is stable")
	got, _ = pickTextFor(nil, language.English)
	assert.Empty(t, got)
}

func TestCustomCategoryTitles(t *testing.T) {
	t.Parallel()
	m := cookieManager(t, func(c *Config) {
		c.Categories = append(DefaultCategories(), Category{ID: "video", Titles: map[string]string{"en": "Video", "es": "Vídeo"}})
		c.Cookies = []CookieSpec{{Name: "yt", Category: "video"}}
	})
	tests := []struct{ lang, title, desc string }{{"es", "Vídeo", ""}, {"de", "Video", ""}}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			d := m.CookieDeclaration(tt.lang)
			i := slices.IndexFunc(d.Categories, func(c DeclaredCategory) bool { return c.ID == "video" })
			require.GreaterOrEqual(t, i, 0)
			assert.Equal(t, tt.title, d.Categories[i].Title)
			assert.Equal(t, tt.desc, d.Categories[i].Description)
			assert.Equal(t, "yt", d.Categories[i].Cookies[0].Name)
		})
	}
}

func ExampleManager_CookieDeclaration() {
	m, err := New(Config{
		Keys:   []KeyPair{{HashKey: []byte("an example key of at least 32 bytes, random in real life")}},
		Logger: slog.New(slog.DiscardHandler),
		Store:  StoreFunc(func(_ context.Context, _ Record) error { return nil }),
		Cookies: []CookieSpec{
			{Name: "_ga", Category: "analytics", Provider: "Google Analytics", Lifetime: 400 * 24 * time.Hour,
				Purpose: map[string]string{"en": "Tells visitors apart.", "es": "Distingue a los visitantes."}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range m.CookieDeclaration("es").Categories {
		for _, k := range c.Cookies {
			fmt.Printf("%s: %s (%s)\n", c.Title, k.Name, k.Duration)
		}
	}
	// Output:
	// Necesarias: __Host-consent (182 días)
	// Necesarias: __Host-consent_lang (182 días)
	// Analíticas: _ga (400 días)
}
