package banner

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// TextHash returns the user-visible text of the banner and the preferences
// in d's language, one text a line, and the hex SHA-256 of it. The consent log
// records the hash (and can keep the text) as proof of what a visitor was
// shown. The lines, in order: title, text, policy link (when linked), the
// three first-layer buttons, the GPC notice (when shown), the preferences
// title and text, each category's title and description (and "Always on" for
// a locked one), and Save choices. Line breaks inside a text become spaces so
// that lines and texts stay one to one.
func TextHash(d *Data) (text, sha256hex string) {
	t := &d.Texts
	lines := make([]string, 0, 10+3*len(d.Categories))
	lines = append(lines, t.Title, t.Text)
	if d.PolicyURL != "" {
		lines = append(lines, t.Policy)
	}
	lines = append(lines, t.AcceptAll, t.RejectAll, t.Choose)
	if d.GPC {
		lines = append(lines, t.GPC)
	}
	lines = append(lines, t.PrefsTitle, t.PrefsText)
	for _, c := range d.Categories {
		lines = append(lines, c.Title, c.Description)
		if c.Locked {
			lines = append(lines, t.AlwaysOn)
		}
	}
	lines = append(lines, t.Save)
	for i, l := range lines {
		lines[i] = oneLine.Replace(l)
	}
	text = strings.Join(lines, "\n")
	sum := sha256.Sum256([]byte(text))
	return text, hex.EncodeToString(sum[:])
}

var oneLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")
