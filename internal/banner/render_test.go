package banner

import (
	"bytes"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// states are the renderings the golden files pin down.
var states = []struct {
	name string
	data func() *Data
}{
	{"undecided", undecided},
	{"decided", decided},
	{"gpc", gpc},
	{"rtl", rtl},
	{"optout", optOutHonored},
	{"notice", notice},
	{"unplaced", unplaced},
}

// golden compares got with testdata/name, or rewrites it under -update. The
// asset hash is replaced by a placeholder so that a change to the script or
// the stylesheet alone does not churn every golden file.
func golden(t *testing.T, name, got string) {
	t.Helper()
	js, css := AssetNames()
	got = strings.NewReplacer(js, "ck.HASH.js", css, "ck.HASH.css", dialogCSSName, "ck.HASH.d.css").Replace(got)
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create the golden files")
	assert.Equal(t, string(want), got, "golden %s differs; if intended, run go test -update", path)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, s := range states {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			golden(t, s.name+".html", headBody(s.data())+"\n")
			golden(t, s.name+".prefs.html", prefs(s.data(), true)+"\n")
		})
	}
	t.Run("page", func(t *testing.T) {
		t.Parallel()
		golden(t, "decided.page.html", prefs(decided(), false)+"\n")
	})
	t.Run("opt-out page", func(t *testing.T) {
		t.Parallel()
		form := optOutHonored()
		form.Honored = false
		for name, d := range map[string]*Data{"optout.page.html": optOutHonored(), "optout-form.page.html": form} {
			var buf bytes.Buffer
			OptOutPage(&buf, d)
			golden(t, name, buf.String()+"\n")
		}
	})
}

func TestFirstLayer(t *testing.T) {
	t.Parallel()
	for _, s := range []struct {
		name      string
		data      func() *Data
		lang, dir string
		gpc       bool
	}{
		{"undecided", undecided, "en", "ltr", false},
		{"gpc", gpc, "en", "ltr", true},
		{"rtl", rtl, "ar", "rtl", false},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := s.data()
			doc := parse(t, headBody(d))
			b := one(t, doc, "banner", byID("ck-banner"))
			assert.Equal(t, "region", attrOr(b, "role"))
			assert.Equal(t, "ck-title", attrOr(b, "aria-labelledby"), "the region is announced once, with its title")
			assert.Equal(t, s.lang, attrOr(b, "lang"))
			assert.Equal(t, s.dir, attrOr(b, "dir"))
			assert.Equal(t, d.Texts.Title, text(one(t, b, "title", byID("ck-title"))))
			policy := one(t, b, "policy link", byClass("ck-policy"))
			assert.Equal(t, "/privacy", attrOr(policy, "href"))
			assert.Equal(t, s.gpc, len(all(b, byClass("ck-gpc"))) == 1, "GPC notice shown exactly when GPC")

			form := one(t, b, "decision form", byClass("ck-d"))
			assert.Equal(t, "post", attrOr(form, "method"))
			assert.Equal(t, "/consent/decision", attrOr(form, "action"))
			assert.Equal(t, map[string]string{"return": d.Return, "lang": s.lang}, hiddenFields(form))

			// The three controls: same element classes but for their own,
			// same order, accept and reject real submit buttons.
			btns := all(b, byClass("ck-btn"))
			require.Len(t, btns, 3)
			for i, want := range []struct{ class, label, value string }{
				{"ck-accept", d.Texts.AcceptAll, "accept_all"},
				{"ck-reject", d.Texts.RejectAll, "reject_all"},
				{"ck-choose", d.Texts.Choose, ""},
			} {
				assert.Equal(t, "ck-btn "+want.class, attrOr(btns[i], "class"))
				assert.Equal(t, want.label, text(btns[i]))
				if want.value != "" {
					assert.Equal(t, "button", btns[i].Data)
					assert.Equal(t, "action", attrOr(btns[i], "name"))
					assert.Equal(t, want.value, attrOr(btns[i], "value"))
					_, typed := attr(btns[i], "type")
					assert.False(t, typed, "a button without type submits")
				}
			}
			choose, err := url.Parse(attrOr(btns[2], "href"))
			require.NoError(t, err)
			assert.Equal(t, "/consent/preferences", choose.Path)
			assert.Equal(t, d.Return, choose.Query().Get("return"))

			assert.Empty(t, all(doc, func(n *html.Node) bool { return attrOr(n, "type") == "checkbox" }),
				"no checkbox, so none pre-ticked, in the first layer")
			lang := one(t, b, "language form", byClass("ck-lang"))
			assert.Equal(t, "/consent/language", attrOr(lang, "action"))
			assert.Equal(t, "post", attrOr(lang, "method"))
			sel := one(t, lang, "select", byTag("select"))
			assert.Equal(t, "lang", attrOr(sel, "name"))
			selected := all(sel, func(n *html.Node) bool { _, ok := attr(n, "selected"); return ok })
			require.Len(t, selected, 1)
			assert.Equal(t, s.lang, attrOr(selected[0], "value"))
			one(t, lang, "submit button", byTag("button"))

			settings := one(t, doc, "settings link", byClass("ck-settings"))
			_, hidden := attr(settings, "hidden")
			assert.True(t, hidden, "the settings link waits for a decision")

			loader := one(t, doc, "loader", isLoader)
			assert.Equal(t, "necessary", attrOr(loader, "data-g"), "undecided: only locked categories")
			_, deferred := attr(loader, "defer")
			assert.False(t, deferred, "the guard runs before the page's scripts")
			one(t, doc, "stylesheet", byID("ck-css"))
		})
	}
}

func TestDecidedBody(t *testing.T) {
	t.Parallel()
	d := decided()
	doc := parse(t, headBody(d))
	assert.Empty(t, all(doc, byID("ck-banner")), "no banner once decided")
	one(t, doc, "stylesheet", byID("ck-css")) // it floats the reopen control
	settings := one(t, doc, "settings link", byClass("ck-settings"))
	assert.Equal(t, "ck-open", attrOr(settings, "id"), "the floating reopen control")
	assert.Equal(t, "ck ck-settings", attrOr(settings, "class"))

	d.Corner = "" // the site places its own
	doc = parse(t, headBody(d))
	assert.Empty(t, all(doc, byID("ck-css")), "the stylesheet is loaded only with the dialog")
	settings = one(t, doc, "settings link", byClass("ck-settings"))
	assert.Equal(t, "ck-settings", attrOr(settings, "class"), "a plain link")
	_, id := attr(settings, "id")
	assert.False(t, id)
	_, hidden := attr(settings, "hidden")
	assert.False(t, hidden)
	assert.Equal(t, d.Texts.Settings, text(settings))
	href, err := url.Parse(attrOr(settings, "href"))
	require.NoError(t, err)
	assert.Equal(t, "/consent/preferences", href.Path)
	assert.Equal(t, d.Return, href.Query().Get("return"))
	assert.Equal(t, "necessary analytics", attrOr(one(t, doc, "loader", isLoader), "data-g"))
}

func TestPreferences(t *testing.T) {
	t.Parallel()
	for _, s := range []struct {
		name      string
		data      func() *Data
		fragment  bool
		checked   []string
		receipt   bool
		gpc       bool
		lang, dir string
	}{
		{"undecided fragment", undecided, true, []string{"necessary"}, false, false, "en", "ltr"},
		{"undecided with granted data", func() *Data { d := undecided(); d.Categories = enCategories("analytics", "marketing"); return d }, true, []string{"necessary"}, false, false, "en", "ltr"},
		{"decided fragment", decided, true, []string{"necessary", "analytics"}, true, false, "en", "ltr"},
		{"decided page", decided, false, []string{"necessary", "analytics"}, true, false, "en", "ltr"},
		{"gpc fragment", gpc, true, []string{"necessary"}, false, true, "en", "ltr"},
		{"rtl page", rtl, false, []string{"necessary"}, false, false, "ar", "rtl"},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := s.data()
			out := prefs(d, s.fragment)
			var doc *html.Node
			if s.fragment {
				require.True(t, strings.HasPrefix(out, "<dialog"), "a fragment is the bare dialog")
				doc = parse(t, out)
			} else {
				doc = parseDoc(t, out)
				h := one(t, doc, "html", byTag("html"))
				assert.Equal(t, s.lang, attrOr(h, "lang"))
				assert.Equal(t, s.dir, attrOr(h, "dir"))
				one(t, doc, "stylesheet", byID("ck-css"))
				assert.Empty(t, all(doc, byTag("script")), "the no-JS page runs no script")
			}
			dlg := one(t, doc, "dialog", byID("ck-prefs"))
			assert.Equal(t, "dialog", dlg.Data)
			assert.Equal(t, "dialog", attrOr(dlg, "role"))
			assert.Equal(t, "true", attrOr(dlg, "aria-modal"))
			assert.Equal(t, s.lang, attrOr(dlg, "lang"))
			assert.Equal(t, s.dir, attrOr(dlg, "dir"))
			_, open := attr(dlg, "open")
			assert.Equal(t, !s.fragment, open, "open on the page; showModal opens the fragment")
			title := one(t, doc, "labelling title", byID(attrOr(dlg, "aria-labelledby")))
			assert.Equal(t, d.Texts.PrefsTitle, text(title))
			closeLink := one(t, dlg, "close", byClass("ck-close"))
			assert.Equal(t, d.Return, attrOr(closeLink, "href"))

			form := one(t, dlg, "decision form", byClass("ck-d"))
			assert.Equal(t, "/consent/decision", attrOr(form, "action"))
			assert.Equal(t, map[string]string{"return": d.Return, "lang": s.lang}, hiddenFields(form))
			cats := all(form, byClass("ck-cat"))
			require.Len(t, cats, len(d.Categories))
			var checked []string
			for i, c := range d.Categories {
				row := cats[i]
				box := one(t, row, "checkbox", func(n *html.Node) bool { return attrOr(n, "type") == "checkbox" })
				assert.Equal(t, "category", attrOr(box, "name"))
				assert.Equal(t, c.ID, attrOr(box, "value"))
				assert.Contains(t, text(row), c.Title)
				desc := one(t, doc, "description", byID(attrOr(box, "aria-describedby")))
				assert.Equal(t, c.Description, text(desc))
				_, disabled := attr(box, "disabled")
				assert.Equal(t, c.Locked, disabled, "only a locked category is disabled")
				assert.Equal(t, c.Locked, len(all(row, byClass("ck-on"))) == 1, "Always on marks a locked category")
				if _, ok := attr(box, "checked"); ok {
					checked = append(checked, c.ID)
				}
			}
			assert.Equal(t, s.checked, checked)
			btns := all(form, byClass("ck-btn"))
			require.Len(t, btns, 3, "save, accept all, reject all: withdrawing takes no more steps than accepting")
			for i, v := range []string{"save", "accept_all", "reject_all"} {
				assert.Equal(t, "button", btns[i].Data)
				assert.Equal(t, v, attrOr(btns[i], "value"))
				assert.Len(t, strings.Fields(attrOr(btns[i], "class")), 2, "equal classes")
			}
			receipts := all(dlg, byClass("ck-receipt"))
			assert.Equal(t, s.receipt, len(receipts) == 1)
			if s.receipt {
				assert.Contains(t, text(receipts[0]), d.ConsentID)
				link := one(t, receipts[0], "history link", byTag("a"))
				assert.Equal(t, "/consent/history?id="+d.ConsentID, attrOr(link, "href"))
			}
			assert.Equal(t, s.gpc, len(all(dlg, byClass("ck-gpc"))) == 1)
		})
	}
}

func TestLanguageSwitcher(t *testing.T) {
	t.Parallel()
	for _, s := range []struct {
		name   string
		langs  []Language
		submit string
		want   string // the submit button's label; "" means no switcher
	}{
		{"none", nil, "", ""},
		{"one language is no choice", []Language{{Tag: "en", Name: "English", Selected: true}}, "", ""},
		{"label falls back to Language", []Language{{Tag: "en", Name: "English"}, {Tag: "de", Name: "Deutsch"}}, "", "Language"},
		{"own submit label", []Language{{Tag: "en", Name: "English"}, {Tag: "de", Name: "Deutsch"}}, "Change", "Change"},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := undecided()
			d.Languages, d.Texts.LanguageSubmit = s.langs, s.submit
			forms := all(parse(t, headBody(d)), byClass("ck-lang"))
			if s.want == "" {
				assert.Empty(t, forms)
				return
			}
			require.Len(t, forms, 1)
			assert.Equal(t, s.want, text(one(t, forms[0], "button", byTag("button"))))
			assert.Len(t, all(forms[0], byTag("option")), len(s.langs))
		})
	}
}

func TestDirIsLTRUnlessRTL(t *testing.T) {
	t.Parallel()
	d := undecided()
	d.Dir = `"><script>`
	b := one(t, parse(t, headBody(d)), "banner", byID("ck-banner"))
	assert.Equal(t, "ltr", attrOr(b, "dir"))
}

func TestNoPolicyLink(t *testing.T) {
	t.Parallel()
	d := undecided()
	d.PolicyURL = ""
	assert.Empty(t, all(parse(t, headBody(d)), byClass("ck-policy")))
	assert.Empty(t, all(parse(t, prefs(d, true)), byClass("ck-policy")))
}

func TestConsentIDStaysOutOfPage(t *testing.T) {
	t.Parallel()
	// The cache key leaves ConsentID out; that is only right while Head and
	// Body never show it.
	d := decided()
	assert.NotContains(t, headBody(d), d.ConsentID)
}

// TestHeadGuard checks where the runtime guard comes from: while some
// category is refused, the host set and then the loader, both synchronous
// and nonce'd, before the stylesheet (which would hold up a script after
// it); once everything is granted, or without a host set, only the deferred
// loader.
func TestHeadGuard(t *testing.T) {
	t.Parallel()
	js, css := AssetNames()
	noHosts := func() *Data { d := undecided(); d.Hosts = ""; return d }
	for _, s := range []struct {
		name string
		data func() *Data
		want []string // the head's elements after the Consent Mode script
	}{
		{"undecided", undecided, []string{"script /consent/assets/" + testHosts, "script /consent/assets/" + js, "link /consent/assets/" + css}},
		{"decided, marketing refused", decided, []string{"script /consent/assets/" + testHosts, "script /consent/assets/" + js, "link /consent/assets/" + css}},
		{"all granted", allGranted, []string{"script /consent/assets/" + js + " defer", "link /consent/assets/" + css}},
		{"decided, the site places its own link", func() *Data { d := allGranted(); d.Corner = ""; return d }, []string{"script /consent/assets/" + js + " defer"}},
		{"no host set", noHosts, []string{"script /consent/assets/" + js + " defer", "link /consent/assets/" + css}},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := s.data()
			var buf bytes.Buffer
			Head(&buf, d)
			doc := parse(t, buf.String())
			var got []string
			for _, n := range all(doc, func(n *html.Node) bool { return n.Data == "script" || n.Data == "link" }) {
				src := attrOr(n, "src") + attrOr(n, "href")
				if src == "" {
					continue // the Consent Mode snippet
				}
				if _, ok := attr(n, "defer"); ok {
					src += " defer"
				}
				got = append(got, n.Data+" "+src)
				assert.Equal(t, d.Nonce, attrOr(n, "nonce"), "%s carries the nonce", src)
			}
			assert.Equal(t, s.want, got)
		})
	}
}

func TestBodyReportsWhereTheSettingsLinkBegins(t *testing.T) {
	t.Parallel()
	for _, s := range states {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := s.data()
			// Texts that look like the link must not move the cut: they
			// are escaped.
			d.Texts.Text = `<a class="ck-settings" href="/x">` + d.Texts.Text
			var buf bytes.Buffer
			buf.WriteString("[before]")
			at := Body(&buf, d)
			link := buf.String()[at:]
			settings := one(t, parse(t, link), "settings link", byClass("ck-settings"))
			assert.Equal(t, d.Texts.Settings, text(settings))
			_, own := attr(settings, "data-ck-settings")
			assert.False(t, own, "the automatic link is not the page's own")
			rest := buf.String()[len("[before]"):at]
			if d.OptOut || d.Notice {
				// The opt-out link or the notice stays when the page
				// places its own settings control.
				assert.True(t, strings.HasPrefix(rest, `<p class="ck-optout"`) || strings.HasPrefix(rest, `<p class="ck-notice"`), rest)
				return
			}
			assert.Empty(t, rest, "the body-end snippet is the control alone, cut off whole (the banner goes after <body>: BodyStart)")
		})
	}
}

func TestSettingsLinkIsMarkedAsThePagesOwn(t *testing.T) {
	t.Parallel()
	n := one(t, parse(t, string(SettingsLink("/consent", "/", "Cookie settings"))), "link", byClass("ck-settings"))
	_, own := attr(n, "data-ck-settings")
	assert.True(t, own)
	_, hidden := attr(n, "hidden")
	assert.False(t, hidden)
}
