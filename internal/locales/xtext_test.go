package locales

// What only the tests need: the English keys, and every catalog as an
// x/text catalog for the differential tests against x/text's printer. No
// program links them.

import (
	"slices"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// Keys returns the message keys of the English catalog, without the "_"
// metadata and without plural forms (decl.days#one is a form of decl.days,
// see Plural), in file order. The slice is a copy.
func Keys() []string {
	return slices.Clone(load().keys)
}

// buildCatalog is separate from load because most callers use Lookup and
// never need the x/text representation.
var buildCatalog = sync.OnceValue(func() *catalog.Builder {
	b := load()
	cb := catalog.NewBuilder(catalog.Fallback(language.English))
	for i, l := range b.locales {
		for _, key := range b.keys {
			msg, ok := b.msgs[i][key]
			if !ok {
				continue // the fallback to English covers it
			}
			if sel, ok := selectForms(b.forms[i][key], msg); ok {
				// Set fails for a form the language does not have; the
				// catalog tests forbid those, and the bare message below
				// is still right for most counts.
				if cb.Set(l.Tag, key, sel) == nil {
					continue
				}
			}
			// SetString only fails for a tag the builder cannot hold; the
			// Catalog test checks every message arrives, so skipping is safe.
			_ = cb.SetString(l.Tag, key, msg)
		}
	}
	return cb
})

// selectForms is the x/text message choosing among a key's plural forms by
// its first argument, with other as the last case; ok is false when the
// catalog lists no form, so a plain string does.
func selectForms(fs forms, other string) (catalog.Message, bool) {
	var cases []any
	for _, f := range suffixForms {
		if fs[f] != "" {
			cases = append(cases, f, fs[f])
		}
	}
	if cases == nil {
		return nil, false
	}
	cases = append(cases, plural.Other, other)
	return plural.Selectf(1, "%d", cases...), true
}

// Catalog returns every message of every catalog as an x/text catalog, so
// that message.NewPrinter(tag, message.Catalog(locales.Catalog())) prints
// them with their format verbs filled in (decl.days takes a %d). Messages
// with plural forms are plural.Selectf messages on their first argument,
// choosing the form Plural chooses, though the printer writes the number
// with the language's digits and grouping. The same catalog is returned on
// every call: do not add to it.
func Catalog() catalog.Catalog {
	return buildCatalog()
}
