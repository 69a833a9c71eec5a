package banner

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A snapshot holds the first layer and the dialog exactly as BodyStart and
// Preferences render them for an undecided visitor, whatever the Data says
// of a decision, with the stylesheets as served, no script, and the caller's
// Data untouched.
func TestSnapshot(t *testing.T) {
	t.Parallel()
	d := decided() // a decided visitor reopening: the snapshot is still the undecided banner
	d.Languages = []Language{{Tag: "en", Name: "English", Selected: true}, {Tag: "es", Name: "Español"}, {Tag: "fr", Name: "Français"}}
	short := d.Languages[:2]
	before := *d
	before.Languages = append([]Language(nil), d.Languages...)
	var buf bytes.Buffer
	Snapshot(&buf, d, short)
	assert.True(t, reflect.DeepEqual(before, *d), "Data untouched")

	u := *d
	u.Decided, u.ConsentID, u.Languages = false, "", short
	var first, dialog bytes.Buffer
	BodyStart(&first, &u)
	u.Languages = d.Languages
	Preferences(&dialog, &u, true)
	doc := buf.String()
	assert.Contains(t, doc, first.String())
	assert.Contains(t, doc, dialog.String())
	assert.Contains(t, doc, "<style>"+string(assets[cssName].body)+"</style>")
	assert.Contains(t, doc, "<style>"+string(assets[dialogCSSName].body)+"</style>")
	assert.Less(t, strings.Index(doc, first.String()), strings.Index(doc, dialog.String()))
	assert.NotContains(t, doc, "<script")
	assert.NotContains(t, doc, d.ConsentID)
	assert.Equal(t, 5, strings.Count(doc, "<option"), "two in the first layer's switcher, three in the dialog's")
}
