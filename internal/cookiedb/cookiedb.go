package cookiedb

import (
	"slices"
	"strings"
	"sync"
)

// Entry describes a cookie or storage key the database knows.
type Entry struct {
	// Platform is the product that sets it, such as "Google Analytics".
	Platform string
	// Category is the consent category: "necessary", "preferences",
	// "analytics" or "marketing".
	Category string
	// Retention is how long it lives, as the database words it ("2 years",
	// "session").
	Retention string
	// Controller is the data controller behind the platform.
	Controller string
	// PrivacyURL is the controller's privacy or GDPR rights page, or "".
	PrivacyURL string
}

// The consent categories entries carry.
const (
	necessary   = "necessary"
	preferences = "preferences"
	analytics   = "analytics"
	marketing   = "marketing"
)

// categoryMap maps the database's categories onto consent categories: its
// Functional cookies (sessions, load balancing, consent records) and
// Security cookies (CSRF tokens, bot checks) are what the site needs to
// work.
var categoryMap = map[string]string{
	"Functional":      necessary,
	"Security":        necessary,
	"Necessary":       necessary,
	"Personalization": preferences,
	"Analytics":       analytics,
	"Marketing":       marketing,
}

// strictness orders categories for names the database lists twice: the row
// with the least permissive category wins, so a suggestion errs towards
// asking for consent.
var strictness = map[string]int{necessary: 0, preferences: 1, analytics: 2, marketing: 3}

// loc is where an entry's row and its group's header start in data.
type loc struct {
	row, group uint32
	category   string // mapped, with corrections applied
}

type index struct {
	exact, prefix map[string]loc
	prefixLens    []int // distinct prefix lengths, longest first
}

var db = sync.OnceValue(buildIndex)

// Lookup returns the database's entry for a cookie or storage key name: the
// entry of that exact name, or else the entry whose prefix (a wildcard entry
// such as "_ga_" for "_ga_XXXXXXX") is the longest one the name starts with.
// Names are case-sensitive, as cookie names are. Lookup does not allocate.
func Lookup(name string) (Entry, bool) {
	idx := db()
	if l, ok := idx.exact[name]; ok {
		return l.entry(), true
	}
	for _, n := range idx.prefixLens {
		if n > len(name) {
			continue
		}
		if l, ok := idx.prefix[name[:n]]; ok {
			return l.entry(), true
		}
	}
	return Entry{}, false
}

// entry reads the entry's fields out of data; they are slices of it.
func (l loc) entry() Entry {
	row := line(l.row)
	_, row, _ = strings.Cut(row, "\t") // name
	_, row, _ = strings.Cut(row, "\t") // wildcard
	_, retention, _ := strings.Cut(row, "\t")
	header := line(l.group)[1:]
	platform, header, _ := strings.Cut(header, "\t")
	controller, url, _ := strings.Cut(header, "\t")
	return Entry{Platform: platform, Category: l.category, Retention: retention, Controller: controller, PrivacyURL: url}
}

// line returns the line of data starting at off, without its newline.
func line(off uint32) string {
	s := data[off:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// buildIndex parses data once, maps categories and applies corrections.
func buildIndex() index {
	fixes := make(map[string]string, len(corrections))
	for _, c := range corrections {
		fixes[c.name] = c.category
	}
	idx := index{exact: make(map[string]loc, 2300), prefix: make(map[string]loc, 300)}
	var group uint32
	for off := 0; off < len(data); {
		l := line(uint32(off))
		start := uint32(off)
		off += len(l) + 1
		if strings.HasPrefix(l, "@") {
			group = start
			continue
		}
		name, rest, _ := strings.Cut(l, "\t")
		wildcard, rest, _ := strings.Cut(rest, "\t")
		cat, _, _ := strings.Cut(rest, "\t")
		mapped := categoryMap[cat]
		if c, ok := fixes[name]; ok {
			mapped = c
		}
		m := idx.exact
		if wildcard == "1" {
			m = idx.prefix
		}
		if old, ok := m[name]; ok && strictness[old.category] >= strictness[mapped] {
			continue
		}
		m[name] = loc{row: start, group: group, category: mapped}
	}
	for p := range idx.prefix {
		if !slices.Contains(idx.prefixLens, len(p)) {
			idx.prefixLens = append(idx.prefixLens, len(p))
		}
	}
	slices.Sort(idx.prefixLens)
	slices.Reverse(idx.prefixLens)
	return idx
}
