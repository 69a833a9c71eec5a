package rewrite

//go:generate go run ./gen

import (
	"bytes"
	"unicode/utf8"
)

// decode returns an attribute value with its character references resolved,
// as far as a host lookup needs: numeric references, the named references
// of ASCII characters, and those (hostRefs) whose character a browser maps
// to ASCII inside a host. A value without '&' is returned as it is;
// otherwise the result lives in r.dec until the next call.
//
// Looking up an undecoded value would let "https:&#x2F;&#x2F;tracker" through,
// which the browser resolves to https://tracker.
func (r *Rewriter) decode(v []byte) []byte {
	amp := bytes.IndexByte(v, '&')
	if amp < 0 {
		return v
	}
	out := append(r.dec[:0], v[:amp]...)
	for i := amp; i < len(v); {
		if v[i] != '&' {
			// Copy the run up to the next reference in one go.
			j := bytes.IndexByte(v[i:], '&')
			if j < 0 {
				j = len(v) - i
			}
			out = append(out, v[i:i+j]...)
			i += j
			continue
		}
		if o, n := appendCharRef(out, v[i+1:]); n > 0 {
			out = o
			i += 1 + n
			continue
		}
		out = append(out, '&')
		i++
	}
	r.dec = out
	return out
}

// appendCharRef appends the character of the reference at the start of b
// (just after '&') to out and reports how many bytes of b it used; n == 0
// means it is not a reference, and out is returned as it was.
func appendCharRef(out, b []byte) (_ []byte, n int) {
	if len(b) > 0 && b[0] == '#' {
		return numericRef(out, b)
	}
	return appendNamedRef(out, b)
}

// appendNamedRef is appendCharRef for a named reference.
func appendNamedRef(out, b []byte) (_ []byte, n int) {
	k := 0
	for k < len(b) && k < 24 && isAlnum(b[k]) {
		k++
	}
	if k == 0 {
		return out, 0
	}
	if k == 3 && k < len(b) && b[k] == ';' && b[0] == 'a' && b[1] == 'm' && b[2] == 'p' {
		return append(out, '&'), 4 // "&amp;", in every query string: without the map
	}
	name := string(b[:k]) // no allocation: only used as a map key
	if k < len(b) && b[k] == ';' {
		if c, ok := asciiRefs[name]; ok {
			return append(out, c...), k + 1
		}
		if c, ok := hostRefs[name]; ok {
			return append(out, c...), k + 1
		}
		return out, 0
	}
	// Legacy references without ';' are only decoded in attributes when not
	// followed by '=' or an alphanumeric (which ended the name above).
	if k < len(b) && b[k] == '=' {
		return out, 0
	}
	switch name {
	case "amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT":
		return append(out, asciiRefs[name]...), k
	case "shy", "ordf", "ordm", "sup1", "sup2", "sup3":
		// The legacy names of characters a host maps to ASCII or drops.
		return append(out, hostRefs[name]...), k
	}
	return out, 0
}

// numericRef appends the character of a numeric reference ("#…" at the
// start of b) as the HTML parser resolves it: the character itself, the
// windows-1252 character for 0x80 to 0x9F, U+FFFD for zero, surrogates
// and code points past U+10FFFF. Non-ASCII characters are kept, since a
// browser maps many of them to ASCII inside a host ("&#xff47;" is a
// full-width g, which names the same host as "g").
func numericRef(out, b []byte) ([]byte, int) {
	k := 1
	hex := k < len(b) && (b[k] == 'x' || b[k] == 'X')
	if hex {
		k++
	}
	start := k
	cp := 0
	for k < len(b) {
		d := -1
		switch c := b[k]; {
		case '0' <= c && c <= '9':
			d = int(c - '0')
		case hex && 'a' <= c && c <= 'f':
			d = int(c-'a') + 10
		case hex && 'A' <= c && c <= 'F':
			d = int(c-'A') + 10
		}
		if d < 0 {
			break
		}
		if cp <= utf8.MaxRune {
			if hex {
				cp = cp*16 + d
			} else {
				cp = cp*10 + d
			}
		}
		k++
	}
	if k == start {
		return out, 0
	}
	if k < len(b) && b[k] == ';' {
		k++
	}
	switch {
	case cp == 0 || cp > utf8.MaxRune || 0xD800 <= cp && cp <= 0xDFFF:
		cp = utf8.RuneError
	case 0x80 <= cp && cp <= 0x9F:
		if c := c1Replacements[cp-0x80]; c != 0 {
			cp = int(c)
		}
	}
	return utf8.AppendRune(out, rune(cp)), k
}

// c1Replacements are the characters the HTML parser puts for the numeric
// references 0x80 to 0x9F (0 where it keeps the code point).
var c1Replacements = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

func isAlnum(c byte) bool { return isAlpha(c) || '0' <= c && c <= '9' }

// asciiRefs are the named character references that stand for ASCII
// characters; hostRefs has the others that can change which host a URL
// names.
var asciiRefs = map[string][]byte{
	"Tab": []byte("\t"), "NewLine": []byte("\n"), "excl": []byte("!"), "quot": []byte(`"`),
	"QUOT": []byte(`"`), "num": []byte("#"), "dollar": []byte("$"), "percnt": []byte("%"),
	"amp": []byte("&"), "AMP": []byte("&"), "apos": []byte("'"), "lpar": []byte("("),
	"rpar": []byte(")"), "ast": []byte("*"), "midast": []byte("*"), "plus": []byte("+"),
	"comma": []byte(","), "period": []byte("."), "sol": []byte("/"), "colon": []byte(":"),
	"semi": []byte(";"), "lt": []byte("<"), "LT": []byte("<"), "equals": []byte("="),
	"gt": []byte(">"), "GT": []byte(">"), "quest": []byte("?"), "commat": []byte("@"),
	"lsqb": []byte("["), "lbrack": []byte("["), "bsol": []byte(`\`), "rsqb": []byte("]"),
	"rbrack": []byte("]"), "Hat": []byte("^"), "lowbar": []byte("_"), "UnderBar": []byte("_"),
	"grave": []byte("`"), "DiacriticalGrave": []byte("`"), "lcub": []byte("{"),
	"lbrace": []byte("{"), "verbar": []byte("|"), "vert": []byte("|"),
	"VerticalLine": []byte("|"), "rcub": []byte("}"), "rbrace": []byte("}"),
}
