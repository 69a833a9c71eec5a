package consent

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/consentkit/consentkit/internal/locales"
)

// Declaration is the cookie declaration in one language: every declared
// cookie, grouped by category, as the {prefix}/cookies page shows it and
// {prefix}/cookies.json serves it. The JSON field names are stable; new
// fields may be added, none renamed or removed.
type Declaration struct {
	// Lang is the BCP 47 tag of the language the texts are in.
	Lang string `json:"lang"`
	// PolicyVersion and PolicyURL are Config's.
	PolicyVersion string `json:"policy_version"`
	PolicyURL     string `json:"policy_url"`
	// Revision is the consent revision (see Manager.Revision).
	Revision string `json:"revision"`
	// UndeclaredCookies is "block" or "allow": what happens to a cookie
	// this declaration does not list.
	UndeclaredCookies string `json:"undeclared_cookies"`
	// Categories holds every configured category, necessary first, each
	// with its cookies (possibly none).
	Categories []DeclaredCategory `json:"categories"`
}

// DeclaredCategory is one category of a Declaration.
type DeclaredCategory struct {
	// ID is the category ID, such as "analytics".
	ID string `json:"id"`
	// Title and Description are the category's name and explanation.
	Title       string `json:"title"`
	Description string `json:"description"`
	// Cookies are the category's cookies in declaration order; never nil.
	Cookies []DeclaredCookie `json:"cookies"`
}

// justified reports whether a cookie of the category carries a
// justification, so that the page shows that column.
func justified(c DeclaredCategory) bool {
	return slices.ContainsFunc(c.Cookies, func(k DeclaredCookie) bool { return k.Justification != "" })
}

// DeclaredCookie is one cookie of a Declaration: a CookieSpec with its
// texts in the declaration's language.
type DeclaredCookie struct {
	// Name is the cookie's name, or a prefix followed by '*' when Pattern;
	// "" for an entry that declares only localStorage keys.
	Name    string `json:"name"`
	Pattern bool   `json:"pattern"`
	// Provider is who sets the cookie; "" means the site itself.
	Provider string `json:"provider"`
	// Purpose is what the cookie is for.
	Purpose string `json:"purpose"`
	// Justification says why a necessary cookie needs no consent; empty for
	// the other categories.
	Justification string `json:"justification,omitempty"`
	// Domain ("" for the site's own host) and Path the cookie is set with.
	Domain string `json:"domain"`
	Path   string `json:"path"`
	// LifetimeSeconds is the cookie's lifetime; 0 for a session cookie.
	LifetimeSeconds int64 `json:"lifetime_seconds"`
	// Duration is the lifetime as the page words it, in whole days
	// rounded up, or "until you close the browser".
	Duration string `json:"duration"`
	HTTPOnly bool   `json:"http_only"`
	Secure   bool   `json:"secure"`
	// Hosts are the third-party hosts that set the cookie; never nil.
	Hosts []string `json:"hosts"`
	// LocalStorage are the localStorage keys declared with it; never nil.
	LocalStorage []string `json:"local_storage"`
}

//go:embed templates/declaration.html templates/declaration.css
var declFiles embed.FS

var (
	declTmpl = template.Must(template.New("declaration").Funcs(template.FuncMap{"justified": justified}).ParseFS(declFiles, "templates/declaration.html"))
	declCSS  = func() template.CSS {
		b, err := declFiles.ReadFile("templates/declaration.css")
		if err != nil {
			panic(err) // embedded at build time: cannot happen
		}
		return template.CSS(strings.TrimSpace(string(b)))
	}()
	// declCSP allows the page's one stylesheet by hash and nothing else:
	// the page has no scripts, images or forms.
	declCSP = func() string {
		sum := sha256.Sum256([]byte(declCSS))
		return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
			"'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
	}()
)

// declView is what the templates render.
type declView struct {
	Declaration
	Dir    string
	Site   string // shown where a provider or domain is the site itself
	Labels declLabels
	CSS    template.CSS
}

type declLabels struct {
	Title, Intro, Name, Provider, Purpose, Duration, Domain, Justification string
}

// CookieDeclaration returns the cookie declaration with its texts in lang,
// a language tag or an Accept-Language value; English when no catalog
// serves it. It is what {prefix}/cookies.json serves.
func (m *Manager) CookieDeclaration(lang string) Declaration {
	return m.declaration(locales.Match(lang))
}

// CookieTable renders the cookie declaration's tables for r's visitor, in
// the language the declaration page would use, for embedding in the site's
// own privacy page:
//
//	data.Cookies = cm.CookieTable(r)  // then {{.Cookies}} in the template
//
// The fragment is a <section class="ck-decl"> with an <h2> and a table per
// category that has cookies; style it with the site's CSS.
func (m *Manager) CookieTable(r *http.Request) template.HTML {
	var buf bytes.Buffer
	if err := declTmpl.ExecuteTemplate(&buf, "table", m.declView(r)); err != nil {
		m.log.Error("consent: could not render the cookie table", "err", err)
		return ""
	}
	return template.HTML(buf.String())
}

// DeclarationHandler returns the handler of the cookie declaration, for
// mounting it at a path of the site's choice; the middleware already serves
// it at {prefix}/cookies. A path ending in ".json" gets the JSON form.
func (m *Manager) DeclarationHandler() http.Handler { return http.HandlerFunc(m.serveDeclaration) }

// serveDeclaration serves {prefix}/cookies (HTML) and {prefix}/cookies.json.
func (m *Manager) serveDeclaration(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "the cookie declaration is read with GET")
		return
	}
	v := m.declView(r)
	var buf bytes.Buffer
	h := w.Header()
	if strings.HasSuffix(r.URL.Path, ".json") {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v.Declaration); err != nil {
			m.log.Error("consent: could not encode the cookie declaration", "err", err)
			httpErrorJSON(w, true, http.StatusInternalServerError, "could not encode the cookie declaration")
			return
		}
		h.Set("Content-Type", "application/json")
	} else {
		if err := declTmpl.ExecuteTemplate(&buf, "page", v); err != nil {
			m.log.Error("consent: could not render the cookie declaration", "err", err)
			httpErrorJSON(w, false, http.StatusInternalServerError, "could not render the cookie declaration")
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", declCSP)
	}
	h.Set("Content-Language", v.Lang)
	// The language follows these request headers; the page is otherwise
	// the same for everyone.
	h.Set("Vary", "Accept-Language, Cookie")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(buf.Bytes())
}

// declView builds the view in the language the banner would use for r
// (?lang=, the visitor's language cookie, Config.Language, then
// Accept-Language), with Config.Messages applied.
func (m *Manager) declView(r *http.Request) declView {
	l := m.localeFor(r, r.URL.Query().Get("lang"))
	msg := func(key string) string { return m.l10n.message(l, key) }
	return declView{
		Declaration: m.declaration(l),
		Dir:         l.Dir,
		Site:        requestHost(r),
		Labels: declLabels{
			Title: msg("decl.title"), Intro: msg("decl.intro"), Name: msg("decl.name"),
			Provider: msg("decl.provider"), Purpose: msg("decl.purpose"), Duration: msg("decl.duration"),
			Domain: msg("decl.domain"), Justification: msg("decl.justification"),
		},
		CSS: declCSS,
	}
}

func (m *Manager) declaration(l locales.Locale) Declaration {
	reg := m.cookies
	d := Declaration{
		Lang:              l.Tag.String(),
		PolicyVersion:     m.cfg.PolicyVersion,
		PolicyURL:         m.cfg.PolicyURL,
		Revision:          m.Revision(),
		UndeclaredCookies: reg.policy.String(),
		Categories:        make([]DeclaredCategory, len(m.cfg.Categories)),
	}
	// The banner's texts of each category, so that both say the same.
	for i, c := range m.l10n.locale(l).cats {
		d.Categories[i] = DeclaredCategory{ID: c.ID, Title: c.Title, Description: c.Description, Cookies: []DeclaredCookie{}}
	}
	for i, s := range reg.specs {
		cat := &d.Categories[reg.cat[i]]
		cat.Cookies = append(cat.Cookies, DeclaredCookie{
			Name:            s.Name,
			Pattern:         strings.HasSuffix(s.Name, "*"),
			Provider:        s.Provider,
			Purpose:         resolveText(s.Purpose, l.Tag, ""),
			Justification:   resolveText(s.Justification, l.Tag, ""),
			Domain:          s.Domain,
			Path:            cmp.Or(s.Path, "/"),
			LifetimeSeconds: int64(s.Lifetime / time.Second),
			Duration:        m.duration(l, s.Lifetime),
			HTTPOnly:        s.HttpOnly,
			Secure:          s.Secure || secureByName(s.Name),
			Hosts:           append([]string{}, s.Hosts...),
			LocalStorage:    append([]string{}, s.LocalStorage...),
		})
	}
	return d
}

// duration words a lifetime in whole days, rounded up so that a cookie
// never lives longer than the page says.
func (m *Manager) duration(l locales.Locale, d time.Duration) string {
	if d <= 0 {
		return m.l10n.message(l, "decl.session")
	}
	days := int((d + 24*time.Hour - 1) / (24 * time.Hour))
	// A Config.Messages override of the plural form CLDR picks for days
	// (decl.days#one), else of decl.days, is the developer's wording;
	// m.message returns the catalog's text when there is none. An override
	// without its one %d would print fmt's error markers on the page.
	for _, key := range []string{locales.PluralKey(l.Tag, "decl.days", days), "decl.days"} {
		format := m.l10n.message(l, key)
		if format != l.Text(key) && strings.Count(format, "%") == 1 && strings.Contains(format, "%d") {
			return fmt.Sprintf(format, days)
		}
	}
	// The catalog's form: "1 day", "2 dni", "5 dni", "21 день".
	return l.Plural("decl.days", days)
}
