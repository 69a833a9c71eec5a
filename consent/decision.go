package consent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// maxDecisionBody bounds a decision request's body: a form or JSON naming
// every category is well under 1 KiB.
const maxDecisionBody = 8 << 10

// Actions a decision request can carry.
const (
	actionAcceptAll = "accept_all"
	actionRejectAll = "reject_all"
	actionSave      = "save"
	// actionOptOut (optout.go) is the "Do Not Sell or Share" form's.
)

// decisionRequest is a parsed decision request, form or JSON.
type decisionRequest struct {
	// Action is actionAcceptAll, actionRejectAll or actionSave.
	Action string `json:"action"`
	// Categories are the categories granted by actionSave.
	Categories []string `json:"categories,omitempty"`
	// Return is where a form submission goes back to.
	Return string `json:"return,omitempty"`
	// Lang is the language of the banner the visitor saw.
	Lang string `json:"lang,omitempty"`
	// JS is true in the JSON the banner's loader posts (MethodBanner);
	// JSON without it comes from the site's own code (MethodAPI). A form
	// is always the banner's, without JavaScript (MethodForm).
	JS bool `json:"js,omitempty"`
}

// parseDecision reads a decision from a form or JSON body. It reports
// whether the body was JSON, so the answer can match.
func parseDecision(w http.ResponseWriter, r *http.Request, known func(string) bool) (d decisionRequest, isJSON bool, err error) {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return d, false, badDecision("malformed Content-Type header")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxDecisionBody)
	switch ct {
	case "application/json":
		isJSON = true
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			return d, true, fmt.Errorf("%w: body is not a valid decision JSON object: %w", errBadDecision, err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return d, true, badDecision("unexpected data after the JSON object")
		}
	case "application/x-www-form-urlencoded", "":
		if err := r.ParseForm(); err != nil {
			return d, false, fmt.Errorf("%w: form could not be read: %w", errBadDecision, err)
		}
		f := r.PostForm
		for _, k := range []string{"action", "return", "lang"} {
			if len(f[k]) > 1 {
				return d, false, badDecision("field %q given %d times", k, len(f[k]))
			}
		}
		d = decisionRequest{Action: f.Get("action"), Categories: f["category"], Return: f.Get("return"), Lang: f.Get("lang")}
	default:
		return d, false, badDecision("content type %q is not supported; send a form or application/json", ct)
	}
	switch d.Action {
	case actionAcceptAll, actionRejectAll:
		if len(d.Categories) > 0 {
			if isJSON {
				return d, isJSON, badDecision("action %q takes no categories", d.Action)
			}
			// A preferences form posts its ticked boxes with every
			// button; Accept all and Reject all mean what they say.
			d.Categories = nil
		}
	case actionSave:
	case actionOptOut:
		d.Categories = nil // the opt-out page posts no boxes; it refuses sale and sharing only
	case "":
		return d, isJSON, badDecision("missing action; use accept_all, reject_all, save or opt_out")
	default:
		return d, isJSON, badDecision("unknown action %.40q; use accept_all, reject_all, save or opt_out", d.Action)
	}
	seen := map[string]bool{}
	for _, c := range d.Categories {
		if !known(c) {
			return d, isJSON, badDecision("unknown category %.64q", c)
		}
		if seen[c] {
			return d, isJSON, badDecision("category %q given twice", c)
		}
		seen[c] = true
	}
	if len(d.Lang) > 35 {
		return d, isJSON, badDecision("lang is not a language tag")
	}
	return d, isJSON, nil
}

// serveDecision is POST {prefix}/decision.
func (m *Manager) serveDecision(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpError(w, r, http.StatusMethodNotAllowed, "decisions are posted: use POST")
		return
	}
	if err := m.cop.Check(r); err != nil {
		httpError(w, r, http.StatusForbidden, "cross-origin consent decisions are refused: post from the site itself")
		return
	}
	d, isJSON, err := parseDecision(w, r, func(c string) bool { return m.set.index(c) >= 0 })
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpErrorJSON(w, isJSON, http.StatusRequestEntityTooLarge, "decision body too large")
			return
		}
		httpErrorJSON(w, isJSON, http.StatusBadRequest, err.Error())
		return
	}
	prev, current := m.previous(r.Header)
	var prevID *[16]byte
	if prev != nil {
		prevID = &prev.id
	}
	if wait, ok := m.allowWrite(r, prevID); !ok {
		m.log.Debug("consent: a decision is over the write limit; refused", "consent_id", prev.ID(), "retry_in", wait)
		w.Header().Set("Retry-After", retryAfter(wait))
		httpErrorJSON(w, isJSON, http.StatusTooManyRequests,
			"too many consent decisions from your network or browser; nothing was changed, please try again in a minute")
		return
	}
	gpc := gpcSignal(r.Header)
	next := m.decidedNow(gpc)
	if prev != nil {
		next.id = prev.id
	} else if next.id, err = newID(m.cfg.Now()); err != nil {
		httpErrorJSON(w, isJSON, http.StatusServiceUnavailable, "could not make a consent ID; try again")
		return
	}
	switch d.Action {
	case actionAcceptAll:
		next.granted = m.set.allMask
	case actionRejectAll:
		next.granted = 1
	case actionSave:
		next.granted = 1
		for _, c := range d.Categories {
			next.granted |= 1 << uint(m.set.index(c))
		}
	case actionOptOut:
		m.optOutState(next, prev, current)
	}
	if gpc {
		next.granted &^= m.set.saleMask
	}
	switch {
	case !isJSON:
		next.method = MethodForm
	case d.JS:
		next.method = MethodBanner
	default:
		next.method = MethodAPI
	}
	if !current || prev != nil && prev.optOut {
		// Withdrawal only means something under the same revision, and of
		// a consent: what an opt-out left on by default was never given.
		prev = nil
	}
	rec := m.record(r, next, prev, d.Lang)
	if d.Action == actionOptOut {
		rec.Outcome = OutcomeOptOut
	}
	if rec.PageURL == "" && d.Return != "" {
		rec.PageURL = safeReturn(d.Return)
	}
	ctx, cancel := context.WithTimeout(r.Context(), m.cfg.StoreTimeout)
	defer cancel()
	if err := m.store.Record(ctx, rec); err != nil {
		m.log.Error("consent: the consent log refused a decision; no cookie set", "err", err, "consent_id", rec.ConsentID)
		w.Header().Set("Retry-After", "5")
		httpErrorJSON(w, isJSON, http.StatusServiceUnavailable, "your choice could not be saved right now; nothing was changed, please try again")
		return
	}
	m.shownStored(&rec)
	if err := m.setCookie(w, r, next); err != nil {
		m.log.Error("consent: could not encode the consent cookie", "err", err)
		httpErrorJSON(w, isJSON, http.StatusInternalServerError, "could not save the consent cookie")
		return
	}
	m.afterDecision(w, r, next)
	w.Header().Set("Cache-Control", "no-store")
	if isJSON {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(m.stateJSON(next))
		return
	}
	http.Redirect(w, r, safeReturn(d.Return), http.StatusSeeOther)
}

// decisionAnswer is the JSON form of a State, as answered by the decision
// endpoint.
type decisionAnswer struct {
	ConsentID string    `json:"consent_id"`
	Granted   []string  `json:"granted"`
	DecidedAt time.Time `json:"decided_at"`
	Revision  string    `json:"revision"`
	GPC       bool      `json:"gpc"`
	// ConsentMode is the Google Consent Mode v2 state of every type.
	ConsentMode map[string]string `json:"consent_mode,omitempty"`
	// ClearStorage lists the declared localStorage keys (exact, or prefixes
	// ending in '*') of the categories not granted, for the loader to
	// remove: the server cannot reach browser storage.
	ClearStorage []string `json:"clear_storage,omitempty"`
}

func (m *Manager) stateJSON(s *State) decisionAnswer {
	out := decisionAnswer{ConsentID: s.ID(), Granted: s.Granted(), DecidedAt: s.DecidedAt(), Revision: s.Revision(), GPC: s.GPC(),
		ConsentMode: m.consentMode(s)}
	for _, c := range m.set.ids {
		if !s.Allowed(c) {
			out.ClearStorage = append(out.ClearStorage, m.localStorageKeys(c)...)
		}
	}
	return out
}

// record builds the audit record of a decision.
func (m *Manager) record(r *http.Request, next, prev *State, lang string) Record {
	rec := Record{
		ConsentID:     next.ID(),
		Time:          next.decidedAt,
		Revision:      next.Revision(),
		PolicyVersion: m.cfg.PolicyVersion,
		PolicyURL:     m.cfg.PolicyURL,
		Method:        next.method,
		GPC:           next.gpc,
		PageURL:       pageURL(r),
		IPPrefix:      pseudonymize(m.clientIP(r)),
		UserAgent:     truncate(r.Header.Get("User-Agent"), 512),
	}
	optional := 0
	granted := 0
	for i, id := range m.set.ids {
		g := next.granted&(1<<uint(i)) != 0
		rec.Decisions = append(rec.Decisions, CategoryDecision{Category: id, Granted: g})
		if id != Necessary {
			optional++
			if g {
				granted++
			}
		}
		if prev != nil && !g && prev.granted&(1<<uint(i)) != 0 {
			rec.Withdrawn = append(rec.Withdrawn, id)
		}
	}
	switch {
	case next.optOut:
		rec.Outcome = OutcomeOptOut
	case granted == optional:
		rec.Outcome = OutcomeAcceptAll
	case granted == 0:
		rec.Outcome = OutcomeRejectAll
	default:
		rec.Outcome = OutcomeCustom
	}
	if reg, rule := m.regionOf(r); rule != nil {
		rec.Region, rec.Model = reg.String(), rule.model
	}
	m.describeBanner(r, &rec, lang)
	return rec
}

func pageURL(r *http.Request) string {
	if ref := r.Header.Get("Referer"); ref != "" {
		if u, err := url.Parse(ref); err == nil && u.Host == r.Host {
			return truncate(u.RequestURI(), 1024)
		}
	}
	return ""
}

func (m *Manager) clientIP(r *http.Request) string {
	if m.cfg.ClientIP != nil {
		return m.cfg.ClientIP(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// pseudonymize keeps the network of an address, not the host: /24 for IPv4
// and /48 for IPv6, which is what the consent log may hold.
func pseudonymize(ip string) string {
	p := pseudonymPrefix(ip)
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

// pseudonymPrefix is pseudonymize's network as a value: the key of the
// address WriteLimits. It is the zero Prefix when ip is not an address.
func pseudonymPrefix(ip string) netip.Prefix {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap().WithZone("")
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	// Do not cut a UTF-8 sequence in half.
	for len(s) > 0 && s[len(s)-1]&0xC0 == 0x80 {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] >= 0xC0 {
		s = s[:len(s)-1]
	}
	return s
}
