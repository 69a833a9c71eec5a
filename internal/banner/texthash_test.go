package banner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTextHash(t *testing.T) {
	t.Parallel()
	baseText, baseSum := TextHash(undecided())
	assert.Regexp(t, `^[0-9a-f]{64}$`, baseSum)
	lines := strings.Split(baseText, "\n")
	assert.Equal(t, []string{enTexts.Title, enTexts.Text, enTexts.Policy, "Accept all", "Reject all", "Choose",
		enTexts.PrefsTitle, enTexts.PrefsText,
		"Necessary", enCategories()[0].Description, "Always on",
		"Preferences", enCategories()[1].Description,
		"Analytics", enCategories()[2].Description,
		"Marketing", enCategories()[3].Description,
		"Save choices"}, lines)

	for _, s := range []struct {
		name    string
		change  func(*Data)
		differs bool
	}{
		{"same data", func(*Data) {}, false},
		{"visitor state is not text", func(d *Data) { d.Decided, d.Return, d.Nonce = true, "/other", "n" }, false},
		{"a description", func(d *Data) { d.Categories[2].Description += "!" }, true},
		{"a button", func(d *Data) { d.Texts.RejectAll = "Decline" }, true},
		{"GPC notice shown", func(d *Data) { d.GPC = true }, true},
		{"no policy link", func(d *Data) { d.PolicyURL = "" }, true},
		{"language", func(d *Data) { d.Texts.Title = "Cookies auf dieser Website" }, true},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := undecided()
			s.change(d)
			_, sum := TextHash(d)
			assert.Equal(t, s.differs, sum != baseSum)
		})
	}
	t.Run("line breaks inside a text", func(t *testing.T) {
		t.Parallel()
		d := undecided()
		d.Texts.Title = "two\r\nlines\nhere\r"
		text, _ := TextHash(d)
		assert.Equal(t, "two lines here ", strings.Split(text, "\n")[0])
		assert.Len(t, strings.Split(text, "\n"), len(lines))
	})
}

func ExampleTextHash() {
	d := &Data{
		Texts: Texts{Title: "Cookies", Text: "We ask first.", AcceptAll: "Accept all", RejectAll: "Reject all",
			Choose: "Choose", PrefsTitle: "Preferences", PrefsText: "Pick.", Save: "Save", AlwaysOn: "Always on"},
		Categories: []Category{{ID: "necessary", Title: "Necessary", Description: "Needed.", Locked: true}},
	}
	text, sum := TextHash(d)
	fmt.Println(text)
	fmt.Println(len(sum))
	// Output:
	// Cookies
	// We ask first.
	// Accept all
	// Reject all
	// Choose
	// Preferences
	// Pick.
	// Necessary
	// Needed.
	// Always on
	// Save
	// 64
}
