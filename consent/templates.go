package consent

import (
	"context"
	"html/template"
	"net/http"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/consentkit/consentkit/internal/locales"
)

// TemplateFuncs returns functions for the developer's html/template pages,
// so markup can be gated on consent on the server:
//
//	consentAllowed REQ "analytics"   → bool
//	consentSettingsLink REQ          → the localized "Cookie settings" link,
//	                                   which replaces the automatic one
//	consentScript "/app.js" NONCE    → <script src> carrying the CSP nonce
//	consentID REQ                    → the visitor's consent ID ("" if undecided)
//	consentOptOutLink REQ            → the localized "Do Not Sell or Share My
//	                                   Personal Information" link, with the
//	                                   "Opt-out request honored" status when it
//	                                   is (see Regions.OwnOptOutLink)
//
// REQ is the *http.Request, its context.Context, or the *State. A value of
// another type counts as undecided. Register them once at parse time:
//
//	t := template.Must(template.New("").Funcs(cm.TemplateFuncs()).ParseFS(…))
//
// For templates that cannot pass the request, see TemplateFuncsFor.
//
// The settings link carries data-ck-settings. The middleware, seeing it (or
// the attribute on an <a> or <button> of the page's own) before </body>,
// leaves out its own "Cookie settings" link, so the page shows one, where
// the developer put it; the loader opens the preferences from it.
func (m *Manager) TemplateFuncs() template.FuncMap {
	return template.FuncMap{
		"consentAllowed":      func(x any, category string) bool { return stateOf(x).Allowed(category) },
		"consentSettingsLink": func(x any) template.HTML { return m.settingsLink(requestOf(x)) },
		"consentScript":       func(src, nonce string) template.HTML { return banner.ScriptTag(src, nonce) },
		"consentID":           func(x any) string { return stateOf(x).ID() },
		"consentOptOutLink":   func(x any) template.HTML { return m.optOutLink(requestOf(x)) },
	}
}

// TemplateFuncsFor returns the functions of TemplateFuncs bound to r, without the
// request argument: {{consentAllowed "analytics"}}, {{consentSettingsLink}},
// {{consentScript "/app.js"}} (with Config.Nonce's nonce) and {{consentID}}.
// Use them on a clone of a parsed template (Clone, then Funcs), because
// Funcs changes the template it is called on.
func (m *Manager) TemplateFuncsFor(r *http.Request) template.FuncMap {
	st := FromRequest(r)
	nonce := ""
	if m.cfg.Nonce != nil {
		nonce = m.cfg.Nonce(r)
	}
	return template.FuncMap{
		"consentAllowed":      func(category string) bool { return st.Allowed(category) },
		"consentSettingsLink": func() template.HTML { return m.settingsLink(r) },
		"consentScript":       func(src string) template.HTML { return banner.ScriptTag(src, nonce) },
		"consentID":           func() string { return st.ID() },
		"consentOptOutLink":   func() template.HTML { return m.optOutLink(r) },
	}
}

func (m *Manager) settingsLink(r *http.Request) template.HTML {
	loc, ret := locales.Match(""), "/" // English, back to the home page
	if r != nil {
		loc, ret = m.localeFor(r, ""), safeReturn(r.URL.RequestURI())
	}
	return banner.SettingsLink(m.cfg.Prefix, ret, m.l10n.message(loc, "settings.link"))
}

func stateOf(x any) *State {
	switch v := x.(type) {
	case *State:
		if v != nil {
			return v
		}
	case *http.Request:
		return FromRequest(v)
	case context.Context:
		return FromContext(v)
	}
	return &undecided
}

func requestOf(x any) *http.Request {
	if r, ok := x.(*http.Request); ok {
		return r
	}
	return nil
}
