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
// host whose category st does not grant: the <URL> of a fetching relation,
// or any candidate of its imagesrcset, which Chromium preloads instead of
// the <URL> (a first-party <URL> can carry a tracker's image set).
func linkPreloadsTracker(entry string, m *Manager, st *State) bool {
	lt := strings.IndexByte(entry, '<')
	gt := strings.IndexByte(entry, '>')
	if lt < 0 || gt < lt {
		return false
	}
	fetches := false
	var srcset string
	for params := entry[gt+1:]; params != ""; {
		var name, val string
		name, val, params = nextLinkParam(params)
		switch {
		case strings.EqualFold(name, "rel"):
			for rel := range strings.FieldsSeq(val) {
				fetches = fetches || fetchingRel(rel)
			}
		case strings.EqualFold(name, "imagesrcset"):
			srcset = val
		}
	}
	if !fetches {
		return false
	}
	if m.blocksURL(strings.TrimSpace(entry[lt+1:gt]), st) {
		return true
	}
	for srcset != "" {
		var cand string
		cand, srcset, _ = strings.Cut(srcset, ",")
		if f := strings.Fields(cand); len(f) > 0 && m.blocksURL(f[0], st) {
			return true
		}
	}
	return false
}

// fetchingRels are the link relations that make a browser fetch or connect
// to the link's URL before anything on the page uses it.
var fetchingRels = [...]string{"preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch", "prerender", "compression-dictionary"}

// fetchingRel reports whether rel is one of fetchingRels, in any case, without
// the lower-cased copy strings.ToLower makes of "Preload" on every response.
func fetchingRel(rel string) bool {
	for _, r := range fetchingRels {
		if asciiFold(rel, r) {
			return true
		}
	}
	return false
}

// blocksURL reports whether u is a tracker's whose category st does not
// grant.
func (m *Manager) blocksURL(u string, st *State) bool {
	cat, ok := m.trackers.LookupURL(u)
	return ok && !st.Allowed(cat)
}

// nextLinkParam splits off the first ";name=value" parameter of a
// link-value's parameters, the value unquoted; a semicolon inside quotes
// does not end it.
func nextLinkParam(s string) (name, val, rest string) {
	s = strings.TrimLeft(s, " \t;")
	end := len(s)
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inQuote {
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
			continue
		}
		if c == '"' {
			inQuote = true
		} else if c == ';' {
			end = i
			break
		}
	}
	p := s[:end]
	if end < len(s) {
		rest = s[end+1:]
	}
	name, val, _ = strings.Cut(p, "=")
	return strings.TrimSpace(name), strings.Trim(strings.TrimSpace(val), `"`), rest
}
