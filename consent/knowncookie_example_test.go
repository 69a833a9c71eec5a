package consent_test

import (
	"fmt"

	"github.com/consentkit/consentkit/consent"
)

// A well-known cookie declared in one line, from the Open Cookie Database.
func ExampleKnownCookie() {
	ga := consent.KnownCookie("_ga")
	fmt.Println(ga.Category, "|", ga.Provider, "|", ga.Lifetime.Hours()/24, "days |", ga.Purpose["en"])
	// Output: analytics | Google Analytics | 400 days | Measures visits for Google Analytics (Google).
}
