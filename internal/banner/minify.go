package banner

import (
	"bytes"
	"strings"
)

// minifyJS drops comment lines, blank lines and indentation, squeezes the
// spaces out of each line (see squeeze), and joins lines where the break
// means nothing: after "{", ";", "," or "(", where no semicolon can be
// inserted, and after "}" unless the next line starts with "+" or "-" (a
// break matters before "++" and "--") or "/" (a regular expression at the
// start of a line, which squeeze would take for a division after "}"). The
// semicolons right before a "}" go. Other line ends are kept, so automatic
// semicolon insertion sees what it saw. The source is written for it: a
// comment is a whole line starting with //, and no literal spans lines.
func minifyJS(src []byte) []byte {
	out := make([]byte, 0, len(src))
	join, after := false, byte(0)
	for line := range bytes.Lines(src) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || bytes.HasPrefix(line, []byte("//")) {
			continue
		}
		sq, ok := squeeze(line)
		switch {
		case join:
			if sq[0] == '}' {
				out = bytes.TrimRight(out, ";")
			}
		case after == '}' && !strings.ContainsRune("+-/", rune(sq[0])):
			// A line break after "}" only matters before "++" or "--"; and
			// "/" after "}" would be read as a division, where at the start
			// of a line squeeze took it for a regular expression.
		case len(out) > 0:
			out = append(out, '\n')
		}
		out = append(out, sq...)
		join, after = false, 0
		if ok {
			switch c := sq[len(sq)-1]; c {
			case '{', ';', ',', '(':
				join = true
			case '}':
				after = c
			}
		}
	}
	if len(out) > 0 {
		out = append(out, '\n')
	}
	return out
}

// squeeze drops the spaces of one line of code that no token needs, those
// between two characters that would not merge into another token ("a = b"
// becomes "a=b", but "x in y", "a - -b" and "1 .x" stay), and the semicolons
// right before "}" (empty statements); the keyword const becomes let (the
// sources never name a property "const" in an object literal, the one place
// the word is not the keyword). String and regular expression
// literals are copied as they are. A line holding a template literal, a
// comment, or a literal squeeze cannot follow to its end is returned
// unchanged, with ok false: only spaces and such semicolons ever go, and only
// where squeeze is sure they are outside a literal.
func squeeze(line []byte) (out []byte, ok bool) {
	out = make([]byte, 0, len(line))
	for i := 0; i < len(line); i++ {
		c := line[i]
		last := byte(0)
		if len(out) > 0 {
			last = out[len(out)-1]
		}
		switch {
		case c == '`' || c == '/' && i+1 < len(line) && (line[i+1] == '/' || line[i+1] == '*'):
			return line, false
		case c == '\'' || c == '"' || c == '/' && regexMayStart(out):
			j := literalEnd(line, i)
			if j < 0 {
				return line, false
			}
			out = append(out, line[i:j]...)
			i = j - 1
		case c == ' ' || c == '\t':
			j := i
			for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
				j++
			}
			if j < len(line) && last != 0 && merge(last, line[j]) {
				out = append(out, ' ')
			}
			i = j - 1
		case c == '}' && last == ';':
			out = append(bytes.TrimRight(out, ";"), c)
		case c == 'c' && !word(last) && last != '.' && bytes.HasPrefix(line[i:], []byte("const")) &&
			(i+5 == len(line) || !word(line[i+5])):
			// The keyword const becomes let: the same block scope and
			// temporal dead zone, two bytes shorter, and ck.js never assigns
			// a constant twice, the one case where they differ (it throws).
			out = append(out, "let"...)
			i += 4
		default:
			out = append(out, c)
		}
	}
	return out, true
}

// merge reports whether a and b, written side by side, could read as one
// token or start a comment, so that a space between them must stay: two
// parts of names or numbers, "+ +", "- -", a number and ".", "/ /", "/ *",
// and "<" "!" (which could start "<!--", a comment to JavaScript).
func merge(a, b byte) bool {
	return word(a) && (word(b) || b == '.') || a == '.' && word(b) ||
		a == b && (a == '+' || a == '-' || a == '/') || a == '/' && b == '*' || a == '<' && b == '!'
}

func word(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80 || c == '\\'
}

// regexMayStart reports whether a "/" after out starts a regular expression
// literal rather than a division: at the start, after an operator or a
// keyword such as return, not after an operand.
func regexMayStart(out []byte) bool {
	n := len(out)
	if n == 0 {
		return true
	}
	if c := out[n-1]; strings.IndexByte(")]}'\"", c) >= 0 {
		return false
	} else if !word(c) {
		return true
	}
	i := n
	for i > 0 && word(out[i-1]) {
		i--
	}
	if i > 0 && out[i-1] == '.' {
		return false // a property named like a keyword
	}
	switch string(out[i:]) {
	case "return", "typeof", "instanceof", "in", "of", "case", "do", "else", "new", "delete", "void", "throw", "yield", "await":
		return true
	}
	return false
}

// literalEnd returns the index just past the string or regular expression
// literal that starts at line[i], or -1 when the line ends first. A regular
// expression's "/" inside a class [...] does not end it.
func literalEnd(line []byte, i int) int {
	q, class := line[i], false
	for j := i + 1; j < len(line); j++ {
		switch c := line[j]; {
		case c == '\\':
			j++
		case q == '/' && c == '[':
			class = true
		case q == '/' && c == ']':
			class = false
		case c == q && !class:
			return j + 1
		}
	}
	return -1
}

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
