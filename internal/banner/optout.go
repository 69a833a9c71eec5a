package banner

import (
	"bytes"
	"html/template"
	"strings"
)

// OptOutPage renders the page behind the "Do Not Sell or Share My Personal
// Information" link: what opting out does and one button that posts
// action=opt_out to the decision endpoint, so that it works without
// JavaScript; once honoured (Data.Honored), the "Opt-out request honored"
// status instead of the button.
func OptOutPage(buf *bytes.Buffer, d *Data) {
	v := newView(d)
	v.Page = true
	execute(buf, "optoutpage", v)
}

// OptOutLink returns the "Do Not Sell or Share My Personal Information" link
// for a developer's own template, such as a footer (see
// consent.Regions.OwnOptOutLink); with honored, the "Opt-out request
// honored" status follows it. d needs Prefix, Return, Lang, Dir and Texts.
func OptOutLink(d *Data, honored bool) template.HTML {
	v := newView(d)
	v.Own = true
	var b strings.Builder
	execute(&b, "optoutlink", v)
	if honored {
		b.WriteString(` <span class="ck-honored">`)
		template.HTMLEscape(&b, []byte(d.Texts.Honored))
		b.WriteString(`</span>`)
	}
	return template.HTML(b.String()) // #nosec: produced by html/template, the status escaped
}
