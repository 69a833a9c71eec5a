package banner

import (
	"bytes"
	"html/template"
	"io"
	"strings"
)

// templates is parsed once at start-up. html/template escapes every text by
// context, because developers may override any catalog message.
var templates = parseTemplates()

func parseTemplates() *template.Template {
	// Line breaks only lay the source out; see the note atop the file.
	src := strings.ReplaceAll(string(mustRead("templates/banner.tmpl"))+string(mustRead("templates/optout.tmpl")), "\n", "")
	return template.Must(template.New("banner").Funcs(template.FuncMap{"query": queryValue}).Parse(src))
}

// queryValue escapes a path for use as a query parameter value, like
// html/template would, except that it leaves "/", ":", "@" and "?" alone:
// they are legal in a query (RFC 3986, 3.4), and the settings link on every
// page of a decided visitor is within a byte budget. Returned as template.URL,
// html/template only normalizes it; everything unsafe is already escaped.
func queryValue(s string) template.URL {
	var b bytes.Buffer
	writeQuery(&b, s)
	return template.URL(b.String()) // #nosec: fully escaped above
}

// view is what the templates see: the caller's Data plus derived values.
type view struct {
	*Data
	Dir        string
	Mode       template.JS // built only from whitelisted names, see appendMode
	JS, CSS    string
	DialogCSS  string
	Granted    string
	Guard      bool // the host set and a synchronous loader, see Data.Hosts
	Styled     bool // the page links the stylesheet
	LangSubmit string
	Page       bool
	Link       link
	Embed      embedView
	Own        bool // the site's own opt-out link (OptOutLink)
}

// embedView is the placeholder's data, its texts filled in.
type embedView struct {
	Embed
	Text, Always string
}

// link is the data of the "Cookie settings" link. Own marks the page's own
// link (SettingsLink) with data-ck-settings, which keeps the automatic one
// out.
type link struct {
	Prefix, Return, Lang, Dir, Label string
	Corner                           string // see Data.Corner
	Hidden, Own                      bool
}

func newView(d *Data) *view {
	v := &view{Data: d, Dir: d.dir(), JS: jsName, CSS: cssName, DialogCSS: dialogCSSName, LangSubmit: d.Texts.LanguageSubmit}
	if d.Signals {
		v.JS = signalsJSName
	}
	if v.LangSubmit == "" {
		v.LangSubmit = d.Texts.Language
	}
	return v
}

// execute runs one named template. Its error is dropped on purpose: a
// bytes.Buffer cannot fail to write, and the templates themselves are
// exercised by the package's tests in every state.
func execute(w io.Writer, name string, data any) {
	_ = templates.ExecuteTemplate(w, name, data)
}

// Head renders what goes right after <head>: the Consent Mode v2 defaults for
// the state the server already knows (before any tag can run); while some
// category is not granted, the host set (Data.Hosts) and the loader as
// synchronous scripts, whose runtime guard then runs before any script of
// the page; otherwise the loader deferred; both carry the granted
// categories in data-g; last, the stylesheet while the banner shows (after
// the scripts, which a pending stylesheet would hold up). Every element
// carries d.Nonce when set.
func Head(buf *bytes.Buffer, d *Data) {
	headCache.render(buf, d)
}

func prepHead(v *view) {
	if len(v.ConsentMode) > 0 {
		v.Mode = template.JS(appendMode(make([]byte, 0, 320), v.Data))
	}
	var all bool
	v.Granted, all = v.granted()
	v.Guard = v.Hosts != "" && !all
	// The stylesheet places the banner, and after a decision the floating
	// reopen control: cached since the banner showed, it costs a decided
	// visitor one line of markup.
	v.Styled = !v.Decided || v.corner() != ""
}

// BodyStart renders what goes right after the <body> start tag: for an
// undecided visitor, the first layer (a region named by its title, with
// Accept all, Reject all and Choose), so that it is the first thing a
// keyboard or screen reader user reaches; nothing for a decided one.
func BodyStart(buf *bytes.Buffer, d *Data) {
	if !d.Decided {
		startCache.render(buf, d)
	}
}

// Body renders what goes right before </body>: in the opt-out model the
// "Do Not Sell or Share" link (Data.OptOut), in the notice model the notice
// (Data.Notice); then the control that reopens
// the preferences, floating in the corner Data.Corner names (hidden while
// the banner shows; the loader reveals it after a choice). The preferences
// dialog is not included: the loader fetches it on demand, which keeps the
// first page small.
//
// Body returns where the reopen control begins in buf, for the rewriter to leave
// it out of a page that renders its own (SettingsLink).
func Body(buf *bytes.Buffer, d *Data) (link int) {
	if d.OptOut || d.Notice {
		optoutCache.render(buf, d)
	}
	n := buf.Len()
	bodyCache.render(buf, d) // the control is all of it
	return n
}

func prepBody(v *view) {
	v.Link = link{Prefix: v.Prefix, Return: v.Return, Lang: v.Lang, Dir: v.Dir, Label: v.Texts.Settings, Corner: v.corner(), Hidden: !v.Decided}
}

// corner is Data.Corner when the reopen control floats, else "".
func (d *Data) corner() string {
	if d.Corner != "start" && d.Corner != "end" {
		return ""
	}
	return d.Corner
}

// Preferences renders the preferences dialog: every category with its
// toggle (a locked one shown on and disabled), Save choices, Accept all and
// Reject all, the receipt when decided. With fragment it is the bare
// <dialog> the loader injects; otherwise a whole HTML page showing it open,
// for visitors without JavaScript.
func Preferences(buf *bytes.Buffer, d *Data, fragment bool) {
	v := newView(d)
	if fragment {
		execute(buf, "dialog", v)
		return
	}
	v.Page = true
	execute(buf, "page", v)
}

// Placeholder renders the page a neutralised iframe, embed or object shows
// in its place and size (see Data.Texts.EmbedBlocked): the provider and the
// category named, "Load this once" (a link that navigates only this frame
// to the embed) and "Always allow <category>", a decision form posted to
// the top window that keeps the categories already granted and adds this
// one. Both work without JavaScript.
func Placeholder(buf *bytes.Buffer, d *Data, e Embed) {
	v := newView(d)
	title := e.Category
	for _, c := range d.Categories {
		if c.ID == e.Category {
			title = c.Title
		}
	}
	v.Embed = embedView{Embed: e,
		Text:   strings.Replace(d.Texts.EmbedBlocked, "%s", e.Provider, 1),
		Always: strings.Replace(d.Texts.EmbedAlways, "%s", title, 1)}
	execute(buf, "embed", v)
}
