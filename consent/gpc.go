package consent

import (
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
