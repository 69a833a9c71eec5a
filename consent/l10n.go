package consent

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"sync"

	"golang.org/x/text/language"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/consentkit/consentkit/internal/locales"
)

// l10n resolves every word a visitor reads: the catalogs' messages after
// Config.Messages, the categories' titles and descriptions, the cookies'
// purposes, and the language switcher. New builds it from the Config; it
// holds no pointer back to the Manager, so a Visitor can carry it.
type l10n struct {
	messages   []overrides       // Config.Messages, sorted by tag
	english    map[string]string // Config.Messages["en"]
	categories []Category
	noHistory  bool // no Config.HistoryHandler: the banner links to no history page
	noSwitcher bool
	policyURL  string

	names    map[string]string // tag → the language's own name
	site     []string          // Config.Languages, as catalog tags
	allLangs []banner.Language

	mu    sync.RWMutex
	byTag map[string]*localeTexts
}

// overrides are the developer's messages for one language tag.
type overrides struct {
	tag   language.Tag
	texts map[string]string
}

// localeTexts is everything about one language that does not change per
// request, computed once.
type localeTexts struct {
	tag   string
	texts banner.Texts
	cats  []banner.Category // Granted false; copied per request
	langs []banner.Language
	// proof is the banner text a visitor is shown in this language and its
	// SHA-256, without and with the GPC notice, for the consent log.
	proof [2]struct{ text, hash string }
}

func newL10n(cfg *Config) (*l10n, error) {
	lz := &l10n{
		english:    cfg.Messages["en"],
		categories: cfg.Categories,
		noHistory:  cfg.HistoryHandler == nil,
		noSwitcher: cfg.NoLanguageSwitcher,
		policyURL:  cfg.PolicyURL,
		names:      map[string]string{},
		byTag:      map[string]*localeTexts{},
	}
	for _, k := range slices.Sorted(maps.Keys(cfg.Messages)) {
		t, err := language.Parse(k)
		if err != nil {
			return nil, errorf(ErrBadConfig, "Messages: %q is not a BCP 47 language tag such as \"en\" or \"pt-BR\"", k)
		}
		lz.messages = append(lz.messages, overrides{t, cfg.Messages[k]})
	}
	for _, l := range locales.Locales() {
		lz.allLangs = append(lz.allLangs, banner.Language{Tag: l.Tag.String(), Name: l.Name})
		lz.names[l.Tag.String()] = l.Name
	}
	for _, l := range cfg.Languages {
		loc, ok := supportedLocale(l)
		if !ok {
			return nil, errorf(ErrBadConfig, "Languages: %q is not one of the catalogs' languages", l)
		}
		lz.site = append(lz.site, loc.Tag.String())
	}
	return lz, nil
}

// locale returns the precomputed texts of loc, building them on first use.
func (lz *l10n) locale(loc locales.Locale) *localeTexts {
	tag := loc.Tag.String()
	lz.mu.RLock()
	lt := lz.byTag[tag]
	lz.mu.RUnlock()
	if lt != nil {
		return lt
	}
	lt = lz.build(loc)
	lz.mu.Lock()
	lz.byTag[tag] = lt
	lz.mu.Unlock()
	return lt
}

func (lz *l10n) build(loc locales.Locale) *localeTexts {
	tag := loc.Tag.String()
	msg := func(key string) string { return lz.message(loc, key) }
	lt := &localeTexts{tag: tag}
	lt.texts = banner.Texts{
		Title: msg("banner.title"), Text: msg("banner.text"),
		AcceptAll: msg("banner.accept_all"), RejectAll: msg("banner.reject_all"), Choose: msg("banner.choose"),
		Policy: msg("banner.policy"), Language: msg("banner.language"), LanguageSubmit: msg("banner.language_submit"),
		GPC:        msg("banner.gpc"),
		PrefsTitle: msg("prefs.title"), PrefsText: msg("prefs.text"), Save: msg("prefs.save"),
		Close: msg("prefs.close"), AlwaysOn: msg("prefs.always_on"), Receipt: msg("prefs.receipt"),
		History: msg("prefs.history"), Saved: msg("prefs.saved"), Settings: msg("settings.link"),
		EmbedBlocked: msg("embed.blocked"), EmbedOnce: msg("embed.once"), EmbedAlways: msg("embed.always"),
		OptOut: msg("optout.link"), OptOutText: msg("optout.text"), OptOutSubmit: msg("optout.submit"),
		Honored: msg("optout.honored"), Notice: msg("notice.text"),
	}
	if lz.noHistory {
		lt.texts.History = "" // no history page to link to
	}
	for _, c := range lz.categories {
		lt.cats = append(lt.cats, banner.Category{
			ID:          c.ID,
			Title:       cmp.Or(resolveText(c.Titles, loc.Tag, msg("cat."+c.ID+".title")), c.ID),
			Description: resolveText(c.Descriptions, loc.Tag, msg("cat."+c.ID+".desc")),
			Locked:      c.ID == Necessary,
		})
	}
	if !lz.noSwitcher {
		lt.langs = make([]banner.Language, len(lz.allLangs))
		copy(lt.langs, lz.allLangs)
		for i := range lt.langs {
			lt.langs[i].Selected = lt.langs[i].Tag == tag
		}
	}
	for i, gpc := range []bool{false, true} {
		d := banner.Data{Lang: tag, Texts: lt.texts, Categories: lt.cats, GPC: gpc, PolicyURL: lz.policyURL}
		lt.proof[i].text, lt.proof[i].hash = banner.TextHash(&d)
	}
	return lt
}

// resolveText is the one rule by which a developer's per-language text is
// chosen, for category titles and descriptions and for cookie purposes and
// justifications alike: the developer's text in tag's language (the same
// tag, else the same language in any region or script, so that "pt" finds
// "pt-BR" and "pt-BR" finds "pt"), else catalog (the bundled catalog's text
// in tag's language, "" when it has none), else the developer's English,
// else their first text by tag so that the choice is stable.
func resolveText(texts map[string]string, tag language.Tag, catalog string) string {
	s, inLang := pickTextFor(texts, tag)
	if inLang || catalog == "" {
		return s
	}
	return catalog
}

// pickTextFor returns the developer's text for tag from a map of BCP 47
// tag → text (see resolveText) and whether it is in tag's language rather
// than a fallback.
func pickTextFor(texts map[string]string, tag language.Tag) (string, bool) {
	if len(texts) == 0 {
		return "", false
	}
	if s := texts[tag.String()]; s != "" {
		return s, true
	}
	keys := slices.Sorted(maps.Keys(texts))
	same := ""
	for _, k := range keys {
		t, err := language.Parse(k)
		if err != nil || texts[k] == "" {
			continue
		}
		switch langMatch(t, tag) {
		case exactLang:
			return texts[k], true
		case sameLang:
			if same == "" {
				same = texts[k]
			}
		}
	}
	if same != "" {
		return same, true
	}
	if s := texts["en"]; s != "" {
		return s, false
	}
	for _, k := range keys {
		if texts[k] != "" {
			return texts[k], false
		}
	}
	return "", false
}

// How well a developer's language tag fits the visitor's: the tag half of
// the one rule, for texts and message overrides alike.
const (
	otherLang = iota
	sameLang  // the same language in another region or script: pt for pt-BR, pt-BR for pt
	exactLang // the visitor's tag itself
)

func langMatch(t, visitor language.Tag) int {
	if t == visitor {
		return exactLang
	}
	b, _ := t.Base()
	vb, _ := visitor.Base()
	if b == vb {
		return sameLang
	}
	return otherLang
}

// message returns a catalog message after the developer's overrides, by
// the rule of resolveText: an override in loc's language (its own tag, else
// the same language in any region or script), else the catalog's, else the
// English override. An override may be "" to blank a message. A key the
// catalogs do not have gives "".
func (lz *l10n) message(loc locales.Locale, key string) string {
	same := -1
	for i, o := range lz.messages {
		if _, ok := o.texts[key]; !ok {
			continue
		}
		switch langMatch(o.tag, loc.Tag) {
		case exactLang:
			return o.texts[key]
		case sameLang:
			if same < 0 {
				same = i
			}
		}
	}
	if same >= 0 {
		return lz.messages[same].texts[key]
	}
	if s := loc.Text(key); s != key {
		return s
	}
	return lz.english[key]
}

// shortLanguages fills dst with the banner's language switcher: the
// language shown, the visitor's Accept-Language choice, English and the
// site's own languages. The full list is in the preferences dialog: 52
// options would double the banner's weight for every first visit.
func (lz *l10n) shortLanguages(dst []banner.Language, r *http.Request, cur locales.Locale) []banner.Language {
	if lz.noSwitcher {
		return dst[:0]
	}
	dst = dst[:0]
	add := func(tag string) {
		for _, l := range dst {
			if l.Tag == tag {
				return
			}
		}
		dst = append(dst, banner.Language{Tag: tag, Name: lz.names[tag], Selected: tag == cur.Tag.String()})
	}
	add(cur.Tag.String())
	add(locales.Match(r.Header.Get("Accept-Language")).Tag.String())
	for _, t := range lz.site {
		add(t)
	}
	add("en")
	return dst
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
