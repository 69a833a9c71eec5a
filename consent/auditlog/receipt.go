package auditlog

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/consentkit/consentkit/consent"
)

// receipt is a visitor's receipt for one decision, in the shape of the
// Kantara Initiative Consent Receipt Specification v1.1, so that the
// visitor keeps proof of their choice in a form other tools read. Field
// names and order are the specification's.
type receipt struct {
	Version          string              `json:"version"`
	Jurisdiction     string              `json:"jurisdiction"`
	ConsentTimestamp int64               `json:"consentTimestamp"`
	CollectionMethod string              `json:"collectionMethod"`
	ConsentReceiptID string              `json:"consentReceiptID"`
	PublicKey        string              `json:"publicKey,omitempty"`
	Language         string              `json:"language"`
	PIIPrincipalID   string              `json:"piiPrincipalId"`
	PIIControllers   []receiptController `json:"piiControllers"`
	PolicyURL        string              `json:"policyUrl"`
	Services         []receiptService    `json:"services"`
	Sensitive        bool                `json:"sensitive"`
	SPICat           []string            `json:"spiCat"`
}

type receiptController struct {
	PIIController    string `json:"piiController"`
	OnBehalf         bool   `json:"onBehalf"`
	Contact          string `json:"contact"`
	Address          string `json:"address"`
	Email            string `json:"email"`
	Phone            string `json:"phone"`
	PIIControllerURL string `json:"piiControllerUrl,omitempty"`
}

type receiptService struct {
	Service  string           `json:"service"`
	Purposes []receiptPurpose `json:"purposes"`
}

type receiptPurpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName,omitempty"`
}

// receiptVersion is the specification version the receipt follows.
const receiptVersion = "KI-CR-v1.1.0"

// newReceipt builds the receipt of e: one service (the site) whose
// purposes are the categories the visitor granted, named in their
// language, each with the third parties the banner named (from shown, when
// the log holds it). The receipt's ID is the record's chain hash, so that
// the receipt points at its proof in the log.
func newReceipt(e *Entry, c Controller, shown *consent.Shown, category func(string) string) receipt {
	r := receipt{
		Version:          receiptVersion,
		Jurisdiction:     c.jurisdiction(),
		ConsentTimestamp: e.Time.Unix(),
		CollectionMethod: indicationMethods[e.Method],
		ConsentReceiptID: e.Hash,
		Language:         e.Language,
		PIIPrincipalID:   e.ConsentID,
		PIIControllers: []receiptController{{PIIController: c.Name, Contact: c.Contact, Address: c.Address,
			Email: c.Email, Phone: c.Phone, PIIControllerURL: c.URL}},
		PolicyURL: e.PolicyURL,
		SPICat:    []string{},
	}
	if r.CollectionMethod == "" {
		r.CollectionMethod = string(e.Method)
	}
	svc := receiptService{Service: c.Name, Purposes: []receiptPurpose{}}
	if svc.Service == "" {
		svc.Service = "website"
	}
	for _, id := range e.Granted() {
		if id == consent.Necessary {
			continue
		}
		p := receiptPurpose{Purpose: category(id), PurposeCategory: []string{id}, ConsentType: "EXPLICIT",
			PIICategory: []string{"online identifiers (cookies and similar browser storage)"},
			Termination: "withdraw at any time through the site's cookie settings"}
		if names := providersOf(shown, id); len(names) > 0 {
			p.ThirdPartyDisclosure, p.ThirdPartyName = true, strings.Join(names, ", ")
		}
		svc.Purposes = append(svc.Purposes, p)
	}
	r.Services = []receiptService{svc}
	return r
}

// providersOf returns the third parties shown names for category id.
func providersOf(shown *consent.Shown, id string) []string {
	if shown == nil {
		return nil
	}
	for _, p := range shown.Providers {
		if p.Category == id {
			return p.Providers
		}
	}
	return nil
}

// receiptPage is what the receipt template shows, every word translated.
type receiptPage struct {
	Lang, Dir  string
	T          func(key string) string
	ID         string
	Receipt    receipt
	Row        historyRow
	Controller Controller
	// Parties lists, per granted category, its name and third parties.
	Parties []receiptParty
	// JSON and Back link to the JSON form and the history.
	JSON, Back template.URL
}

type receiptParty struct{ Category, Names string }

// serveReceipt answers ?id=…&receipt=SEQ: the receipt of the decision at
// SEQ, if it was made under id (else 404, so that an ID reveals only its
// own decisions), as a printable page or, with format=json, as a JSON
// download.
func serveReceipt(w http.ResponseWriter, r *http.Request, log *Log, id string, tr historyText, asJSON bool) {
	q := r.URL.Query()
	fail := func(status int, key string) {
		if asJSON {
			writeJSON(w, status, map[string]string{"error": tr.text(key)})
			return
		}
		renderHistory(w, status, tr, historyPage{Error: tr.text(key)})
	}
	seq := historyCursor(q.Get("receipt"))
	e, err := log.Get(r.Context(), seq)
	if errors.Is(err, ErrNotFound) || err == nil && e.ConsentID != id {
		fail(http.StatusNotFound, "history.error.not_found")
		return
	}
	if err != nil {
		log.opts.Logger.Error("auditlog: visitor receipt", "err", err)
		fail(http.StatusServiceUnavailable, "history.error.unavailable")
		return
	}
	var shown *consent.Shown
	if e.ShownHash != "" {
		if s, err := log.Shown(r.Context(), e.ShownHash); err == nil {
			shown = &s
		}
	}
	rc := newReceipt(&e, log.opts.Controller, shown, tr.category)
	if asJSON {
		w.Header().Set("Content-Disposition", `attachment; filename="consent-receipt-`+strconv.FormatInt(seq, 10)+`.json"`)
		writeJSON(w, http.StatusOK, rc)
		return
	}
	v := visitorView(&e)
	p := receiptPage{Lang: tr.lang, Dir: tr.dir, T: tr.text, ID: id, Receipt: rc, Row: tr.row(&v),
		Controller: log.opts.Controller}
	for _, c := range e.Granted() {
		if c != consent.Necessary {
			p.Parties = append(p.Parties, receiptParty{Category: tr.category(c), Names: tr.list(providersOf(shown, c))})
		}
	}
	keep := url.Values{"id": {id}}
	if s := q.Get("lang"); s != "" {
		keep.Set("lang", s)
	}
	p.Back = template.URL("?" + keep.Encode())
	keep.Set("receipt", strconv.FormatInt(seq, 10))
	keep.Set("format", "json")
	p.JSON = template.URL("?" + keep.Encode())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", tr.lang)
	w.WriteHeader(http.StatusOK)
	_ = templates.ExecuteTemplate(w, "receipt", p)
}

// receiptLink returns the relative URL of the receipt of the decision at
// seq, keeping the language the page was asked in.
func receiptLink(q url.Values, id string, seq int64) string {
	v := url.Values{"id": {id}, "receipt": {strconv.FormatInt(seq, 10)}}
	if s := q.Get("lang"); s != "" {
		v.Set("lang", s)
	}
	return "?" + v.Encode()
}
