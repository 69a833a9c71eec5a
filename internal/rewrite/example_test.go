package rewrite_test

import (
	"fmt"
	"os"

	"github.com/consentkit/consentkit/internal/rewrite"
)

type onlyAnalytics struct{}

func (onlyAnalytics) Allowed(c string) bool { return c == "analytics" }

func Example() {
	r := rewrite.Get(os.Stdout, rewrite.Config{
		Head:    []byte(`<script src="/consent/loader.js"></script>`),
		BodyEnd: []byte(`<a href="/consent">Cookie settings</a>`),
		Consent: onlyAnalytics{},
	})
	defer r.Put()
	// A handler's Writes may split tags anywhere.
	for _, chunk := range []string{
		`<html><head><script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>`,
		`<script data-consent="marketing">fbq('track','PageView')</scr`,
		`ipt></head><body><iframe src="https://www.youtube.com/embed/x"></iframe></body></html>`,
	} {
		if _, err := r.Write([]byte(chunk)); err != nil {
			fmt.Println(err)
		}
	}
	if err := r.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <html><head><script src="/consent/loader.js"></script><script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script><script type="text/plain" data-ck-blocked="marketing" data-consent="marketing">fbq('track','PageView')</script></head><body><iframe data-ck-blocked="marketing" data-ck-src="https://www.youtube.com/embed/x"></iframe><a href="/consent">Cookie settings</a></body></html>
}
