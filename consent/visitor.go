package consent

import (
	"context"
	"net/http"

	"github.com/consentkit/consentkit/internal/locales"
)

// Visitor is what the Manager knows about the visitor of a request it hands
// to Config.HistoryHandler: the language it shows them the banner in and the
// site's wording in that language. A HistoryHandler reads it with
// VisitorFrom to answer in the visitor's language, with the category names
// they saw in the banner.
type Visitor struct {
	// Lang is the BCP 47 tag of the visitor's language, one of the
	// bundled catalogs; Dir is its writing direction, "ltr" or "rtl".
	Lang, Dir string

	l10n  *l10n
	loc   locales.Locale
	texts *localeTexts
}

type visitorKey struct{}

// VisitorFrom returns the Visitor the Manager attached to a request it
// passed to Config.HistoryHandler; ok is false for any other request.
func VisitorFrom(ctx context.Context) (v Visitor, ok bool) {
	v, ok = ctx.Value(visitorKey{}).(Visitor)
	return v, ok
}

// Text returns the message for key in the visitor's language, after the
// developer's Config.Messages, or "" for a key no catalog has. The keys are
// those of the bundled catalogs, such as "history.title".
func (v Visitor) Text(key string) string {
	if v.l10n == nil {
		return ""
	}
	return v.l10n.message(v.loc, key)
}

// CategoryTitle returns the name of the category with the given ID as the
// banner shows it to the visitor; an ID the site does not configure comes
// back unchanged.
func (v Visitor) CategoryTitle(id string) string {
	if v.texts != nil {
		for _, c := range v.texts.cats {
			if c.ID == id {
				return c.Title
			}
		}
	}
	return id
}

// serveHistory hands {prefix}/history to Config.HistoryHandler with the visitor's
// language in the request's context. ?lang= picks a language the way it
// does for the preferences page.
func (m *Manager) serveHistory(w http.ResponseWriter, r *http.Request) {
	loc := m.localeFor(r, r.URL.Query().Get("lang"))
	v := Visitor{Lang: loc.Tag.String(), Dir: loc.Dir, l10n: m.l10n, loc: loc, texts: m.l10n.locale(loc)}
	addVary(w.Header(), "Accept-Language")
	m.cfg.HistoryHandler.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), visitorKey{}, v)))
}
