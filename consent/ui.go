package consent

import (
	"bytes"
	"net/http"
	"strings"
	"sync"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/consentkit/consentkit/internal/locales"
)

// The seven Google Consent Mode v2 types.
var consentModeTypes = []string{
	"ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
	"functionality_storage", "personalization_storage", "security_storage",
}

// DefaultConsentMode maps the default categories to Google Consent Mode v2
// types: a type is granted when every category it is mapped from is.
func DefaultConsentMode() map[string][]string {
	return map[string][]string{
		Necessary:     {"security_storage"},
		"preferences": {"functionality_storage", "personalization_storage"},
		"analytics":   {"analytics_storage"},
		"marketing":   {"ad_storage", "ad_user_data", "ad_personalization"},
	}
}

// uiLocale is everything about one language that does not change per
// request, computed once.
type uiLocale struct {
	tag   string
	texts banner.Texts
	cats  []banner.Category // Granted false; copied per request
	langs []banner.Language
	// proof is the banner text a visitor is shown in this language and its
	// SHA-256, without and with the GPC notice, for the consent log.
	proof [2]struct{ text, hash string }
}

// ui holds the banner data of every language.
type ui struct {
	m        *Manager
	names    map[string]string // tag → the language's own name
	site     []string          // Config.Languages, as catalog tags
	mu       sync.RWMutex
	byTag    map[string]*uiLocale
	allLangs []banner.Language
	// modeTypes[i] is the mask of categories Consent Mode type i needs.
	modeMasks []uint64
	modeNames []string
}

func (m *Manager) initUI() error {
	u := &ui{m: m, byTag: map[string]*uiLocale{}}
	mapping := m.cfg.ConsentMode
	if mapping == nil {
		mapping = DefaultConsentMode()
	}
	valid := map[string]bool{}
	for _, t := range consentModeTypes {
		valid[t] = true
	}
	masks := map[string]uint64{}
	for cat, types := range mapping {
		i := m.set.index(cat)
		if i < 0 {
			continue // a default mapping for a category the site does not use
		}
		for _, t := range types {
			if !valid[t] {
				return errorf(ErrBadConfigure, "ConsentMode: unknown Consent Mode type %q for category %q", t, cat)
			}
			masks[t] |= 1 << uint(i)
		}
	}
	for _, t := range consentModeTypes {
		if mk, ok := masks[t]; ok {
			u.modeNames = append(u.modeNames, t)
			u.modeMasks = append(u.modeMasks, mk)
		}
	}
	u.names = map[string]string{}
	for _, l := range locales.Locales() {
		u.allLangs = append(u.allLangs, banner.Language{Tag: l.Tag.String(), Name: l.Name})
		u.names[l.Tag.String()] = l.Name
	}
	for _, l := range m.cfg.Languages {
		loc, ok := supportedLocale(l)
		if !ok {
			return errorf(ErrBadConfigure, "Languages: %q is not one of the catalogs' languages", l)
		}
		u.site = append(u.site, loc.Tag.String())
	}
	m.ui = u
	return nil
}

// locale returns the precomputed data of loc, building it on first use.
func (u *ui) locale(loc locales.Locale) *uiLocale {
	tag := loc.Tag.String()
	u.mu.RLock()
	ul := u.byTag[tag]
	u.mu.RUnlock()
	if ul != nil {
		return ul
	}
	ul = u.build(loc)
	u.mu.Lock()
	u.byTag[tag] = ul
	u.mu.Unlock()
	return ul
}

func (u *ui) build(loc locales.Locale) *uiLocale {
	tag := loc.Tag.String()
	msg := func(key string) string { return u.m.message(loc, key) }
	ul := &uiLocale{tag: tag}
	ul.texts = banner.Texts{
		Title: msg("banner.title"), Text: msg("banner.text"),
		AcceptAll: msg("banner.accept_all"), RejectAll: msg("banner.reject_all"), Choose: msg("banner.choose"),
		Policy: msg("banner.policy"), Language: msg("banner.language"), LanguageSubmit: msg("banner.language_submit"),
		GPC:        msg("banner.gpc"),
		PrefsTitle: msg("prefs.title"), PrefsText: msg("prefs.text"), Save: msg("prefs.save"),
		Close: msg("prefs.close"), AlwaysOn: msg("prefs.always_on"), Receipt: msg("prefs.receipt"),
		History: msg("prefs.history"), Saved: msg("prefs.saved"), Settings: msg("settings.link"),
		EmbedBlocked: msg("embed.blocked"), EmbedOnce: msg("embed.once"), EmbedAlways: msg("embed.always"),
	}
	if u.m.cfg.History == nil {
		ul.texts.History = "" // no history page to link to
	}
	for _, c := range u.m.cfg.Categories {
		ul.cats = append(ul.cats, banner.Category{
			ID:          c.ID,
			Title:       pick(c.Titles, tag, func() string { return msg("cat." + c.ID + ".title") }, c.ID),
			Description: pick(c.Descriptions, tag, func() string { return msg("cat." + c.ID + ".desc") }, ""),
			Locked:      c.ID == Necessary,
		})
	}
	if !u.m.cfg.NoLanguageSwitcher {
		ul.langs = make([]banner.Language, len(u.allLangs))
		copy(ul.langs, u.allLangs)
		for i := range ul.langs {
			ul.langs[i].Selected = ul.langs[i].Tag == tag
		}
	}
	for i, gpc := range []bool{false, true} {
		d := banner.Data{Lang: tag, Texts: ul.texts, Categories: ul.cats, GPC: gpc, PolicyURL: u.m.cfg.PolicyURL}
		ul.proof[i].text, ul.proof[i].hash = banner.TextHash(&d)
	}
	return ul
}

// pick returns a developer's per-language text, else the catalog's, else
// the developer's English, else def.
func pick(texts map[string]string, tag string, catalog func() string, def string) string {
	if s, ok := texts[tag]; ok && s != "" {
		return s
	}
	if i := strings.IndexByte(tag, '-'); i > 0 {
		if s, ok := texts[tag[:i]]; ok && s != "" {
			return s
		}
	}
	if s := catalog(); s != "" {
		return s
	}
	if s := texts["en"]; s != "" {
		return s
	}
	return def
}

// message returns a catalog message after the developer's overrides. A key
// the catalogs do not have gives "".
func (m *Manager) message(loc locales.Locale, key string) string {
	tag := loc.Tag.String()
	if o, ok := m.cfg.Messages[tag][key]; ok {
		return o
	}
	if i := strings.IndexByte(tag, '-'); i > 0 {
		if o, ok := m.cfg.Messages[tag[:i]][key]; ok {
			return o
		}
	}
	s := loc.Text(key)
	if s == key {
		if o, ok := m.cfg.Messages["en"][key]; ok {
			return o
		}
		return ""
	}
	return s
}

// localeFor picks the banner language of a request: the visitor's explicit
// choice first, then the developer's, then Accept-Language.
func (m *Manager) localeFor(r *http.Request, explicit string) locales.Locale {
	var visitor string
	if v, ok := m.langCookie(r.Header); ok && len(v) <= 35 {
		visitor = v
	}
	var dev string
	if m.cfg.Language != nil {
		dev = m.cfg.Language(r)
	}
	return locales.Match(r.Header.Get("Accept-Language"), explicit, visitor, dev)
}

// bannerData fills a banner.Data for one request.
func (m *Manager) bannerData(d *banner.Data, r *http.Request, st *State, loc locales.Locale, nonce string) {
	ul := m.ui.locale(loc)
	cats, mode := d.Categories[:0], d.ConsentMode[:0]
	*d = banner.Data{
		Lang: ul.tag, Dir: loc.Dir, Texts: ul.texts, Decided: st.Decided(), GPC: st.GPC(),
		ConsentID: st.ID(), Prefix: m.cfg.Prefix, Return: safeReturn(r.URL.RequestURI()),
		PolicyURL: m.cfg.PolicyURL, Nonce: nonce, Languages: ul.langs,
		WaitForUpdate: m.cfg.ConsentModeWaitForUpdate, Regions: m.cfg.ConsentModeRegions,
		Categories: cats, ConsentMode: mode,
		Layout: m.cfg.BannerLayout, Corner: m.cfg.ReopenCorner,
	}
	// A GPC state's sale-or-sharing bits are already cleared (withGPC).
	for i, c := range ul.cats {
		c.Granted = st.granted&(1<<uint(i)) != 0 || c.Locked
		d.Categories = append(d.Categories, c)
	}
	for i, name := range m.ui.modeNames {
		d.ConsentMode = append(d.ConsentMode, banner.ModeType{Name: name, Granted: m.ui.modeGranted(st, i)})
	}
}

// modeGranted reports whether st grants every category Consent Mode type i
// is mapped from.
func (u *ui) modeGranted(st *State, i int) bool {
	return (st.granted|1)&u.modeMasks[i] == u.modeMasks[i]
}

// consentMode returns the Consent Mode v2 state of s, for the JSON answer.
func (m *Manager) consentMode(s *State) map[string]string {
	out := make(map[string]string, len(m.ui.modeNames))
	for i, name := range m.ui.modeNames {
		v := "denied"
		if m.ui.modeGranted(s, i) {
			v = "granted"
		}
		out[name] = v
	}
	return out
}

// describeBanner fills the record's language and the exact banner text the
// visitor was shown (with the GPC notice when the request carried the
// signal), with its hash.
func (m *Manager) describeBanner(r *http.Request, rec *Record, lang string) {
	ul := m.ui.locale(m.localeFor(r, lang))
	p := ul.proof[0]
	if rec.GPC {
		p = ul.proof[1]
	}
	rec.Language = ul.tag
	rec.BannerVersion = banner.Version()
	rec.BannerText, rec.TextHash = p.text, p.hash
}

// cspNonce finds the nonce of a Content-Security-Policy header's script-src
// (or default-src) directive.
func cspNonce(h http.Header) string {
	for _, policy := range h.Values("Content-Security-Policy") {
		var fallback string
		for _, dir := range strings.Split(policy, ";") {
			fields := strings.Fields(dir)
			if len(fields) == 0 {
				continue
			}
			name := strings.ToLower(fields[0])
			if name != "script-src" && name != "script-src-elem" && name != "default-src" {
				continue
			}
			for _, f := range fields[1:] {
				if len(f) > 8 && strings.HasPrefix(f, "'nonce-") && f[len(f)-1] == '\'' {
					n := f[7 : len(f)-1]
					if !validNonce(n) {
						continue
					}
					if name == "default-src" {
						fallback = n
					} else {
						return n
					}
				}
			}
		}
		if fallback != "" {
			return fallback
		}
	}
	return ""
}

func validNonce(n string) bool {
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_') {
			return false
		}
	}
	return n != ""
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

var dataPool = sync.Pool{New: func() any { return new(banner.Data) }}

// assetNames returns the hashed file names of the loader and stylesheet.
func (m *Manager) assetNames() (js, css string) { return banner.AssetNames() }

// shortLanguages fills dst with the banner's language switcher: the
// language shown, the visitor's Accept-Language choice, English and the
// site's own languages. The full list is in the preferences dialog: 52
// options would double the banner's weight for every first visit.
func (m *Manager) shortLanguages(dst []banner.Language, r *http.Request, cur locales.Locale) []banner.Language {
	if m.cfg.NoLanguageSwitcher {
		return dst[:0]
	}
	dst = dst[:0]
	add := func(tag string) {
		for _, l := range dst {
			if l.Tag == tag {
				return
			}
		}
		dst = append(dst, banner.Language{Tag: tag, Name: m.ui.names[tag], Selected: tag == cur.Tag.String()})
	}
	add(cur.Tag.String())
	add(locales.Match(r.Header.Get("Accept-Language")).Tag.String())
	for _, t := range m.ui.site {
		add(t)
	}
	add("en")
	return dst
}
