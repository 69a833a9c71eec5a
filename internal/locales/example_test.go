package locales_test

import (
	"fmt"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/consentkit/consentkit/internal/locales"
)

func ExampleMatch() {
	// A Swiss visitor who reads French best; no explicit choice yet.
	l := locales.Match("fr-CH, fr;q=0.9, de;q=0.8, en;q=0.5")
	fmt.Println(l.Tag, l.Name, l.Dir)
	fmt.Println(l.Text("banner.accept_all"))

	// The visitor then picks German in the banner's language switcher.
	l = locales.Match("fr-CH, fr;q=0.9", "de")
	fmt.Println(l.Tag, l.Text("banner.reject_all"))

	// Nothing usable: English.
	fmt.Println(locales.Match("*;q=0.1, !!").Tag)
	// Output:
	// fr Français ltr
	// Tout accepter
	// de Alle ablehnen
	// en
}

func ExampleCatalog() {
	p := message.NewPrinter(language.Italian, message.Catalog(locales.Catalog()))
	fmt.Println(p.Sprintf("decl.days", 30))
	// Output:
	// 30 giorni
}

func ExampleLookup() {
	fmt.Println(locales.Lookup(language.MustParse("es-ES"), "settings.link"))
	fmt.Println(locales.Lookup(language.MustParse("tlh"), "settings.link"))
	// Output:
	// Configuración de cookies
	// Cookie settings
}

func ExamplePlural() {
	for _, n := range []int{1, 3, 5, 21} {
		fmt.Printf("%s | %s | %s\n",
			locales.Plural(language.English, "decl.days", n),
			locales.Plural(language.Polish, "decl.days", n),
			locales.Plural(language.Russian, "decl.days", n))
	}
	// The printer over Catalog chooses the same forms, in the language's digits.
	p := message.NewPrinter(language.Arabic, message.Catalog(locales.Catalog()))
	fmt.Println(locales.Plural(language.Arabic, "decl.days", 3), "|", p.Sprintf("decl.days", 3))
	// Output:
	// 1 day | 1 dzień | 1 день
	// 3 days | 3 dni | 3 дня
	// 5 days | 5 dni | 5 дней
	// 21 days | 21 dni | 21 день
	// 3 أيام | ٣ أيام
}
