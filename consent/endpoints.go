package consent

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/consentkit/consentkit/internal/locales"
)

// serveEndpoint serves the middleware's own paths and reports whether r was
// one of them. Paths under the prefix that are not the middleware's go on to
// the wrapped handler.
func (m *Manager) serveEndpoint(w http.ResponseWriter, r *http.Request) bool {
	sub := r.URL.Path[len(m.cfg.Prefix):]
	switch sub {
	case "/decision":
		m.serveDecision(w, r)
	case "/language":
		m.serveLanguage(w, r)
	case "/preferences":
		m.servePreferences(w, r)
	case "/optout":
		m.serveOptOut(w, r)
	case "/embed":
		m.serveEmbed(w, r)
	case "/cookies", "/cookies.json":
		m.serveDeclaration(w, r)
	case "/debug":
		return m.serveDebug(w, r)
	case "/report":
		if m.disc == nil {
			return false
		}
		m.serveReport(w, r)
	case "/history":
		if m.cfg.HistoryHandler == nil {
			return false
		}
		m.serveHistory(w, r)
	default:
		if name, ok := strings.CutPrefix(sub, "/assets/"); ok {
			return m.serveAsset(w, r, name)
		}
		return false
	}
	return true
}

// servePreferences is GET {prefix}/preferences: the preferences dialog as a
// whole page for visitors without JavaScript, or with ?fragment=1 as the bare
// dialog the loader injects.
func (m *Manager) servePreferences(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "use GET")
		return
	}
	st := m.requestState(w, r)
	q := r.URL.Query()
	fragment := q.Get("fragment") == "1"
	d := dataPool.Get().(*banner.Data)
	defer dataPool.Put(d)
	m.bannerData(d, r, st, m.localeFor(r, q.Get("lang")), m.nonceFor(r, w.Header()))
	d.Return = safeReturn(q.Get("return"))
	servePage(w, r, func(buf *bytes.Buffer) { banner.Preferences(buf, d, fragment) })
}

// servePage sends the page render writes: an HTML page made for this
// visitor (never cached, varying by the consent cookie), with its length,
// and no body for HEAD.
func servePage(w http.ResponseWriter, r *http.Request, render func(*bytes.Buffer)) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	render(buf)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	addVary(h, "Cookie")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(buf.Bytes())
}

func (m *Manager) nonceFor(r *http.Request, h http.Header) string {
	if m.cfg.Nonce != nil {
		return m.cfg.Nonce(r)
	}
	return cspNonce(h)
}

// serveLanguage is POST {prefix}/language: it remembers the visitor's
// language choice in a necessary cookie and goes back.
func (m *Manager) serveLanguage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpError(w, r, http.StatusMethodNotAllowed, "use POST")
		return
	}
	if err := m.cop.Check(r); err != nil {
		httpError(w, r, http.StatusForbidden, "cross-origin requests are refused")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		httpError(w, r, http.StatusBadRequest, "the language form could not be read")
		return
	}
	lang := r.PostForm.Get("lang")
	loc, ok := supportedLocale(lang)
	if !ok {
		httpError(w, r, http.StatusBadRequest, "unknown language; choose one of the listed languages")
		return
	}
	m.setLangCookie(w, r, loc.Tag.String())
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, safeReturn(r.PostForm.Get("return")), http.StatusSeeOther)
}

// supportedLocale returns the catalog whose tag is exactly lang.
func supportedLocale(lang string) (locales.Locale, bool) {
	if lang == "" || len(lang) > 35 {
		return locales.Locale{}, false
	}
	for _, l := range locales.Locales() {
		if strings.EqualFold(l.Tag.String(), lang) {
			return l, true
		}
	}
	return locales.Locale{}, false
}

// serveAsset serves the banner's script and stylesheet, and the Manager's
// host set for the runtime guard. Their names carry a content hash, so they
// are cached for a year.
func (m *Manager) serveAsset(w http.ResponseWriter, r *http.Request, name string) bool {
	body, ctype, ok := banner.Asset(name)
	gz, _ := banner.AssetGzip(name)
	for _, f := range [...]*banner.File{&m.hosts, &m.gtagHosts} {
		if !ok && name != "" && name == f.Name {
			body, gz, ctype, ok = f.Body, f.Gzip, f.ContentType, true
		}
	}
	if !ok {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "use GET")
		return true
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
	return true
}
