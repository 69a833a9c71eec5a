package banner

import (
	"bytes"
	"html/template"
)

// snapshotLayout lays the two layers out one after the other for an
// auditor: the first layer floats at the bottom of a real page, and the
// dialog opens only by script, which a snapshot never runs. It is the
// snapshot's own style, after the served stylesheets, and changes nothing
// in the served bytes.
const snapshotLayout = `#ck-banner{position:static;margin:1rem auto}#ck-prefs{display:block;position:static;margin:1rem auto;max-height:none}`

// Snapshot writes a self-contained HTML document holding exactly what a
// visitor of d is served: the first layer (BodyStart, its language
// switcher listing short) and the preferences dialog (the fragment the
// loader fetches, listing d.Languages), byte for byte, with both
// stylesheets inline, so that the consent log can keep proof of what was
// shown even after the banner's templates change. Nothing in it runs:
// it has no script, and its forms post nowhere an auditor's sandbox allows.
// d is not modified.
func Snapshot(buf *bytes.Buffer, d *Data, short []Language) {
	first := *d
	first.Languages = short
	first.Decided, first.ConsentID = false, ""
	dialog := *d
	dialog.Decided, dialog.ConsentID = false, ""
	title := d.Texts.Title
	buf.WriteString("<!DOCTYPE html>\n<html lang=\"")
	template.HTMLEscape(buf, []byte(d.Lang))
	buf.WriteString(`" dir="`)
	template.HTMLEscape(buf, []byte(d.dir()))
	buf.WriteString(`"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>`)
	template.HTMLEscape(buf, []byte(title))
	buf.WriteString("</title>\n<style>")
	buf.Write(assets[cssName].body)
	buf.WriteString("</style>\n<style>")
	buf.Write(assets[dialogCSSName].body)
	buf.WriteString("</style>\n<style>" + snapshotLayout + "</style></head>\n<body>\n")
	BodyStart(buf, &first)
	buf.WriteString("\n")
	Preferences(buf, &dialog, true)
	buf.WriteString("\n</body></html>\n")
}
