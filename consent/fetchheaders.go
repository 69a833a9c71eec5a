package consent

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// filterFetchHeaders removes from h what makes the browser contact a
// tracker st does not grant, with no markup and no click: Link preloads
// (linkheader.go), a Refresh to a tracker (the header form of the meta
// refresh the rewriter neutralises), a Speculation-Rules list fetched
// from one, and report endpoints at one (Content-Security-Policy
// report-uri, Reporting-Endpoints, Report-To), to which a violation the
// page itself causes sends a request. Everything else stays: the policy a
// CSP enforces is untouched, only where it reports changes. A visitor who
// grants the category gets the headers again with the next response.
func (m *Manager) filterFetchHeaders(h http.Header, st *State) {
	m.filterLinkHeaders(h, st)
	if v := h["Refresh"]; len(v) > 0 && m.blocksURL(strings.TrimSpace(rewrite.RefreshURL(v[0])), st) {
		delete(h, "Refresh")
	}
	if v := h["Speculation-Rules"]; len(v) > 0 {
		m.filterList(h, "Speculation-Rules", st, func(item string) string {
			u, _, _ := strings.Cut(strings.TrimSpace(item), ";")
			return strings.Trim(strings.TrimSpace(u), `"`)
		})
	}
	if v := h["Reporting-Endpoints"]; len(v) > 0 {
		m.filterList(h, "Reporting-Endpoints", st, func(item string) string {
			_, u, _ := strings.Cut(item, "=")
			u, _, _ = strings.Cut(u, ";")
			return strings.Trim(strings.TrimSpace(u), `"`)
		})
	}
	if v := h["Report-To"]; len(v) > 0 && m.reportToTracker(v, st) {
		delete(h, "Report-To")
		delete(h, "Nel") // its reports had nowhere else to go
	}
	for _, k := range [...]string{"Content-Security-Policy", "Content-Security-Policy-Report-Only"} {
		for i, p := range h[k] {
			if f := m.filterReportURI(p, st); f != p {
				// A copy: the handler may share its slice between
				// responses.
				v := append([]string(nil), h[k]...)
				v[i] = f
				h[k] = v
			}
		}
	}
}

// filterList drops from the comma-separated header k the items whose URL
// (as urlOf finds it) is a tracker's st does not grant.
func (m *Manager) filterList(h http.Header, k string, st *State, urlOf func(string) string) {
	var kept []string
	changed := false
	for _, line := range h[k] {
		var items []string
		for rest := line; rest != ""; {
			var item string
			item, rest = nextLinkEntry(rest)
			if m.blocksURL(urlOf(item), st) {
				changed = true
				continue
			}
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		if len(items) > 0 {
			kept = append(kept, strings.Join(items, ", "))
		}
	}
	switch {
	case !changed:
	case len(kept) == 0:
		delete(h, k)
	default:
		h[k] = kept
	}
}

// reportToTracker reports whether a Report-To header (a list of JSON
// endpoint groups) names a tracker's endpoint st does not grant. What does
// not parse, the browser ignores as well.
func (m *Manager) reportToTracker(lines []string, st *State) bool {
	var groups []struct {
		Endpoints []struct {
			URL string `json:"url"`
		} `json:"endpoints"`
	}
	if json.Unmarshal([]byte("["+strings.Join(lines, ",")+"]"), &groups) != nil {
		return false
	}
	for _, g := range groups {
		for _, e := range g.Endpoints {
			if m.blocksURL(e.URL, st) {
				return true
			}
		}
	}
	return false
}

// reportsToTracker reports whether a report-uri directive of policy names
// a tracker st does not grant, without allocating.
func (m *Manager) reportsToTracker(policy string, st *State) bool {
	for d := range strings.SplitSeq(policy, ";") {
		name := true
		for f := range strings.FieldsSeq(d) {
			if name {
				if !asciiFold(f, "report-uri") {
					break
				}
				name = false
			} else if m.blocksURL(f, st) {
				return true
			}
		}
	}
	return false
}

// filterReportURI returns a Content-Security-Policy value without the
// report-uri URLs that are a tracker's st does not grant (the directive
// goes when none is left); it allocates only when it drops one.
func (m *Manager) filterReportURI(policy string, st *State) string {
	// Most policies report to the site, or nowhere: found without a copy
	// (nonces hold capitals, which ToLower would copy) or a split.
	if !containsFold(policy, "report-uri") || !m.reportsToTracker(policy, st) {
		return policy
	}
	dirs := strings.Split(policy, ";")
	for i, d := range dirs {
		f := strings.Fields(d)
		if len(f) == 0 || !strings.EqualFold(f[0], "report-uri") {
			continue
		}
		kept := f[:1]
		for _, u := range f[1:] {
			if !m.blocksURL(u, st) {
				kept = append(kept, u)
			}
		}
		if len(kept) == 1 {
			dirs[i] = ""
		} else {
			dirs[i] = " " + strings.Join(kept, " ")
		}
	}
	out := dirs[:0]
	for _, d := range dirs {
		if strings.TrimSpace(d) != "" {
			out = append(out, d)
		}
	}
	return strings.TrimSpace(strings.Join(out, ";"))
}
