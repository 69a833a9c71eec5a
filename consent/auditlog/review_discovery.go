package auditlog

import (
	"net/http"
	"strconv"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/internal/cookiedb"
)

// discoveryRow is one line of the discovery page: what was seen, what the
// Open Cookie Database says of it, and the declaration to paste.
type discoveryRow struct {
	consent.Discovered
	// Where says in words where it was seen.
	Where string
	// Known reports whether the database knows the cookie; Suggestion is
	// then its entry.
	Known      bool
	Suggestion cookiedb.Entry
	// Go is the Go to paste into Config.Cookies, or for a host, the markup
	// that declares its scripts.
	Go string
}

// discoveryRowOf fills a discoveryRow.
func discoveryRowOf(d consent.Discovered) discoveryRow {
	row := discoveryRow{Discovered: d}
	switch d.Kind {
	case consent.DiscoveredHost:
		row.Where = "blocked in the browser by the runtime guard"
		if d.Category == consent.UnknownHost {
			// Not in the tracker table: the guard let it through.
			row.Where = "inserted by a script, unknown to the tracker table (let through)"
			row.Go = `<script src="https://` + d.Name + `/…" data-consent="…"></script>, or Config.Trackers: {"` + d.Name + `": "…"}`
			return row
		}
		row.Go = `<script src="https://` + d.Name + `/…" data-consent="` + d.Category + `"></script>`
		return row
	case consent.DiscoveredSetCookie:
		row.Where = "set by the server (Set-Cookie)"
	default:
		row.Where = "sent by browsers, set by a script"
	}
	row.Suggestion, row.Known = cookiedb.Lookup(d.Name)
	name := strconv.Quote(d.Name)
	switch {
	case !row.Known:
		row.Go = `consent.CookieSpec{Name: ` + name + `, Category: "…", Provider: "…", Purpose: map[string]string{"en": "…"}},`
	case row.Suggestion.Category == consent.Necessary:
		// KnownCookie cannot say why this site needs it.
		row.Go = `func() consent.CookieSpec { s := consent.KnownCookie(` + name +
			`); s.Justification = map[string]string{"en": "…"}; return s }(),`
	default:
		row.Go = `consent.KnownCookie(` + name + `),`
	}
	return row
}

// discovered serves the discovery page.
func (h *reviewHandler) discovered(w http.ResponseWriter, r *http.Request, p *reviewPage) {
	p.Title, p.Nav = "Discovered cookies and hosts", "discovered"
	ds, err := h.log.Discoveries(r.Context())
	if err != nil {
		h.dbError(w, p, err)
		return
	}
	for _, d := range ds {
		p.Discoveries = append(p.Discoveries, discoveryRowOf(d))
	}
	h.render(w, http.StatusOK, "discovered", p)
}
