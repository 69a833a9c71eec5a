package consent

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/consentkit/consentkit/internal/locales"
)

// Shown is what a visitor was shown when they decided, kept by the consent
// log once per distinct value and referenced from each Record by its Hash
// (Record.ShownHash): regulators ask for a copy of the banner as displayed
// and of the third parties named at the moment of consent, not for a
// reference to a configuration that has since changed (EDPB Guidelines
// 05/2020, §§104–108).
type Shown struct {
	// HTML is a self-contained document holding the banner's first layer
	// and its preferences dialog byte for byte as the middleware serves
	// them to an undecided visitor, with both stylesheets inline. Two
	// per-request values are fixed in it: the page to return to is "/"
	// (the record's PageURL names the real page) and there is no CSP
	// nonce. It holds no script.
	HTML string `json:"html"`
	// Providers are the third parties of each category, from the cookie
	// declaration (CookieSpec.Provider), every category in configuration
	// order, each list sorted; the site itself is not listed.
	Providers []CategoryProviders `json:"providers"`
}

// CategoryProviders lists the third parties of one category.
type CategoryProviders struct {
	Category  string   `json:"category"`
	Providers []string `json:"providers"`
}

// shownDomain separates the Shown encoding from every other hashed one.
const shownDomain = "consentkit/shown/1"

// Hash returns the hex SHA-256 of a length-prefixed encoding of the
// providers and the HTML, so that two different values never hash alike.
// A consent log checks a stored Shown against it before showing it.
func (s *Shown) Hash() string {
	h := sha256.New()
	writeField(h, shownDomain)
	fmt.Fprintf(h, "%d\n", len(s.Providers))
	for _, c := range s.Providers {
		writeField(h, c.Category)
		fmt.Fprintf(h, "%d\n", len(c.Providers))
		for _, p := range c.Providers {
			writeField(h, p)
		}
	}
	writeField(h, s.HTML)
	return hex.EncodeToString(h.Sum(nil))
}

func writeField(h hash.Hash, s string) {
	fmt.Fprintf(h, "%d:", len(s))
	h.Write([]byte(s))
}

// providersOf collects the declared third parties of each category of
// cfg, normalised: sorted and each once, so that reordering declarations
// changes neither the revision nor the snapshot's hash.
func providersOf(cfg *Config) []CategoryProviders {
	out := make([]CategoryProviders, len(cfg.Categories))
	for i, c := range cfg.Categories {
		out[i] = CategoryProviders{Category: c.ID, Providers: []string{}}
		for _, s := range cfg.Cookies {
			if p := strings.TrimSpace(s.Provider); s.Category == c.ID && p != "" {
				out[i].Providers = append(out[i].Providers, p)
			}
		}
		slices.Sort(out[i].Providers)
		out[i].Providers = slices.Compact(out[i].Providers)
	}
	return out
}

// maxShown bounds the snapshots a Manager remembers: one per language,
// GPC state and language switcher actually served, a handful on most
// sites. Past it a snapshot is rendered per decision, still correct.
const maxShown = 256

// shownEntry is one remembered snapshot; stored is set once a Store
// accepted a record carrying it, so later records carry only its hash.
type shownEntry struct {
	shown  *Shown
	hash   string
	stored atomic.Bool
}

// shownCache remembers snapshots by what makes them differ.
type shownCache struct {
	mu sync.Mutex
	m  map[string]*shownEntry
}

// describeShown sets rec.ShownHash to the snapshot of what r's visitor is
// shown before deciding, in the banner's language loc, and rec.Shown to the snapshot
// itself until a Store has accepted it once in this process. It runs on
// the decision endpoint only, never on page views.
func (m *Manager) describeShown(r *http.Request, rec *Record, loc locales.Locale) {
	short := m.l10n.shortLanguages(nil, r, loc)
	var key strings.Builder
	key.WriteString(loc.Tag.String())
	if rec.GPC {
		key.WriteString("|gpc")
	}
	for _, l := range short {
		key.WriteString("|" + l.Tag)
	}
	k := key.String()
	m.shown.mu.Lock()
	e := m.shown.m[k]
	m.shown.mu.Unlock()
	if e == nil {
		e = m.renderShown(r, loc, rec.GPC, short)
		m.shown.mu.Lock()
		if old := m.shown.m[k]; old != nil {
			e = old
		} else if len(m.shown.m) < maxShown {
			if m.shown.m == nil {
				m.shown.m = map[string]*shownEntry{}
			}
			m.shown.m[k] = e
		}
		m.shown.mu.Unlock()
	}
	rec.ShownHash = e.hash
	if !e.stored.Load() {
		rec.Shown = e.shown
	}
}

// renderShown renders the snapshot of an undecided visitor's banner.
func (m *Manager) renderShown(r *http.Request, loc locales.Locale, gpc bool, short []banner.Language) *shownEntry {
	st := &undecided
	if gpc {
		st = m.undecidedGPC
	}
	var d banner.Data
	m.bannerData(&d, r, st, loc, "")
	d.Return = "/"
	var buf bytes.Buffer
	banner.Snapshot(&buf, &d, short)
	s := &Shown{HTML: buf.String(), Providers: m.providers}
	return &shownEntry{shown: s, hash: s.Hash()}
}

// shownStored notes that the Store accepted rec with its snapshot, so that
// the next records under it carry only the hash.
func (m *Manager) shownStored(rec *Record) {
	if rec.Shown == nil {
		return
	}
	m.shown.mu.Lock()
	defer m.shown.mu.Unlock()
	for _, e := range m.shown.m {
		if e.hash == rec.ShownHash {
			e.stored.Store(true)
		}
	}
}
