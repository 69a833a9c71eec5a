package banner_test

import (
	"bytes"
	"fmt"

	"github.com/consentkit/consentkit/internal/banner"
)

func ExampleSettingsLink() {
	fmt.Println(banner.SettingsLink("/consent", "/news?id=7", "Cookie settings"))
	// Output:
	// <a class="ck-settings" href="/consent/preferences?return=/news?id%3d7" data-ck-settings>Cookie settings</a>
}

func ExampleScriptTag() {
	fmt.Println(banner.ScriptTag("/static/app.js", "r4nd0m"))
	fmt.Println(banner.ScriptTag("/static/app.js", ""))
	// Output:
	// <script src="/static/app.js" nonce="r4nd0m"></script>
	// <script src="/static/app.js"></script>
}

func ExampleBody() {
	d := &banner.Data{
		Lang: "en", Decided: true, Prefix: "/consent", Return: "/",
		Texts: banner.Texts{Settings: "Cookie settings"},
	}
	var buf bytes.Buffer
	banner.Body(&buf, d) // a decided visitor gets only the settings link
	fmt.Println(buf.String())
	// Output:
	// <a class="ck-settings" href="/consent/preferences?return=/" lang="en">Cookie settings</a>
}
