package auditlog

import (
	"errors"
	"net/http"
	"strconv"
)

// shownCSP lets the snapshot's inline stylesheets apply and nothing else:
// a sandbox without allow-scripts, allow-forms or allow-same-origin, so
// that markup a developer's catalog override put in the banner cannot run,
// post, or reach the review pages' origin, even opened on its own.
const shownCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"

// shown serves shown?seq=N: the snapshot of what record N's visitor was
// shown, byte for byte as stored, sandboxed (see shownCSP). The record page
// frames it.
func (h *reviewHandler) shown(w http.ResponseWriter, r *http.Request, p *reviewPage) {
	e, ok := h.entryAt(w, r, p)
	if !ok {
		return
	}
	seq := e.Seq
	if e.ShownHash == "" {
		h.fail(w, p, http.StatusNotFound, "record "+strconv.FormatInt(seq, 10)+" was logged before snapshots were kept: only its banner text is on record")
		return
	}
	s, err := h.log.Shown(r.Context(), e.ShownHash)
	switch {
	case errors.Is(err, ErrNotFound):
		h.fail(w, p, http.StatusNotFound, "the log holds no snapshot under record "+strconv.FormatInt(seq, 10)+"'s hash")
		return
	case errors.Is(err, ErrShownAltered):
		h.fail(w, p, http.StatusConflict, "the stored snapshot of record "+strconv.FormatInt(seq, 10)+" does not match its hash: it was altered; restore banner_snapshots from a backup")
		return
	case err != nil:
		h.dbError(w, p, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", shownCSP)
	hd.Set("X-Frame-Options", "SAMEORIGIN")
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(s.HTML)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write([]byte(s.HTML))
}
