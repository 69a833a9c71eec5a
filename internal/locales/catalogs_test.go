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

		for _, k := range en.keys {
			assert.Contains(t, f.msgs, k, "missing key")
		}
		for _, k := range f.keys {
			assert.Contains(t, en.msgs, k, "key not in en.json")
		}
		if slices.Equal(sortedCopy(f.keys), sortedCopy(en.keys)) {
			assert.Equal(t, en.keys, f.keys, "keys in the order of en.json")
		}
		for _, k := range f.keys {
			assert.NotEmpty(t, strings.TrimSpace(f.msgs[k]), "key %s is empty", k)
			assert.Equal(t, strings.TrimSpace(f.msgs[k]), f.msgs[k], "key %s has surrounding space", k)
		}
	})
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
		for _, k := range en.keys {
			msg, ok := f.msgs[k]
			if !ok {
				continue // reported by TestCatalogFiles
			}
			// Compared as multisets: a language may need the arguments
			// in another order, but never other or extra ones.
			assert.ElementsMatch(t, formatVerbs(en.msgs[k]), formatVerbs(msg), "verbs of %s: %q", k, msg)
		}
		assert.Equal(t, 1, strings.Count(f.msgs["decl.days"], "%d"), "decl.days has %%d exactly once")
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
		for _, k := range []string{"banner.text", "prefs.text", "decl.intro", "banner.gpc"} {
			assert.NotEqual(t, en.msgs[k], f.msgs[k], "%s is still English", k)
		}
	})
}
