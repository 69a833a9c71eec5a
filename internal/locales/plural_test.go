package locales

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

func TestPlural(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tag  string
		n    int
		want string
	}{
		{"english one", "en", 1, "1 day"},
		{"english zero is other", "en", 0, "0 days"},
		{"english other", "en", 400, "400 days"},
		{"english variant", "en-GB", 1, "1 day"},
		{"no grouping, ASCII digits", "en", 12345, "12345 days"},
		{"german one through a regional tag", "de-AT", 1, "1 Tag"},
		{"french zero is one", "fr", 0, "0 jour"},
		{"french one", "fr", 1, "1 jour"},
		{"french other", "fr", 2, "2 jours"},
		{"brazilian zero is one", "pt-BR", 0, "0 dia"},
		{"european portuguese rules for pt-PT", "pt-PT", 0, "0 dias"},
		{"european portuguese one", "pt-PT", 1, "1 dia"},
		{"polish one", "pl", 1, "1 dzień"},
		{"polish few is other", "pl", 22, "22 dni"},
		{"polish many is other", "pl", 12, "12 dni"},
		{"russian one", "ru", 21, "21 день"},
		{"russian few", "ru", 3, "3 дня"},
		{"russian many", "ru", 11, "11 дней"},
		{"russian many after hundreds", "ru", 111, "111 дней"},
		{"ukrainian few", "uk", 24, "24 дні"},
		{"czech few", "cs", 4, "4 dny"},
		{"czech other", "cs", 5, "5 dní"},
		{"slovenian two", "sl", 102, "102 dneva"},
		{"slovenian one", "sl", 101, "101 dan"},
		{"lithuanian one", "lt", 31, "31 diena"},
		{"lithuanian few", "lt", 9, "9 dienos"},
		{"lithuanian other", "lt", 11, "11 dienų"},
		{"latvian zero form for teens", "lv", 15, "15 dienu"},
		{"latvian one", "lv", 21, "21 diena"},
		{"latvian other", "lv", 22, "22 dienas"},
		{"romanian one", "ro", 1, "1 zi"},
		{"romanian few", "ro", 19, "19 zile"},
		{"romanian other", "ro", 20, "20 de zile"},
		{"welsh two", "cy", 2, "2 ddiwrnod"},
		{"welsh other", "cy", 3, "3 diwrnod"},
		{"maltese few", "mt", 10, "10 ijiem"},
		{"maltese many", "mt", 11, "11 jum"},
		{"arabic two", "ar", 2, "2 يومان"},
		{"arabic few", "ar", 3, "3 أيام"},
		{"arabic many", "ar", 11, "11 يومًا"},
		{"arabic other", "ar", 100, "100 يوم"},
		{"hebrew many", "he", 30, "30 יום"},
		{"hebrew other", "he", 3, "3 ימים"},
		{"japanese has one form", "ja", 1, "1日"},
		{"unsupported language reads english with english rules", "tlh", 1, "1 day"},
		{"zero tag", "", 1, "1 day"},
		{"negative takes the form of its absolute value", "ru", -2, "-2 дня"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var tag language.Tag
			if tt.tag != "" {
				tag = language.MustParse(tt.tag)
			}
			assert.Equal(t, tt.want, Plural(tag, "decl.days", tt.n))
		})
	}
}

func TestPluralEdges(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "no.such.key", Plural(language.German, "no.such.key", 3), "a missing key is returned as is")
	assert.Equal(t, "Alle akzeptieren", Plural(language.German, "banner.accept_all", 3), "a message without a verb is returned as is")
	assert.Equal(t, "5 Tag", Plural(language.German, "decl.days#one", 5), "a form key is an ordinary key")
	for _, n := range []int{math.MinInt, math.MinInt + 1, -10_000_000, -9_999_999, math.MaxInt} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			for _, l := range Locales() {
				assert.Contains(t, l.Plural("decl.days", n), strconv.Itoa(n), l.Tag)
			}
		})
	}
}

func TestPluralFallsBackToOther(t *testing.T) {
	t.Parallel()
	b := newBundle(fstest.MapFS{
		"messages/en.json": {Data: []byte(`{"_name": "English", "_dir": "ltr", "n": "%d things", "n#one": "%d thing"}`)},
		"messages/ru.json": {Data: []byte(`{"_name": "Русский", "_dir": "ltr", "n": "%d шт.", "n#one": "%d штука", "n#lots": "%d x"}`)},
		"messages/ja.json": {Data: []byte(`{"_name": "日本語", "_dir": "ltr"}`)},
	})
	require.Empty(t, b.errs)
	tests := []struct {
		name string
		tag  language.Tag
		n    int
		want string
	}{
		{"own form", language.Russian, 21, "21 штука"},
		{"form the catalog lacks is its other", language.Russian, 3, "3 шт."},
		{"unknown category is never picked", language.Russian, 5, "5 шт."},
		{"key missing from the catalog is english, english rules", language.Japanese, 1, "1 thing"},
		{"english other", language.Japanese, 2, "2 things"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, b.plural(tt.tag, "n", tt.n))
		})
	}
}

func TestPluralKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag  language.Tag
		n    int
		want string
	}{
		{language.English, 1, "decl.days#one"},
		{language.English, 2, "decl.days"},
		{language.Polish, 5, "decl.days#many"}, // pl lists no many form: Lookup gives decl.days
		{language.Japanese, 1, "decl.days"},
		{language.MustParse("tlh"), 1, "decl.days#one"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.tag, tt.n), func(t *testing.T) {
			t.Parallel()
			key := PluralKey(tt.tag, "decl.days", tt.n)
			assert.Equal(t, tt.want, key)
			assert.Equal(t, Plural(tt.tag, "decl.days", tt.n), formatCount(Lookup(tt.tag, key), tt.n), "Lookup of the key is Plural's message")
		})
	}
}

func TestLookupPluralForm(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "%d day", Lookup(language.English, "decl.days#one"))
	assert.Equal(t, "%d日", Lookup(language.Japanese, "decl.days#one"), "a form the catalog lacks is its own other form, not English")
	assert.Equal(t, "%d dni", Lookup(language.Polish, "decl.days#few"))
	assert.Equal(t, "%d day", Lookup(language.MustParse("tlh"), "decl.days#one"))
	assert.Equal(t, "decl.days#bogus", Lookup(language.English, "decl.days#bogus"), "not a category: an unknown key")
	assert.NotContains(t, Keys(), "decl.days#one", "forms are not keys of their own")
}

// printerTags are the tags for which an x/text printer over Catalog finds
// the same catalog as Plural: every catalog and regional variants whose
// parent it is. (For a language without a catalog the printer applies that
// language's rules to the English text, where Plural applies English rules.)
func printerTags() []language.Tag {
	var tags []language.Tag
	for _, l := range Locales() {
		tags = append(tags, l.Tag)
	}
	for _, s := range []string{"en-GB", "de-AT", "fr-CA", "pt-PT", "es-MX", "ru-UA", "ar-EG", "zh-TW"} {
		tags = append(tags, language.MustParse(s))
	}
	return tags
}

// printerCounts covers every residue mod 100 and the exact small values the
// rules test, bigger and negative numbers. It stops below a million: from
// 1,000,001 on, x/text's printer takes every number for 1,000,000 (its
// getIntApprox), so it writes "1000001 дней" where CLDR and Plural say
// "1000001 день". No cookie lives that many days.
const printerMax = 1_000_000

func printerCounts() []int {
	counts := []int{-1, -2, -11, -101, 1000, 1001, 123_456, 999_999, printerMax, -printerMax}
	for n := range 250 {
		counts = append(counts, n)
	}
	return counts
}

func TestPluralAgreesWithPrinter(t *testing.T) {
	t.Parallel()
	cat := Catalog()
	for _, tag := range printerTags() {
		t.Run(tag.String(), func(t *testing.T) {
			t.Parallel()
			p := message.NewPrinter(tag, message.Catalog(cat))
			for _, n := range printerCounts() {
				// Plural writes ASCII digits; the printer the language's.
				want := strings.Replace(Plural(tag, "decl.days", n), strconv.Itoa(n), p.Sprintf("%d", n), 1)
				assert.Equal(t, want, p.Sprintf("decl.days", n), "n=%d", n)
			}
		})
	}
}

func TestFormatCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, msg string
		n         int
		want      string
	}{
		{"verb first", "%d days", 3, "3 days"},
		{"verb last", "Tage: %d", 3, "Tage: 3"},
		{"verb alone", "%d", -7, "-7"},
		{"no verb", "forever", 3, "forever"},
		{"escaped percent goes through fmt", "%d days (100%%)", 3, "3 days (100%)"},
		{"other verb goes through fmt", "%v days", 3, "3 days"},
		{"dangling percent", "%", 3, "%!(NOVERB)%!(EXTRA int=3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, formatCount(tt.msg, tt.n))
		})
	}
}

func TestOperand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n, want int
	}{
		{0, 0}, {5, 5}, {-1, 1}, {-9_999_999, 9_999_999},
		{-10_000_000, 10_000_000}, {-10_000_021, 10_000_021}, {math.MinInt, 14_775_808},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, operand(tt.n))
		})
	}
}

// FuzzPlural holds Plural to x/text's printer for any count and to "never
// panics, returns the key" for any key.
func FuzzPlural(f *testing.F) {
	f.Add("ru", "decl.days", 21)
	f.Add("ar", "decl.days", 11)
	f.Add("pt-PT", "decl.days", 0)
	f.Add("en", "decl.days#one", -1)
	f.Add("x-bogus", "decl.days#", math.MinInt)
	f.Add("de", "no.such.key", 3)
	cat := Catalog()
	f.Fuzz(func(t *testing.T, tagStr, key string, n int) {
		tag, err := language.Parse(tagStr)
		if err != nil {
			tag = language.Und
		}
		got := Plural(tag, key, n)
		if Lookup(tag, key) == key {
			assert.Equal(t, key, got)
		}
		if key != "decl.days" || n > printerMax || n < -printerMax {
			return
		}
		i := load().find(tag)
		if l := load().locales[i].Tag; l != tag {
			return // the printer would look up tag itself; see printerTags
		}
		p := message.NewPrinter(tag, message.Catalog(cat))
		want := strings.Replace(got, strconv.Itoa(n), p.Sprintf("%d", n), 1)
		assert.Equal(t, want, p.Sprintf(key, n))
	})
}

// BenchmarkPlural compares Plural with what the declaration did before it:
// fmt.Sprintf of the bare message, with no choice of form.
func BenchmarkPlural(b *testing.B) {
	pl := language.Polish
	b.Run("baseline/Sprintf(Lookup)", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = fmt.Sprintf(Lookup(pl, "decl.days"), 400)
		}
	})
	b.Run("Plural", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Plural(pl, "decl.days", 400)
		}
	})
	b.Run("Plural/regional tag", func(b *testing.B) {
		b.ReportAllocs()
		deAT := language.MustParse("de-AT")
		for b.Loop() {
			_ = Plural(deAT, "decl.days", 1)
		}
	})
	b.Run("Printer", func(b *testing.B) {
		b.ReportAllocs()
		p := message.NewPrinter(pl, message.Catalog(Catalog()))
		for b.Loop() {
			_ = p.Sprintf("decl.days", 400)
		}
	})
}
