package banner

import (
	"html/template"
	"strings"
)

// SettingsLink returns the "Cookie settings" link for a developer's own
// template, such as a footer: a plain link to {prefix}/preferences that the
// loader turns into the dialog. label is the localized text; returnPath the
// validated same-origin path to come back to. The link carries
// data-ck-settings (rewrite.SettingsAttr), so the middleware leaves the
// automatic link out of that page.
func SettingsLink(prefix, returnPath, label string) template.HTML {
	var b strings.Builder
	execute(&b, "settings", link{Prefix: prefix, Return: returnPath, Label: label, Own: true})
	return template.HTML(b.String()) // #nosec: produced by html/template
}

// ScriptTag returns a <script src> element that carries the response's CSP
// nonce when nonce is not empty, for a developer's own scripts.
func ScriptTag(src, nonce string) template.HTML {
	var b strings.Builder
	execute(&b, "script", struct{ Src, Nonce string }{src, nonce})
	return template.HTML(b.String()) // #nosec: produced by html/template
}
