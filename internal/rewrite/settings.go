package rewrite

import "bytes"

// SettingsAttr marks a page's own "Cookie settings" control, such as the
// link consent's template helper renders: a start tag carrying it before
// the place of Config.Settings keeps the automatic control out, so a page
// never shows two. Any element counts, in any letter case, with or without
// a value.
const SettingsAttr = "data-ck-settings"

// watchSettings notes whether the start tag ending at index end of p carries
// SettingsAttr. A tag past the look-ahead bound has lost its start and is
// not looked at.
func (r *Rewriter) watchSettings(p []byte, end int) {
	if r.overflow || r.off+int64(end)-r.tokAbs > int64(r.maxTag) {
		return
	}
	tag := r.tagBytes(p, end)
	if !mayHaveSettingsAttr(tag) {
		return
	}
	_, attrs := parseTag(tag, r.attrs)
	r.attrs = attrs
	for _, a := range attrs {
		if nameIs(tag, a, SettingsAttr) {
			r.ownSettings, r.watch = true, false
			return
		}
	}
}

// mayHaveSettingsAttr is the cheap filter run on every start tag before
// </body>: SettingsAttr's "data-ck-settings" spelled in any case somewhere
// in the tag. Hyphens are rare enough in tags that looking for them first
// costs little.
func mayHaveSettingsAttr(tag []byte) bool {
	const dash = len("data") // the first '-' of SettingsAttr
	for i := dash; i < len(tag); i++ {
		j := bytes.IndexByte(tag[i:], '-')
		if j < 0 {
			return false
		}
		i += j
		if i+len(SettingsAttr)-dash <= len(tag) && equalFold(tag[i-dash:i-dash+len(SettingsAttr)], SettingsAttr) {
			return true
		}
	}
	return false
}
