package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

//go:embed messages/*.json
var files embed.FS

// Metadata keys: they describe a catalog rather than hold a message.
const (
	metaPrefix = "_"
	keyName    = "_name"
	keyDir     = "_dir"
)

// Locale is one available catalog. The zero Locale reads as English.
type Locale struct {
	// Tag is the catalog's language as its file is named, e.g. pt-BR.
	Tag language.Tag
	// Name is the language's name for itself, in its own script, as a
	// language switcher shows it (the catalog's "_name").
	Name string
	// Dir is the writing direction, "ltr" or "rtl", for the banner's dir
	// attribute (the catalog's "_dir").
	Dir string
}

// Text returns the locale's message for key, falling back to English and
// then to the key itself, like Lookup.
func (l Locale) Text(key string) string {
	return Lookup(l.Tag, key)
}

// bundle is everything loaded from the embedded files. It is built once and
// never changed afterwards, so readers need no locks; only the Match caches
// inside it are guarded.
type bundle struct {
	locales []Locale            // English first, then by tag string
	msgs    []map[string]string // parallel to locales
	forms   []map[string]forms  // parallel to locales: key -> its plural forms
	bases   []language.Base     // parallel to locales, for Plural's rules
	keys    []string            // en.json keys without metadata or forms, in file order
	index   map[language.Tag]int
	matcher language.Matcher
	norm    normalizer
	errs    []error // files skipped at load time; the tests require none

	headers   cache // Accept-Language value -> index into locales
	preferred cache // single tag string -> index, or -1 when unsupported
}

// forms holds a message's plural forms by plural.Form; "" where the catalog
// has none, and always "" for Other, which is the bare key's message.
type forms [len(formNames)]string

// load parses the embedded catalogs on first use rather than in init, so a
// program that never renders a banner pays nothing.
var load = sync.OnceValue(func() *bundle { return newBundle(files) })

// newBundle builds a bundle from fsys (messages/*.json). A file that cannot
// be used is skipped and its error recorded: the catalogs are embedded, so
// this is a programming error that the tests report, and at run time the
// visitor falls back to English instead of seeing a failure.
func newBundle(fsys fs.FS) *bundle {
	b := &bundle{index: make(map[language.Tag]int)}
	english := Locale{Tag: language.English, Name: "English", Dir: "ltr"}
	b.locales = []Locale{english}
	b.msgs = []map[string]string{{}}

	names, err := fs.Glob(fsys, "messages/*.json")
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("list catalogs: %w", err))
	}
	type loaded struct {
		loc  Locale
		msgs map[string]string
	}
	var others []loaded
	seen := make(map[language.Tag]string)
	for _, name := range names {
		loc, keys, msgs, err := readCatalog(fsys, name)
		if err != nil {
			b.errs = append(b.errs, err)
			continue
		}
		if prev, dup := seen[loc.Tag]; dup {
			b.errs = append(b.errs, fmt.Errorf("%s: same language as %s: %w", name, prev, errInvalidCatalog))
			continue
		}
		seen[loc.Tag] = name
		if loc.Tag == language.English {
			b.locales[0], b.msgs[0] = loc, msgs
			b.keys = slices.DeleteFunc(keys, func(k string) bool {
				return strings.HasPrefix(k, metaPrefix) || strings.Contains(k, formSep)
			})
			continue
		}
		others = append(others, loaded{loc, msgs})
	}
	slices.SortFunc(others, func(x, y loaded) int { return strings.Compare(x.loc.Tag.String(), y.loc.Tag.String()) })
	for _, o := range others {
		b.locales = append(b.locales, o.loc)
		b.msgs = append(b.msgs, o.msgs)
	}

	tags := make([]language.Tag, len(b.locales))
	b.forms = make([]map[string]forms, len(b.locales))
	b.bases = make([]language.Base, len(b.locales))
	for i, l := range b.locales {
		tags[i] = l.Tag
		b.index[l.Tag] = i
		b.forms[i] = pluralForms(b.msgs[i])
		b.bases[i], _ = l.Tag.Base()
	}
	// The first tag is the matcher's default, which is why English leads.
	b.matcher = language.NewMatcher(tags)
	b.norm = newNormalizer(tags)
	b.headers.init()
	b.preferred.init()
	return b
}

// pluralForms collects the key#category entries of one catalog. An entry
// with an unknown category is left out: Plural never picks it, and the
// catalog tests name it.
func pluralForms(msgs map[string]string) map[string]forms {
	out := make(map[string]forms)
	for k, msg := range msgs {
		if base, f, ok := splitForm(k); ok {
			fs := out[base]
			fs[f] = msg
			out[base] = fs
		}
	}
	return out
}

// readCatalog reads and checks one file. Only what would break rendering
// (no usable tag, no name, no direction) rejects a file here; missing or
// extra keys are left to the tests, and Lookup falls back to English.
func readCatalog(fsys fs.FS, name string) (Locale, []string, map[string]string, error) {
	base := strings.TrimSuffix(path.Base(name), ".json")
	tag, err := language.Parse(base)
	if err != nil {
		return Locale{}, nil, nil, fmt.Errorf("%s: file name is not a BCP 47 tag: %w", name, err)
	}
	// Tag.String() is what callers show and send back (lang attributes, the
	// switcher's values), so it must be the name the file is known by.
	if tag.String() != base {
		return Locale{}, nil, nil, fmt.Errorf("%s: name the file %s.json, the canonical form of its tag: %w", name, tag, errInvalidCatalog)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Locale{}, nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	keys, msgs, err := parseCatalog(data)
	if err != nil {
		return Locale{}, nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	loc := Locale{Tag: tag, Name: msgs[keyName], Dir: msgs[keyDir]}
	if strings.TrimSpace(loc.Name) == "" {
		return Locale{}, nil, nil, fmt.Errorf("%s: %q is missing or empty: %w", name, keyName, errInvalidCatalog)
	}
	if loc.Dir != "ltr" && loc.Dir != "rtl" {
		return Locale{}, nil, nil, fmt.Errorf("%s: %q is %q, want \"ltr\" or \"rtl\": %w", name, keyDir, loc.Dir, errInvalidCatalog)
	}
	return loc, keys, msgs, nil
}

// Locales returns every available catalog, English first and the others
// sorted by tag string. The slice is a copy: callers may keep or change it.
func Locales() []Locale {
	return slices.Clone(load().locales)
}

// Lookup returns the message for key in the catalog for tag. A tag without
// a catalog of its own uses the closest one (de-AT reads German); a key
// missing from that catalog falls back to English, and a key missing
// everywhere is returned as is, so a typo shows up on the page instead of an
// empty button. A plural form (decl.days#one) that a catalog does not list
// is its bare key's message there, not the English form.
func Lookup(tag language.Tag, key string) string {
	b := load()
	i := b.find(tag)
	if msg, ok := b.text(i, key); ok {
		return msg
	}
	if msg, ok := b.text(0, key); ok {
		return msg
	}
	return key
}

// find returns the catalog for tag: its own, the closest, or English.
func (b *bundle) find(tag language.Tag) int {
	if i, ok := b.index[tag]; ok {
		return i
	}
	if i, ok := b.matchTag(tag); ok {
		return i
	}
	return 0
}

// text returns catalog i's message for key; a plural form the catalog does
// not list falls back to the catalog's "other" form.
func (b *bundle) text(i int, key string) (string, bool) {
	if msg, ok := b.msgs[i][key]; ok {
		return msg, true
	}
	if base, _, ok := splitForm(key); ok {
		msg, ok := b.msgs[i][base]
		return msg, ok
	}
	return "", false
}
