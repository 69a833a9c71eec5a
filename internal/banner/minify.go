package banner

import (
	"bytes"
	"strings"
)

// minifyCSS drops /* comments */, collapses white space and removes it where
// CSS never needs it: around braces, semicolons and commas, and after a colon.
// The space before a colon stays, because ".ck :focus-visible" (descendant)
// differs from ".ck:focus-visible". The semicolons that end a block go too.
// The source must not hold "/*" or those characters inside strings.
func minifyCSS(src []byte) []byte {
	var b strings.Builder
	b.Grow(len(src))
	s := string(src)
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			break // an unclosed comment runs to the end, as in CSS
		}
		s = s[i+2+j+2:]
		// "/" before a comment and "*" after it are two tokens, not the
		// start of another comment: a space keeps them apart.
		if strings.HasSuffix(b.String(), "/") && strings.HasPrefix(s, "*") {
			b.WriteByte(' ')
		}
	}
	out := make([]byte, 0, b.Len())
	space := false
	for _, c := range []byte(b.String()) {
		switch c {
		case ' ', '\t', '\n', '\r', '\f':
			space = true
			continue
		case '{', '}', ';', ',':
			for c == '}' && len(out) > 0 && out[len(out)-1] == ';' {
				out = out[:len(out)-1]
			}
			out = append(out, c)
			space = false
			continue
		}
		if space && len(out) > 0 && !bytes.ContainsRune([]byte("{};,:"), rune(out[len(out)-1])) {
			out = append(out, ' ')
		}
		space = false
		out = append(out, c)
	}
	return out
}
