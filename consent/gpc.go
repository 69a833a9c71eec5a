package consent

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// GPC sets what the site tells user agents about Global Privacy Control
// (the Sec-GPC request header, which a Manager always honours as a refusal
// of sale or sharing).
type GPC struct {
	// WellKnown serves /.well-known/gpc.json, telling user agents the site
	// honours the signal. Default is false.
	WellKnown bool
	// LastUpdate is the "lastUpdate" date of gpc.json. Default is the time
	// New was called, to the day.
	LastUpdate time.Time
}

// serveGPCJSON serves /.well-known/gpc.json.
func (m *Manager) serveGPCJSON(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "gpc.json is read with GET")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(m.cookies.gpcJSON)))
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(m.cookies.gpcJSON)
}

func gpcSignal(h http.Header) bool {
	v := h["Sec-Gpc"]
	return len(v) == 1 && v[0] == "1"
}

// gpcWithdraw records that a GPC signal withdrew the sale-or-sharing
// categories the visitor had granted, and rewrites the cookie. It records
// once per cookie value: the old value still verifies after the rewrite,
// and replaying it must not write again. A store failure or the write
// limit leaves the cookie as it was, to be recorded on a later request;
// the signal is honoured for this request whatever happens.
func (m *Manager) gpcWithdraw(w http.ResponseWriter, r *http.Request, old *State, value string) {
	if !m.withdrawn.claim(value) {
		return // recorded already
	}
	if wait, ok := m.allowWrite(r, &old.id); !ok {
		m.withdrawn.release(value)
		m.log.Debug("consent: a GPC withdrawal is over the write limit; honoured now, recorded on a later request",
			"consent_id", old.ID(), "retry_in", wait)
		return
	}
	next := m.decidedNow(true)
	next.id, next.granted, next.method = old.id, old.granted&^m.set.saleMask, MethodGPC
	rec := m.record(r, next, old, "")
	ctx, cancel := context.WithTimeout(r.Context(), m.cfg.StoreTimeout)
	defer cancel()
	if err := m.store.Record(ctx, rec); err != nil {
		m.withdrawn.release(value)
		m.log.Error("consent: could not record a GPC withdrawal; will retry on the next request", "err", err)
		return
	}
	m.shownStored(&rec)
	if err := m.setCookie(w, r, next); err != nil {
		m.log.Error("consent: could not encode the consent cookie", "err", err)
		return
	}
	m.afterDecision(w, r, next) // expire the withdrawn categories' cookies
}
