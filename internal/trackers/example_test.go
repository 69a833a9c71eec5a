package trackers_test

import (
	"fmt"

	"github.com/consentkit/consentkit/internal/trackers"
)

func ExampleTable_LookupURL() {
	t := trackers.Default().With(map[string]string{
		"cdn.example.net": "preferences", // a host of your own
		"vimeo.com":       "",            // treat as first party
	})
	for _, u := range []string{
		"https://www.googletagmanager.com/gtag/js?id=G-1",
		"//connect.facebook.net/en_US/fbevents.js",
		"https://player.vimeo.com/video/1",
		"https://img.cdn.example.net/a.png",
		"/static/app.js",
	} {
		c, ok := t.LookupURL(u)
		fmt.Println(c, ok)
	}
	// Output:
	// analytics true
	// marketing true
	//  false
	// preferences true
	//  false
}

func ExampleTable_Lookup() {
	t := trackers.Default()
	for _, host := range []string{
		"www.google-analytics.com",
		"WWW.Google-Analytics.com:443",   // case and port
		"www.google-analytics\u3002com",  // an ideographic full stop, as a browser reads it
		"www.goo\u00adgle-analytics.com", // a soft hyphen, which browsers drop
		"www.google-analytics%2ecom",     // a percent-encoded dot
		"cdnjs.cloudflare.com",           // a CDN: necessary, so not in the table
	} {
		c, ok := t.Lookup(host)
		fmt.Println(c, ok)
	}
	// Output:
	// analytics true
	// analytics true
	// analytics true
	// analytics true
	// analytics true
	//  false
}
