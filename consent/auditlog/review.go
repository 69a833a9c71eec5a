package auditlog

import (
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/consentkit/consentkit/consent"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"utc":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000") },
	"day":  func(t time.Time) string { return t.UTC().Format(dateLayout) },
	"join": func(s []string) string { return strings.Join(s, ", ") },
	"denied": func(ds []consent.CategoryDecision) []string {
		var out []string
		for _, d := range ds {
			if !d.Granted {
				out = append(out, d.Category)
			}
		}
		return out
	},
	"prev": func(n int64) int64 { return max(n-1, 1) },
	"pct":  func(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" },
	"num":  func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"or1":  func(f float64) float64 { return max(f, 1) },
	"table": func(caption, head string, rows []StatGroup) statsTableData {
		return statsTableData{Caption: caption, Head: head, Rows: rows}
	},
	"next": func(n int64) int64 { return n + 1 },
	"sha256": func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	},
	"cells": func(d DayCount, cats []string) []CategoryCount {
		out := make([]CategoryCount, len(cats))
		for i, c := range cats {
			out[i].Category = c
			for _, cc := range d.Categories {
				if cc.Category == c {
					out[i] = cc
				}
			}
		}
		return out
	},
}).ParseFS(templateFS, "templates/*.html"))

// statsTableData is a table of the statistics page.
type statsTableData struct {
	Caption, Head string
	Rows          []StatGroup
}

// ReviewOptions configures NewReviewHandler.
type ReviewOptions struct {
	// Authorize reports whether a request may see the log. Required; see
	// BasicAuth for a simple one, or check the application's own session.
	Authorize func(*http.Request) bool
	// Realm is the basic-auth realm named in the 401 response. Default is
	// "Consent log".
	Realm string
	// PageSize is how many records a list page shows. Default is 50.
	PageSize int
	// Logger receives export failures. Default is slog.Default().
	Logger *slog.Logger
}

// BasicAuth returns an authorizer for ReviewOptions.Authorize that accepts
// HTTP basic credentials user and pass. Both are compared in constant time
// through their SHA-256 digests, so neither their content nor their length
// leaks through timing. Empty user or pass accepts nobody.
func BasicAuth(user, pass string) func(*http.Request) bool {
	if user == "" || pass == "" {
		return func(*http.Request) bool { return false }
	}
	wantU, wantP := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	return func(r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		if !ok {
			return false
		}
		gotU, gotP := sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))
		// Both comparisons always run: & rather than &&.
		return subtle.ConstantTimeCompare(gotU[:], wantU[:])&subtle.ConstantTimeCompare(gotP[:], wantP[:]) == 1
	}
}

type reviewHandler struct {
	log  *Log
	opts ReviewOptions
}

// NewReviewHandler returns the auditors' review pages for log, to be
// mounted under a path ending in "/" with http.StripPrefix or as is (links
// are relative):
//
//	./                 records, newest first, with filters and paging
//	record?seq=N       one record, with the banner text shown and its hash check
//	shown?seq=N        what record N's visitor was shown, byte for byte, sandboxed
//	counts             decisions per day: accept, reject, custom, and per category
//	stats              rates by day, banner version and language, as charts
//	                   and tables, or with ?format=json as DecisionStats
//	discovered         undeclared cookies and blocked hosts (consent.Discovery)
//	                   with the Open Cookie Database's suggestion
//	verify             the result of Log.Verify and the latest checkpoints
//	export?format=csv|jsonl|dpv&…  the filtered records, streamed; dpv is
//	                   ISO/IEC TS 27560 JSON-LD (see WriteDPV)
//
// Every page takes the filter parameters of ParseFilter; the list page also
// exports with ?format=csv or ?format=jsonl. Requests that Authorize
// refuses get 401 with a basic-auth challenge. Pages are server-rendered
// with html/template (every stored field is escaped), use no script, and
// print cleanly. Mounted behind the consent middleware, they get no banner
// (consent.LeaveAlone).
func NewReviewHandler(log *Log, opts ReviewOptions) (http.Handler, error) {
	if log == nil {
		return nil, errors.New("auditlog: the review handler needs a Log")
	}
	if opts.Authorize == nil {
		return nil, ErrNoAuthorizer
	}
	if opts.Realm == "" {
		opts.Realm = "Consent log"
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 50
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &reviewHandler{log: log, opts: opts}, nil
}

// reviewPage is what every review template receives.
type reviewPage struct {
	Title, Nav, Action string
	Form               url.Values
	Query              string // the filter, encoded, for links
	Outcomes           []consent.Outcome
	Methods            []consent.Method
	Models             []consent.Model

	Entries []Entry
	Cursor  int64
	Next    string

	Entry  *Entry
	HashOK bool
	// Shown is the record's snapshot; ShownProblem says why there is
	// none to show.
	Shown        *consent.Shown
	ShownProblem string

	Days       []DayCount
	Categories []string
	Totals     DayCount

	Report      *Report
	Checkpoints []Checkpoint

	Stats       *DecisionStats
	Charts      []chart
	Discoveries []discoveryRow

	Error string
}

// privateHeaders keeps personal data out of caches and other origins.
func privateHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
}

func (h *reviewHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	privateHeaders(w.Header())
	// Behind the consent middleware: no banner, whose assets the CSP above
	// blocks anyway.
	consent.LeaveAlone(w)
	if !h.opts.Authorize(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+strings.ReplaceAll(h.opts.Realm, `"`, "'")+`", charset="UTF-8"`)
		http.Error(w, "authorization required", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	page := strings.TrimPrefix(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], "/")
	q := r.URL.Query()
	f, err := ParseFilter(q)
	p := &reviewPage{Form: q, Query: f.values().Encode(), Outcomes: []consent.Outcome{
		consent.OutcomeAcceptAll, consent.OutcomeRejectAll, consent.OutcomeCustom},
		Methods: []consent.Method{consent.MethodBanner, consent.MethodForm, consent.MethodAPI, consent.MethodGPC},
		Models:  []consent.Model{consent.ModelOptIn, consent.ModelOptOut, consent.ModelNotice}}
	if err != nil {
		h.fail(w, p, http.StatusBadRequest, err.Error())
		return
	}
	switch page {
	case "", "records":
		if format := q.Get("format"); format != "" && format != "html" {
			h.export(w, r, f, format)
			return
		}
		h.list(w, r, f, p)
	case "record":
		h.record(w, r, p)
	case "shown":
		h.shown(w, r, p)
	case "counts":
		h.counts(w, r, f, p)
	case "stats":
		h.stats(w, r, f, p)
	case "discovered":
		h.discovered(w, r, p)
	case "verify":
		h.verify(w, r, p)
	case "export":
		h.export(w, r, f, q.Get("format"))
	default:
		h.fail(w, p, http.StatusNotFound, "no such page")
	}
}

func (h *reviewHandler) render(w http.ResponseWriter, status int, name string, p *reviewPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := templates.ExecuteTemplate(w, name, p); err != nil {
		h.opts.Logger.Error("auditlog: render review page", "page", name, "err", err)
	}
}

func (h *reviewHandler) fail(w http.ResponseWriter, p *reviewPage, status int, msg string) {
	p.Title, p.Error = http.StatusText(status), msg
	h.render(w, status, "error", p)
}

func (h *reviewHandler) list(w http.ResponseWriter, r *http.Request, f Filter, p *reviewPage) {
	p.Title, p.Nav, p.Action = "Records", "list", "./"
	f.Desc, f.After, f.Limit = true, 0, h.opts.PageSize+1
	p.Cursor = f.Before
	es, err := h.log.collect(r.Context(), f)
	if err != nil {
		h.dbError(w, p, err)
		return
	}
	if len(es) > h.opts.PageSize {
		es = es[:h.opts.PageSize]
		v := f.values()
		v.Set("before", strconv.FormatInt(es[len(es)-1].Seq, 10))
		p.Next = "./?" + v.Encode()
	}
	p.Entries = es
	h.render(w, http.StatusOK, "list", p)
}

// entryAt reads the record that ?seq= names, answering the request itself
// (400, 404 or a database error) when it returns false.
func (h *reviewHandler) entryAt(w http.ResponseWriter, r *http.Request, p *reviewPage) (Entry, bool) {
	seq, err := strconv.ParseInt(r.URL.Query().Get("seq"), 10, 64)
	if err != nil || seq <= 0 {
		h.fail(w, p, http.StatusBadRequest, "seq must be a record position")
		return Entry{}, false
	}
	e, err := h.log.Get(r.Context(), seq)
	if errors.Is(err, ErrNotFound) {
		h.fail(w, p, http.StatusNotFound, "no record at position "+strconv.FormatInt(seq, 10))
		return Entry{}, false
	}
	if err != nil {
		h.dbError(w, p, err)
		return Entry{}, false
	}
	return e, true
}

func (h *reviewHandler) record(w http.ResponseWriter, r *http.Request, p *reviewPage) {
	e, ok := h.entryAt(w, r, p)
	if !ok {
		return
	}
	seq := e.Seq
	p.Title, p.Entry = "Record "+strconv.FormatInt(seq, 10), &e
	hash, err := HashRecordVersion(e.HashVersion, e.Seq, &e.Record, e.PrevHash)
	p.HashOK = err == nil && hash == e.Hash && coveredByVersion(e.HashVersion, &e.Record)
	if e.ShownHash != "" {
		s, err := h.log.Shown(r.Context(), e.ShownHash)
		switch {
		case err == nil:
			p.Shown = &s
			// The snapshot is framed from the shown page, sandboxed.
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		case errors.Is(err, ErrNotFound):
			p.ShownProblem = "The log holds no snapshot under this hash."
		case errors.Is(err, ErrShownAltered):
			p.ShownProblem = "The stored snapshot does not match this hash: it was altered."
		default:
			h.dbError(w, p, err)
			return
		}
	}
	h.render(w, http.StatusOK, "record", p)
}

func (h *reviewHandler) counts(w http.ResponseWriter, r *http.Request, f Filter, p *reviewPage) {
	p.Title, p.Nav, p.Action = "Daily counts", "counts", "counts"
	days, err := h.log.DailyCounts(r.Context(), f)
	if err != nil {
		h.dbError(w, p, err)
		return
	}
	p.Days = days
	totals := map[string]*CategoryCount{}
	for _, d := range days {
		p.Totals.Total += d.Total
		p.Totals.AcceptAll += d.AcceptAll
		p.Totals.RejectAll += d.RejectAll
		p.Totals.Custom += d.Custom
		for _, c := range d.Categories {
			t := totals[c.Category]
			if t == nil {
				t = &CategoryCount{Category: c.Category}
				totals[c.Category] = t
				p.Categories = append(p.Categories, c.Category)
			}
			t.Granted += c.Granted
			t.Denied += c.Denied
		}
	}
	slices.Sort(p.Categories)
	for _, c := range p.Categories {
		p.Totals.Categories = append(p.Totals.Categories, *totals[c])
	}
	h.render(w, http.StatusOK, "counts", p)
}

func (h *reviewHandler) verify(w http.ResponseWriter, r *http.Request, p *reviewPage) {
	p.Title, p.Nav = "Chain verification", "verify"
	rep, err := h.log.Verify(r.Context())
	if err != nil {
		h.dbError(w, p, err)
		return
	}
	cps, err := h.log.Checkpoints(r.Context())
	if err != nil {
		h.dbError(w, p, err)
		return
	}
	slices.Reverse(cps)
	p.Report, p.Checkpoints = &rep, cps[:min(len(cps), 50)]
	h.render(w, http.StatusOK, "verify", p)
}

func (h *reviewHandler) dbError(w http.ResponseWriter, p *reviewPage, err error) {
	h.opts.Logger.Error("auditlog: review page", "err", err)
	h.fail(w, p, http.StatusServiceUnavailable, "the consent log cannot be read right now")
}
