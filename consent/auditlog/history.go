package auditlog

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/internal/locales"
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
// ID> lists the decisions made under that ID, newest first, as an HTML page,
// or as a JSON array with ?format=json (for the preferences panel). It
// needs no authentication: the consent ID is the visitor's receipt, and its
// 80 random bits (after the time of the first decision) cannot be guessed. A
// malformed ID gets 400, an ID without records 404, and nothing
// identifying (network, user agent, pages) is shown.
//
// Each decision links to its receipt, ?id=…&receipt=<seq>: a printable page
// in the visitor's language, and with &format=json a download in the
// shape of the Kantara Consent Receipt v1.1, naming Options.Controller and
// the third parties the banner named. A receipt is served only under the
// consent ID it was made under.
//
// A page holds at most HistoryPageSize decisions, because anyone holding a
// consent cookie can pile up records under its ID. The page links to the
// older and newer pages with ?before= and ?after= (the JSON answer in a
// Link header, rel="next" for older and rel="prev" for newer); a cursor
// that is not a positive number is ignored.
//
// The page speaks the visitor's language: the one the consent Manager shows
// them the banner in when it serves the handler as Config.HistoryHandler (see
// consent.VisitorFrom), with the category names of the site's banner;
// otherwise the best match of ?lang= and Accept-Language among the bundled
// catalogs. Config.Messages overrides its texts like the banner's, under
// the catalogs' "history.*" keys.
func HistoryHandler(log *Log) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		privateHeaders(w.Header())
		consent.LeaveAlone(w) // no banner on the visitor's own record, mounted anywhere
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		q := r.URL.Query()
		asJSON := q.Get("format") == "json"
		id := strings.TrimSpace(q.Get("id"))
		tr := historyTextFor(r)
		reply := func(status int, p historyPage) {
			if asJSON {
				if p.Older != "" {
					w.Header().Add("Link", "<"+p.Older+`>; rel="next"`)
				}
				if p.Newer != "" {
					w.Header().Add("Link", "<"+p.Newer+`>; rel="prev"`)
				}
				var body any = p.Entries
				if p.Error != "" {
					body = map[string]string{"error": p.Error}
				}
				writeJSON(w, status, body)
				return
			}
			renderHistory(w, status, tr, p)
		}
		if !validConsentID(id) {
			reply(http.StatusBadRequest, historyPage{Error: tr.text("history.error.bad_id")})
			return
		}
		if q.Has("receipt") {
			serveReceipt(w, r, log, id, tr, asJSON)
			return
		}
		before, after := historyCursor(q.Get("before")), historyCursor(q.Get("after"))
		hp, err := log.History(r.Context(), id, before, after)
		if err != nil {
			log.opts.Logger.Error("auditlog: visitor history", "err", err)
			reply(http.StatusServiceUnavailable, historyPage{Error: tr.text("history.error.unavailable")})
			return
		}
		if len(hp.Entries) == 0 && hp.Older == 0 && hp.Newer == 0 {
			reply(http.StatusNotFound, historyPage{Error: tr.text("history.error.not_found")})
			return
		}
		p := historyPage{ID: id, Entries: make([]VisitorEntry, len(hp.Entries)),
			Older: historyLink(q, id, "before", hp.Older), Newer: historyLink(q, id, "after", hp.Newer)}
		for i := range hp.Entries {
			p.Entries[i] = visitorView(&hp.Entries[i])
			if !asJSON {
				row := tr.row(&p.Entries[i])
				row.Receipt = receiptLink(q, id, p.Entries[i].Seq)
				p.Rows = append(p.Rows, row)
			}
		}
		reply(http.StatusOK, p)
	})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// renderHistory answers with the history page p in tr's language.
func renderHistory(w http.ResponseWriter, status int, tr historyText, p historyPage) {
	p.Lang, p.Dir, p.T = tr.lang, tr.dir, tr.text
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", tr.lang)
	w.WriteHeader(status)
	_ = templates.ExecuteTemplate(w, "history", p)
}

// historyCursor reads a page cursor; anything but a positive position
// reads as none, which shows the newest page rather than an error.
func historyCursor(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// historyLink returns the relative URL of the page at cursor, "" for none.
// It keeps only the parameters the page reads, so that a link never
// carries along what else was in the URL.
func historyLink(q url.Values, id, name string, cursor int64) string {
	if cursor <= 0 {
		return ""
	}
	v := url.Values{"id": {id}, name: {strconv.FormatInt(cursor, 10)}}
	if s := q.Get("lang"); s != "" {
		v.Set("lang", s)
	}
	if q.Get("format") == "json" {
		v.Set("format", "json")
	}
	return "?" + v.Encode()
}

// historyPage is what the history template shows.
type historyPage struct {
	Lang, Dir string
	T         func(key string) string
	ID        string
	Entries   []VisitorEntry // the JSON answer
	Rows      []historyRow
	// Older and Newer link to the neighbouring pages, "" when none.
	Older, Newer string
	Error        string
}

// historyRow is one decision as the page shows it, every word translated.
type historyRow struct {
	Time, Choice                string
	Allowed, Refused, Withdrawn string
	How                         string
	PolicyVersion, PolicyURL    string
	Receipt                     string // the link to the decision's receipt
}

// historyText translates the history page for one request.
type historyText struct {
	lang, dir string
	// text returns the message for key in the visitor's language, in
	// English when that lacks it, or key itself when no catalog has it.
	text     func(key string) string
	category func(id string) string
}

func historyTextFor(r *http.Request) historyText {
	if v, ok := consent.VisitorFrom(r.Context()); ok {
		return historyText{lang: v.Lang, dir: v.Dir, category: v.CategoryTitle, text: func(key string) string {
			if s := v.Text(key); s != "" {
				return s
			}
			return key
		}}
	}
	loc := locales.Match(r.Header.Get("Accept-Language"), r.URL.Query().Get("lang"))
	return historyText{lang: loc.Tag.String(), dir: loc.Dir, text: loc.Text, category: func(id string) string {
		if s := loc.Text("cat." + id + ".title"); s != "cat."+id+".title" {
			return s
		}
		return id
	}}
}

// list names the categories ids in the visitor's language.
func (h historyText) list(ids []string) string {
	if len(ids) == 0 {
		return h.text("history.none")
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = h.category(id)
	}
	return strings.Join(names, ", ")
}

func (h historyText) row(v *VisitorEntry) historyRow {
	var refused []string
	for _, d := range v.Decisions {
		if !d.Granted {
			refused = append(refused, d.Category)
		}
	}
	row := historyRow{Time: v.Time.UTC().Format("2006-01-02 15:04:05"), Choice: h.known("history.outcome.", string(v.Outcome)),
		Allowed: h.list(v.Granted()), Refused: h.list(refused), Withdrawn: h.list(v.Withdrawn),
		How: h.known("history.method.", string(v.Method)), PolicyVersion: v.PolicyVersion, PolicyURL: v.PolicyURL}
	if v.GPC && v.Method != consent.MethodGPC {
		row.How += " · " + h.text("history.gpc")
	}
	return row
}

// known translates a stored value under prefix, and shows a value no
// catalog knows (a log written by a later version) as it is.
func (h historyText) known(prefix, value string) string {
	if s := h.text(prefix + value); s != prefix+value {
		return s
	}
	return value
}
