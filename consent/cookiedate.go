package consent

import "time"

// parseCookieDate reads a Set-Cookie Expires value the way browsers do
// (RFC 6265 section 5.1.1), not the way http.ParseTime does: tokens split at
// delimiters, the first time, day of month, month and year found in any
// order, and a two-digit year read as 1970-2069. Go's parsers read
// "01-Jan-69" as 1969, a deletion, where every browser keeps the cookie until
// 2069; judging such a line a deletion would let a tracker's cookie through.
// ok is false when a browser would ignore the attribute.
func parseCookieDate(s string) (t time.Time, ok bool) {
	hour, minute, second := -1, -1, -1
	day, month, year := -1, -1, -1
	for i := 0; i < len(s); {
		for i < len(s) && cookieDateDelim(s[i]) {
			i++
		}
		start := i
		for i < len(s) && !cookieDateDelim(s[i]) {
			i++
		}
		tok := s[start:i]
		if tok == "" {
			continue
		}
		if hour < 0 {
			if h, m, sec, ok := cookieTime(tok); ok {
				hour, minute, second = h, m, sec
				continue
			}
		}
		if day < 0 {
			if d, ok := leadingDigits(tok, 1, 2); ok {
				day = d
				continue
			}
		}
		if month < 0 && len(tok) >= 3 {
			if m := cookieMonth(tok[:3]); m > 0 {
				month = m
				continue
			}
		}
		if year < 0 {
			if y, ok := leadingDigits(tok, 2, 4); ok {
				year = y
				continue
			}
		}
	}
	switch {
	case 70 <= year && year <= 99:
		year += 1900
	case 0 <= year && year <= 69:
		year += 2000
	}
	if hour < 0 || day < 1 || day > 31 || month < 0 || year < 1601 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t = time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31 April and the like: browsers refuse them
	}
	return t, true
}

// cookieDateDelim reports whether c separates the tokens of a cookie date.
func cookieDateDelim(c byte) bool {
	return c == 0x09 || 0x20 <= c && c <= 0x2F || 0x3B <= c && c <= 0x40 || 0x5B <= c && c <= 0x60 || 0x7B <= c && c <= 0x7E
}

// leadingDigits reads min to max digits at the start of tok, which may go on
// only with a non-digit.
func leadingDigits(tok string, min, max int) (int, bool) {
	n, v := 0, 0
	for n < len(tok) && n <= max && '0' <= tok[n] && tok[n] <= '9' {
		v = v*10 + int(tok[n]-'0')
		n++
	}
	if n < min || n > max {
		return 0, false
	}
	return v, true
}

// cookieTime reads hh:mm:ss, each one or two digits, with anything but a
// digit allowed after it.
func cookieTime(tok string) (h, m, s int, ok bool) {
	var f [3]int
	i := 0
	for k := range f {
		n := 0
		for i < len(tok) && n < 3 && '0' <= tok[i] && tok[i] <= '9' {
			f[k] = f[k]*10 + int(tok[i]-'0')
			i++
			n++
		}
		if n < 1 || n > 2 {
			return 0, 0, 0, false
		}
		if k < 2 {
			if i >= len(tok) || tok[i] != ':' {
				return 0, 0, 0, false
			}
			i++
		}
	}
	if i < len(tok) && '0' <= tok[i] && tok[i] <= '9' {
		return 0, 0, 0, false
	}
	return f[0], f[1], f[2], true
}

// cookieMonth returns 1-12 for a month's first three letters in any case,
// else 0.
func cookieMonth(m string) int {
	const names = "janfebmaraprmayjunjulaugsepoctnovdec"
	var low [3]byte
	for k := range low {
		c := m[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[k] = c
	}
	for k := 0; k < len(names); k += 3 {
		if names[k:k+3] == string(low[:]) {
			return k/3 + 1
		}
	}
	return 0
}
