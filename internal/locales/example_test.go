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
