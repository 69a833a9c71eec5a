package rewrite

import (
	"bytes"
	"unicode/utf8"
)

// decode returns an attribute value with its character references resolved,
// as far as a host lookup needs: numeric references and the named references
// of ASCII characters. A value without '&' is returned as it is; otherwise
// the result lives in r.dec until the next call.
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
		if s, n := charRef(v[i+1:]); n > 0 {
			out = append(out, s...)
			i += 1 + n
			continue
		}
		out = append(out, '&')
		i++
	}
	r.dec = out
	return out
}

// charRef decodes the reference at the start of b (just after '&') and
// reports how many bytes it used; n == 0 means it is not a reference.
func charRef(b []byte) (s []byte, n int) {
	if len(b) > 0 && b[0] == '#' {
		return numericRef(b)
	}
	k := 0
	for k < len(b) && k < 24 && isAlnum(b[k]) {
		k++
	}
	if k == 0 {
		return nil, 0
	}
	if k == 3 && k < len(b) && b[k] == ';' && b[0] == 'a' && b[1] == 'm' && b[2] == 'p' {
		return asciiBytes['&' : '&'+1], 4 // "&amp;", in every query string: without the map
	}
	name := string(b[:k]) // no allocation: only used as a map key
	if k < len(b) && b[k] == ';' {
		if c, ok := asciiRefs[name]; ok {
			return c, k + 1
		}
		return nil, 0
	}
	// Legacy references without ';' are only decoded in attributes when not
	// followed by '=' or an alphanumeric (which ended the name above).
	if k < len(b) && b[k] == '=' {
		return nil, 0
	}
	switch name {
	case "amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT":
		return asciiRefs[name], k
	}
	return nil, 0
}

func numericRef(b []byte) ([]byte, int) {
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
		return nil, 0
	}
	if k < len(b) && b[k] == ';' {
		k++
	}
	if cp == 0 || cp > utf8.MaxRune || 0xD800 <= cp && cp <= 0xDFFF {
		cp = utf8.RuneError
	}
	var buf [utf8.UTFMax]byte
	m := utf8.EncodeRune(buf[:], rune(cp))
	if m == 1 {
		return asciiBytes[buf[0] : buf[0]+1], k
	}
	// Non-ASCII never forms a tracker host; a placeholder keeps the value
	// from matching by accident.
	return replacement, k
}

var (
	asciiBytes = func() []byte {
		b := make([]byte, 128)
		for k := range b {
			b[k] = byte(k)
		}
		return b
	}()
	replacement = []byte("\uFFFD")
)

func isAlnum(c byte) bool { return isAlpha(c) || '0' <= c && c <= '9' }

// asciiRefs are the named character references that stand for ASCII
// characters, the only ones that can change which host a URL names.
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
