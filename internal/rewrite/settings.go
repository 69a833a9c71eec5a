package rewrite

import "bytes"

// SettingsAttr marks a page's own "Cookie settings" control, such as the
// link consent's template helper renders: a start tag carrying it before
// the place of Config.Settings keeps the automatic control out, so a page
// never shows two. It counts on an <a> or a <button>, with or without a
// value, written in lower case.
const SettingsAttr = "data-ck-settings"

// maxSettingsTag bounds the start tags looked at for SettingsAttr: a
// control's tag is short.
const maxSettingsTag = 2 << 10

// watchSettings notes whether the start tag ending at index end of p carries
// SettingsAttr. A longer tag than maxSettingsTag is not looked at, and a page
// whose control has one shows two links.
func (r *Rewriter) watchSettings(p []byte, end int) {
	if r.anames&bitSettings == 0 || !r.controlElement() || r.overflow || r.off+int64(end)-r.tokAbs > maxSettingsTag {
		return
	}
	tag := r.tagBytes(p, end)
	if !mayHaveSettingsAttr(tag) {
		return
	}
	_, _, attrs := parseTag(tag, r.attrs)
	r.attrs = attrs
	for _, a := range attrs {
		if nameIs(tag, a, SettingsAttr) {
			r.ownSettings, r.watch = true, false
			return
		}
	}
}

// controlElement reports whether the current start tag is an <a> or a
// <button>: a settings control is one of them, and looking at every other
// tag for SettingsAttr cost a sixth of the rewriter's time on the corpus.
func (r *Rewriter) controlElement() bool {
	n := r.name[:min(r.nameLen, len(r.name))]
	return r.nameLen == 1 && n[0] == 'a' || r.nameLen == len("button") && string(n) == "button"
}

// mayHaveSettingsAttr is the cheap filter run on the control elements
// before </body>: SettingsAttr's tail, in lower case as HTML is written
// today (html/template and the template helper included). One vectorised
// search starting from a 'k', rare in tags; a name written in another case
// is missed, and the page shows two links.
func mayHaveSettingsAttr(tag []byte) bool {
	return len(tag) >= len("<a data-ck-settings>") && bytes.Contains(tag, settingsTail)
}

var settingsTail = []byte("k-settings")
