package cookiedb_test

import (
	"fmt"

	"github.com/consentkit/consentkit/internal/cookiedb"
)

func ExampleLookup() {
	for _, name := range []string{"_ga_1B2C3D", "_hjSessionUser_3012345", "_fbp", "my_app_session"} {
		if e, ok := cookiedb.Lookup(name); ok {
			fmt.Printf("%s: %s (%s, %s)\n", name, e.Category, e.Platform, e.Retention)
		} else {
			fmt.Printf("%s: unknown\n", name)
		}
	}
	// Output:
	// _ga_1B2C3D: analytics (Google Analytics, 2 years)
	// _hjSessionUser_3012345: analytics (Hotjar, 365 days)
	// _fbp: marketing (Facebook, 4 months)
	// my_app_session: unknown
}
