package locales

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// minCatalogs is the number of languages the product promises.
const minCatalogs = 50

// catalogFile is one embedded file, read independently of the loader so the
// tests check the files themselves and not only what survived loading.
type catalogFile struct {
	name string // e.g. messages/pt-BR.json
	tag  string // e.g. pt-BR
	raw  []byte
	keys []string
	msgs map[string]string
}

// eachCatalog runs check as a parallel subtest for every embedded file.
func eachCatalog(t *testing.T, check func(t *testing.T, en, f catalogFile)) {
	t.Helper()
	en, all := readCatalogFiles(t)
	for _, f := range all {
		t.Run(f.tag, func(t *testing.T) {
			t.Parallel()
			check(t, en, f)
		})
	}
}

func readCatalogFiles(t *testing.T) (en catalogFile, all []catalogFile) {
	t.Helper()
	names, err := fs.Glob(files, "messages/*.json")
	require.NoError(t, err)
	for _, name := range names {
		raw, err := fs.ReadFile(files, name)
		require.NoError(t, err)
		keys, msgs, err := parseCatalog(raw)
		require.NoError(t, err, name)
		f := catalogFile{name: name, tag: strings.TrimSuffix(path.Base(name), ".json"), raw: raw, keys: keys, msgs: msgs}
		if f.tag == "en" {
			en = f
		}
		all = append(all, f)
	}
	require.NotEmpty(t, en.keys, "messages/en.json must exist and hold messages")
	return en, all
}

func TestCatalogsLoadWithoutErrors(t *testing.T) {
	t.Parallel()
	b := load()
	for _, err := range b.errs {
		t.Errorf("catalog skipped at load time: %v", err)
	}
	_, all := readCatalogFiles(t)
	assert.Len(t, b.locales, len(all), "every file becomes a locale")
}

func TestCatalogCount(t *testing.T) {
	t.Parallel()
	_, all := readCatalogFiles(t)
	assert.GreaterOrEqual(t, len(all), minCatalogs, "the product promises %d+ languages", minCatalogs)
}

func TestCatalogFiles(t *testing.T) {
	t.Parallel()
	eachCatalog(t, func(t *testing.T, en, f catalogFile) {
		tag, err := language.Parse(f.tag)
		require.NoError(t, err, "file name must be a BCP 47 tag")
		assert.Equal(t, tag.String(), f.tag, "file name must be the canonical form of its tag")

		assert.True(t, utf8.Valid(f.raw), "UTF-8")
		assert.False(t, bytes.HasPrefix(f.raw, []byte("\uFEFF")), "no byte order mark")
		var compact, indented bytes.Buffer
		require.NoError(t, json.Compact(&compact, f.raw))
		require.NoError(t, json.Indent(&indented, compact.Bytes(), "", "  "))
		assert.Equal(t, indented.String(), string(bytes.TrimRight(f.raw, "\n")), "2-space indented JSON")

		enBase, fBase := baseKeys(en.keys), baseKeys(f.keys)
		for _, k := range enBase {
			assert.Contains(t, f.msgs, k, "missing key")
		}
		for _, k := range fBase {
			assert.Contains(t, en.msgs, k, "key not in en.json")
		}
		if slices.Equal(sortedCopy(fBase), sortedCopy(enBase)) {
			assert.Equal(t, enBase, fBase, "keys in the order of en.json")
		}
		// The only other keys are plural forms, right after their key in
		// the order zero, one, two, few, many (see Plural).
		for j, k := range f.keys {
			if !strings.Contains(k, formSep) {
				continue
			}
			base, form, ok := splitForm(k)
			if !assert.True(t, ok, "key %s: a # key must be <key>#zero, #one, #two, #few or #many", k) {
				continue
			}
			assert.Contains(t, enBase, base, "key %s is a form of a key not in en.json", k)
			if !assert.Positive(t, j, "key %s cannot come first", k) {
				continue
			}
			prev, prevForm, prevIsForm := splitForm(f.keys[j-1])
			ordered := prev == base && (f.keys[j-1] == base || prevIsForm && prevForm < form)
			assert.True(t, ordered, "key %s must follow %s and its earlier forms, not %s", k, base, f.keys[j-1])
		}
		for _, k := range f.keys {
			assert.NotEmpty(t, strings.TrimSpace(f.msgs[k]), "key %s is empty", k)
			assert.Equal(t, strings.TrimSpace(f.msgs[k]), f.msgs[k], "key %s has surrounding space", k)
		}
	})
}

// baseKeys drops the plural forms (key#one) from keys.
func baseKeys(keys []string) []string {
	return slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return strings.Contains(k, formSep) })
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func TestCatalogMetadata(t *testing.T) {
	t.Parallel()
	rtl := map[string]bool{"ar": true, "he": true, "fa": true}
	eachCatalog(t, func(t *testing.T, _, f catalogFile) {
		tag, err := language.Parse(f.tag)
		require.NoError(t, err)
		base, _ := tag.Base()
		assert.NotEmpty(t, strings.TrimSpace(f.msgs[keyName]), "_name")
		want := "ltr"
		if rtl[base.String()] {
			want = "rtl"
		}
		assert.Equal(t, want, f.msgs[keyDir], "_dir")
	})
}

// verbRE matches one fmt verb: %%, or flags, argument index, width,
// precision and a verb letter.
var verbRE = regexp.MustCompile(`^%(?:%|[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?(?:\[\d+\])?[a-zA-Z])`)

// formatVerbs lists the verbs of msg in order; a '%' that starts no verb is
// reported as "%!", since fmt would print garbage for it.
func formatVerbs(msg string) []string {
	var verbs []string
	for i := 0; i < len(msg); i++ {
		if msg[i] != '%' {
			continue
		}
		v := verbRE.FindString(msg[i:])
		if v == "" {
			verbs = append(verbs, "%!")
			continue
		}
		verbs = append(verbs, v)
		i += len(v) - 1
	}
	return verbs
}

func TestFormatVerbs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  string
		want []string
	}{
		{"none", "Accept all", nil},
		{"one", "%d days", []string{"%d"}},
		{"escaped percent", "100%% sure", []string{"%%"}},
		{"flags and width", "%-5s|%05.2f|%[1]d", []string{"%-5s", "%05.2f", "%[1]d"}},
		{"space flag hides in prose", "50 % des visites", []string{"% d"}},
		{"dangling", "100%", []string{"%!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, formatVerbs(tt.msg))
		})
	}
}

func TestCatalogVerbsMatchEnglish(t *testing.T) {
	t.Parallel()
	eachCatalog(t, func(t *testing.T, en, f catalogFile) {
		for _, k := range f.keys {
			base, _, _ := splitForm(k) // a plural form takes its key's verbs
			want, ok := en.msgs[base]
			if !ok {
				continue // reported by TestCatalogFiles
			}
			// Compared as multisets: a language may need the arguments
			// in another order, but never other or extra ones.
			assert.ElementsMatch(t, formatVerbs(want), formatVerbs(f.msgs[k]), "verbs of %s: %q", k, f.msgs[k])
			if base == "decl.days" {
				assert.Equal(t, 1, strings.Count(f.msgs[k], "%d"), "%s has %%d exactly once", k)
			}
		}
	})
}

// TestCatalogSettingsQuote checks that the banner text names the settings
// link by its exact label, between the language's own quotation marks, so
// the visitor can find the link the text points to.
func TestCatalogSettingsQuote(t *testing.T) {
	t.Parallel()
	isSpace := func(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' }
	isQuote := func(r rune) bool { return r > unicode.MaxASCII && unicode.Is(unicode.Quotation_Mark, r) }
	eachCatalog(t, func(t *testing.T, _, f catalogFile) {
		text, link := f.msgs["banner.text"], f.msgs["settings.link"]
		require.NotEmpty(t, link)
		i := strings.Index(text, link)
		require.GreaterOrEqual(t, i, 0, "banner.text must quote settings.link %q exactly", link)
		before := strings.TrimRightFunc(text[:i], isSpace)
		after := strings.TrimLeftFunc(text[i+len(link):], isSpace)
		open, _ := utf8.DecodeLastRuneInString(before)
		closing, _ := utf8.DecodeRuneInString(after)
		assert.True(t, isQuote(open), "opening quotation mark before %q, got %q", link, open)
		assert.True(t, isQuote(closing), "closing quotation mark after %q, got %q", link, closing)
	})
}

// TestCatalogsTranslated catches a file copied from English and not
// translated: the long texts can never be the same in another language.
func TestCatalogsTranslated(t *testing.T) {
	t.Parallel()
	eachCatalog(t, func(t *testing.T, en, f catalogFile) {
		if f.tag == "en" || strings.HasPrefix(f.tag, "en-") {
			return // English variants may share English texts
		}
		for _, k := range []string{"banner.text", "prefs.text", "decl.intro", "banner.gpc", "history.caption"} {
			assert.NotEqual(t, en.msgs[k], f.msgs[k], "%s is still English", k)
		}
	})
}

// otherServesDays lists, per catalog, the integer plural categories of its
// language for which the bare decl.days ("other") already reads right, so
// the file does not repeat it. Each entry is a reviewed claim about the
// language; TestCatalogPluralForms requires every other category a language
// has for whole numbers to be in its file.
var otherServesDays = map[string][]plural.Form{
	// Nouns stay singular after a numeral: "1 nap", "5 nap".
	"eu": {plural.One}, "fa": {plural.One}, "hi": {plural.One}, "hu": {plural.One},
	"sq": {plural.One}, "tr": {plural.One},
	// 2–4 take the same genitive as 5+: "2 dana", "5 dana"; "2 dni", "5 dni".
	"bs": {plural.Few}, "hr": {plural.Few}, "sr": {plural.Few}, "sl": {plural.Few},
	"pl": {plural.Few, plural.Many}, // other is "dni" too; "dnia" would be for fractions, never shown
	// "diwrnod" after every numeral but two ("2 ddiwrnod").
	"cy": {plural.Zero, plural.One, plural.Few, plural.Many},
	// "lá" does not change after a numeral.
	"ga": {plural.One, plural.Two, plural.Few, plural.Many},
	// Singular "jum" after 1 and after 11 and up; only 0 and 2–10 take "ijiem".
	"mt": {plural.One, plural.Many},
	// The dual "יומיים" has no numeral to fill; "2 ימים" is the plural.
	"he": {plural.Two},
	// "0 يوم" and "1 يوم" read like "100 يوم".
	"ar": {plural.Zero, plural.One},
}

// integerForms returns the CLDR categories x/text gives whole numbers in
// tag's language, Other included. The counts cover every residue the rules
// test (i%10, i%100) and the small exact values; a day count is always whole.
func integerForms(tag language.Tag) map[plural.Form]bool {
	forms := make(map[plural.Form]bool)
	for n := range 1200 {
		forms[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)] = true
	}
	return forms
}

func TestCatalogPluralForms(t *testing.T) {
	t.Parallel()
	eachCatalog(t, func(t *testing.T, _, f catalogFile) {
		tag, err := language.Parse(f.tag)
		require.NoError(t, err)
		need := integerForms(tag)
		serves := otherServesDays[f.tag]
		for _, form := range serves {
			assert.True(t, need[form], "otherServesDays lists %s, which %s does not use for whole numbers", formNames[form], f.tag)
		}
		for _, k := range f.keys {
			base, form, ok := splitForm(k)
			if !ok {
				continue // reported by TestCatalogFiles if it has a #
			}
			assert.Equal(t, "decl.days", base, "only decl.days takes a count")
			assert.True(t, need[form], "%s: %s has no %q form for whole numbers", k, f.tag, formNames[form])
			assert.NotEqual(t, f.msgs[base], f.msgs[k], "%s repeats %s: list the form in otherServesDays instead", k, base)
			assert.NotContains(t, serves, form, "%s is in the file and in otherServesDays", k)
		}
		for _, form := range suffixForms {
			if !need[form] || slices.Contains(serves, form) {
				continue
			}
			assert.Contains(t, f.msgs, "decl.days"+formSep+formNames[form],
				"%s uses %q for whole numbers: add the form, or list it in otherServesDays if decl.days reads right", f.tag, formNames[form])
		}
	})
}

// TestIntegerForms checks the oracle against CLDR examples, so a change in
// x/text's tables cannot silently empty the check above.
func TestIntegerForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag  string
		want []plural.Form
	}{
		{"ja", []plural.Form{plural.Other}},
		{"en", []plural.Form{plural.Other, plural.One}},
		{"ru", []plural.Form{plural.One, plural.Few, plural.Many}},
		{"lv", []plural.Form{plural.Other, plural.Zero, plural.One}},
		{"ar", []plural.Form{plural.Other, plural.Zero, plural.One, plural.Two, plural.Few, plural.Many}},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			t.Parallel()
			got := integerForms(language.MustParse(tt.tag))
			assert.Len(t, got, len(tt.want))
			for _, f := range tt.want {
				assert.True(t, got[f], formNames[f])
			}
		})
	}
}
