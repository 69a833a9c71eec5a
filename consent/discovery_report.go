package consent

import (
	"errors"
	"hash/maphash"
	"io"
	"net/http"
	"slices"
	"strings"
)

// Limits of one loader report.
const (
	maxReportBytes = 1 << 10
	maxReportLines = 16
)

// errBadReport is what a report that is not lines of "host category" gets.
var errBadReport = errors.New("a report is up to 16 lines of \"host category\", a lower-case host name and a category ID or \"unknown\"")

// UnknownHost is the category a discovered host carries when the runtime
// guard saw a script insert it but the tracker table does not know it: a
// third party the site may need to declare, let through, not blocked.
const UnknownHost = "unknown"

// serveReport is POST {prefix}/report: the loader's report of the tracker
// hosts its runtime guard blocked, as text, one "host category" a line. It
// carries no cookie and no identifier (the loader sends it with
// credentials omitted, and nothing here reads one); only same-origin
// requests of at most 1 KiB are read, and each network (the /24 or /48)
// may send Discovery.ReportsPerMinute a minute. It answers 204, or 4xx
// with the reason; never 5xx.
func (m *Manager) serveReport(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpError(w, r, http.StatusMethodNotAllowed, "use POST")
		return
	}
	if err := m.cop.Check(r); err != nil {
		httpError(w, r, http.StatusForbidden, "cross-origin reports are refused")
		return
	}
	if r.ContentLength > maxReportBytes {
		httpError(w, r, http.StatusRequestEntityTooLarge, "a report is at most 1 KiB")
		return
	}
	addr := pseudonymPrefix(m.clientIP(r))
	var key [17]byte
	a := addr.Addr().As16()
	copy(key[:], a[:])
	key[16] = byte(addr.Bits())
	if wait, ok := m.disc.reports.take(maphash.Bytes(m.disc.reports.seed, key[:]), m.cfg.Now().UnixNano()); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		httpError(w, r, http.StatusTooManyRequests, "too many reports from this network; try again later")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReportBytes))
	if err != nil {
		httpError(w, r, http.StatusRequestEntityTooLarge, "a report is at most 1 KiB")
		return
	}
	type hit struct{ host, category string }
	var hits []hit
	for line := range strings.Lines(string(body)) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			continue
		}
		host, category, ok := strings.Cut(line, " ")
		if !ok || len(hits) == maxReportLines || !reportHost(host) || category != UnknownHost && !slices.Contains(m.set.ids, category) {
			httpError(w, r, http.StatusBadRequest, errBadReport.Error())
			return
		}
		hits = append(hits, hit{host, category})
	}
	// Counted only once the whole report is read and valid.
	for _, h := range hits {
		m.discover(DiscoveredHost, h.host, h.category)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// reportHost reports whether h is a host name as the guard reports them:
// lower-case letters, digits, '-' and '.', with a dot, at most 253 bytes.
func reportHost(h string) bool {
	if len(h) == 0 || len(h) > 253 || !strings.Contains(h, ".") || h[0] == '.' || h[len(h)-1] == '.' {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
