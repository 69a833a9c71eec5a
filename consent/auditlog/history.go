package auditlog

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/consentkit/consentkit/consent"
)

// VisitorEntry is what a visitor sees of one of their own decisions: no
// network, user agent or page, which the visitor does not need to see and
// which a leaked consent ID should not reveal.
type VisitorEntry struct {
	Seq           int64                      `json:"seq"`
	Time          time.Time                  `json:"time"`
	Outcome       consent.Outcome            `json:"outcome"`
	Decisions     []consent.CategoryDecision `json:"decisions"`
	Withdrawn     []string                   `json:"withdrawn,omitempty"`
	Method        consent.Method             `json:"method"`
	GPC           bool                       `json:"gpc"`
	Language      string                     `json:"language"`
	PolicyVersion string                     `json:"policy_version"`
	PolicyURL     string                     `json:"policy_url"`
	BannerVersion string                     `json:"banner_version"`
	TextHash      string                     `json:"text_hash"`
}

// Granted returns the IDs of the categories the decision granted.
func (v *VisitorEntry) Granted() []string {
	r := consent.Record{Decisions: v.Decisions}
	return r.Granted()
}

func visitorView(e *Entry) VisitorEntry {
	return VisitorEntry{Seq: e.Seq, Time: e.Time, Outcome: e.Outcome, Decisions: e.Decisions,
		Withdrawn: e.Withdrawn, Method: e.Method, GPC: e.GPC, Language: e.Language,
		PolicyVersion: e.PolicyVersion, PolicyURL: e.PolicyURL, BannerVersion: e.BannerVersion, TextHash: e.TextHash}
}

// HistoryHandler serves a visitor their own consent history: GET ?id=<consent
// ID> lists every decision made under that ID, as an HTML page, or as JSON
// with ?format=json (for the preferences panel). It needs no
// authentication: the consent ID is the visitor's receipt, and its 80
// random bits (after the time of the first decision) cannot be guessed. A
// malformed ID gets 400, an ID without records 404, and nothing
// identifying (network, user agent, pages) is shown.
func HistoryHandler(log *Log) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		privateHeaders(w.Header())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		asJSON := r.URL.Query().Get("format") == "json"
		id := strings.TrimSpace(r.URL.Query().Get("id"))
		type page struct {
			ID      string
			Entries []VisitorEntry
			Error   string
		}
		reply := func(status int, p page) {
			if asJSON {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(status)
				var body any = p.Entries
				if p.Error != "" {
					body = map[string]string{"error": p.Error}
				}
				_ = json.NewEncoder(w).Encode(body)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_ = templates.ExecuteTemplate(w, "history", p)
		}
		if !ValidConsentID(id) {
			reply(http.StatusBadRequest, page{Error: "A consent ID is 32 characters, digits 0-9 and letters a-f."})
			return
		}
		es, err := log.History(r.Context(), id)
		if err != nil {
			log.opts.Logger.Error("auditlog: visitor history", "err", err)
			reply(http.StatusServiceUnavailable, page{Error: "Your history cannot be shown right now. Please try again later."})
			return
		}
		if len(es) == 0 {
			reply(http.StatusNotFound, page{Error: "No decisions are recorded under this consent ID."})
			return
		}
		p := page{ID: id, Entries: make([]VisitorEntry, len(es))}
		for i := range es {
			p.Entries[i] = visitorView(&es[i])
		}
		reply(http.StatusOK, p)
	})
}
