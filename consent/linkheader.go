package consent

import (
	"net/http"
	"strings"
)

// filterLinkHeaders removes from h the Link header entries that make the
// browser fetch or connect to a tracker st does not grant: rel=preload,
// modulepreload, prefetch, preconnect, dns-prefetch and prerender. Such a
// header is the markup's <link rel=preload> in another form, and a 103 Early
// Hints response sends it before the page exists. Other entries, and other
// relations (canonical, alternate), stay as they were. It allocates only when
// it drops something.
func (m *Manager) filterLinkHeaders(h http.Header, st *State) {
	lines := h["Link"]
	if len(lines) == 0 {
		return
	}
	var kept []string
	changed := false
	for i, line := range lines {
		out, drop := m.filterLinkLine(line, st)
		if drop && !changed {
			changed = true
			kept = append(make([]string, 0, len(lines)), lines[:i]...)
		}
		if changed && out != "" {
			kept = append(kept, out)
		}
	}
	if !changed {
		return
	}
	if len(kept) == 0 {
		delete(h, "Link")
		return
	}
	h["Link"] = kept
}

// filterLinkLine returns line without its entries that preload a tracker st
// does not grant, and whether it dropped any.
func (m *Manager) filterLinkLine(line string, st *State) (string, bool) {
	dropped := false
	for rest := line; rest != "" && !dropped; {
		var entry string
		entry, rest = nextLinkEntry(rest)
		dropped = linkPreloadsTracker(entry, m, st)
	}
	if !dropped {
		return line, false
	}
	var kept []string
	for rest := line; rest != ""; {
		var entry string
		entry, rest = nextLinkEntry(rest)
		if e := strings.TrimSpace(entry); e != "" && !linkPreloadsTracker(entry, m, st) {
			kept = append(kept, e)
		}
	}
	return strings.Join(kept, ", "), true
}

// nextLinkEntry splits off the first link-value of a Link header: up to the
// first comma outside the <URL> and outside quoted parameter values.
func nextLinkEntry(s string) (entry, rest string) {
	inURL, inQuote := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case inURL:
			if c == '>' {
				inURL = false
			}
		case c == '<':
			inURL = true
		case c == '"':
			inQuote = true
		case c == ',':
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// linkPreloadsTracker reports whether one link-value fetches from a tracker
// host whose category st does not grant.
func linkPreloadsTracker(entry string, m *Manager, st *State) bool {
	lt := strings.IndexByte(entry, '<')
	gt := strings.IndexByte(entry, '>')
	if lt < 0 || gt < lt {
		return false
	}
	cat, ok := m.trackers.LookupURL(entry[lt+1 : gt])
	if !ok || st.Allowed(cat) {
		return false
	}
	for params := entry[gt+1:]; params != ""; {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, val, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
			switch strings.ToLower(rel) {
			case "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch", "prerender":
				return true
			}
		}
	}
	return false
}
