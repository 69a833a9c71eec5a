// Package locales holds the banner's message catalogs, one JSON file per
// language under messages/, embedded in the binary, and picks the catalog a
// visitor should see.
//
// Every catalog has the keys of messages/en.json. Keys that start with "_"
// are metadata rather than messages: "_name" is the language's name for
// itself (what a language switcher shows) and "_dir" is "ltr" or "rtl".
//
// Match turns an Accept-Language header, and any explicit choices that
// outrank it, into a Locale; it never fails and falls back to English.
// Lookup and Locale.Text return a message with English as the fallback.
//
// A message that takes a count (decl.days, "%d days") has plural forms: the
// bare key is CLDR's "other" form, and a catalog adds "decl.days#one",
// "#few" and so on for the categories its language uses for whole numbers
// and words differently. Plural picks the form by CLDR's cardinal rules
// (golang.org/x/text/feature/plural) and fills in the number; the tests
// check it against x/text's own printer fed the same forms.
//
// The catalogs are embedded, so a malformed file is a programming error:
// the package tests reject it, and at run time the file is skipped so the
// visitor sees English rather than an error page.
package locales
