package locales

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// formSep joins a message key and a CLDR plural category in a catalog:
// "decl.days#one" is the "one" form of "decl.days". The key without a
// suffix is the "other" form, so a language with a single form (Japanese)
// or a file that has not been given its forms yet still reads correctly.
const formSep = "#"

// formNames are the CLDR category names, indexed by plural.Form. Other is
// spelled by the bare key, never by a suffix.
var formNames = [...]string{
	plural.Other: "other",
	plural.Zero:  "zero",
	plural.One:   "one",
	plural.Two:   "two",
	plural.Few:   "few",
	plural.Many:  "many",
}

// suffixForms are the categories a catalog may add as key#category, in the
// order the files list them (CLDR order).
var suffixForms = [...]plural.Form{plural.Zero, plural.One, plural.Two, plural.Few, plural.Many}

// Plural returns the message for key in the catalog for tag, in the plural
// form that CLDR's cardinal rules choose for n, with n filled into its %d.
// The number is written with ASCII digits and no grouping ("1000 days", "٣"
// never appears), the way the page has always shown durations; a
// message.Printer over Catalog chooses the same form but writes the
// language's own digits (below a million: x/text's printer takes larger
// numbers for 1,000,000, so "1000001 дней" where CLDR says "день").
//
// A catalog lists a form as key#one, key#few, and so on; the bare key is the
// "other" form and is used whenever the catalog has no entry for the form n
// needs. The catalog is resolved as in Lookup, English included. The rules
// are those of tag when the catalog is in tag's language (pt-PT reads "0
// dias" where Brazilian Portuguese reads "0 dia") and the catalog's own
// otherwise, so an English fallback follows English rules. Negative n take
// the form of their absolute value. A key missing everywhere is returned as
// is, like Lookup.
func Plural(tag language.Tag, key string, n int) string {
	return load().plural(tag, key, n)
}

func (b *bundle) plural(tag language.Tag, key string, n int) string {
	i := b.find(tag)
	msg, ok := b.msgs[i][key]
	if !ok && i != 0 {
		// Like Lookup: a message missing from the catalog is English,
		// forms and rules included.
		i = 0
		msg, ok = b.msgs[0][key]
	}
	if !ok {
		return key
	}
	if f := b.form(i, tag, n); f != plural.Other {
		if s := b.forms[i][key][f]; s != "" {
			msg = s
		}
	}
	return formatCount(msg, n)
}

// Plural is Plural for the locale's catalog.
func (l Locale) Plural(key string, n int) string {
	return Plural(l.Tag, key, n)
}

// PluralKey returns the catalog key of the form Plural chooses for n:
// key#one, key#few, … or key itself for "other", whether or not the catalog
// lists that form. Lookup of the result gives the message Plural formats, so
// callers that let developers override messages (consent's Config.Messages)
// can look the form up among their overrides first.
func PluralKey(tag language.Tag, key string, n int) string {
	b := load()
	i := b.find(tag)
	if _, ok := b.msgs[i][key]; !ok {
		i = 0 // as in Plural
	}
	f := b.form(i, tag, n)
	if f == plural.Other {
		return key
	}
	return key + formSep + formNames[f]
}

// form is the CLDR cardinal category of n for catalog i requested as tag.
func (b *bundle) form(i int, tag language.Tag, n int) plural.Form {
	rules := b.locales[i].Tag
	if tag != rules {
		// The requested tag refines the rules only within the catalog's
		// language: a Klingon visitor reading English gets English plurals.
		// Base guesses "en" for und, whose rules know only "other", hence
		// the Exact.
		if want, conf := tag.Base(); conf == language.Exact && want == b.bases[i] {
			rules = tag
		}
	}
	f := plural.Cardinal.MatchPlural(rules, operand(n), 0, 0, 0, 0)
	if int(f) >= len(formNames) {
		return plural.Other // a newer x/text with a category we do not know
	}
	return f
}

// operand is the CLDR operand i for an integer n: its absolute value. x/text
// indexes its tables with i%100 and only compares i < 100 for equality, so
// the last seven digits of a huge value, kept above 100, choose the same
// form (its documentation allows passing operands modulo 10,000,000); a
// negative index would panic, and -math.MinInt does not exist.
func operand(n int) int {
	const mod = 10_000_000
	switch {
	case n >= 0:
		return n
	case n > -mod:
		return -n
	default:
		return -(n % mod) + mod
	}
}

// formatCount fills n into msg. The usual message has one %d and nothing
// else to format, which is spliced without fmt in one allocation; anything
// else goes through fmt.Sprintf so a catalog's %% still prints a percent
// sign.
func formatCount(msg string, n int) string {
	i := strings.IndexByte(msg, '%')
	if i < 0 {
		return msg
	}
	if i+1 < len(msg) && msg[i+1] == 'd' && strings.IndexByte(msg[i+2:], '%') < 0 {
		var digits [20]byte
		num := strconv.AppendInt(digits[:0], int64(n), 10)
		var s strings.Builder
		s.Grow(len(msg) - 2 + len(num))
		s.WriteString(msg[:i])
		s.Write(num)
		s.WriteString(msg[i+2:])
		return s.String()
	}
	return fmt.Sprintf(msg, n)
}

// splitForm splits "decl.days#few" into "decl.days" and plural.Few. ok is
// false for a key without a suffix and for an unknown or "other" suffix,
// which the catalog tests reject.
func splitForm(key string) (base string, f plural.Form, ok bool) {
	base, name, found := strings.Cut(key, formSep)
	if !found {
		return key, plural.Other, false
	}
	for _, f := range suffixForms {
		if formNames[f] == name {
			return base, f, true
		}
	}
	return base, plural.Other, false
}
