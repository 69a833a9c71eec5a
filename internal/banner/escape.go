package banner

import "bytes"

// These escapers write what html/template writes for a plain string in the
// same spot, so that cached renderings equal template renderings byte for
// byte (see cache.go; a fuzz test holds them to it).

// attrReplacement is html/template's table for attribute values: the quote
// characters, the markup characters, '+' (UTF-7) and NUL.
var attrReplacement = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// writeAttr writes s escaped for a quoted attribute value. Every byte it
// replaces is ASCII, so it cannot split a UTF-8 sequence; bytes of invalid
// UTF-8 pass through, as with html/template.
func writeAttr(buf *bytes.Buffer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if int(c) < len(attrReplacement) && attrReplacement[c] != "" {
			buf.WriteString(s[start:i])
			buf.WriteString(attrReplacement[c])
			start = i + 1
		}
	}
	buf.WriteString(s[start:])
}

// writeQuery writes s escaped as a URL query value: every byte but the RFC
// 3986 unreserved ones and "/:@?" as %xx with lower-case hex (see
// queryValue). The result needs no further URL or attribute escaping.
func writeQuery(buf *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == ':' || c == '@' || c == '?' {
			continue
		}
		buf.WriteString(s[start:i])
		buf.Write([]byte{'%', hexDigits[c>>4], hexDigits[c&15]})
		start = i + 1
	}
	buf.WriteString(s[start:])
}
