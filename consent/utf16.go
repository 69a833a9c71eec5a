package consent

import (
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// A page in UTF-16 holds its markup two bytes a character, which the
// rewriter, reading bytes as ASCII-compatible, cannot see: its trackers
// would pass unjudged, and the banner's UTF-8 would land in it as garbage.
// Chromium decodes a body as UTF-16 when it begins with a UTF-16 byte order
// mark (whatever the header says) or when the header's charset names UTF-16.
// The middleware turns such a page into UTF-8 before rewriting it, and says
// so: a UTF-8 byte order mark first, which wins over any header or meta, and
// charset=utf-8 in the header when it is still to be sent.

// utf16Charset reports whether the charset parameter of Content-Type ct
// names UTF-16 as WHATWG's Encoding standard labels it, and in which byte
// order (a bare "utf-16" is little-endian).
func utf16Charset(ct string) (is, big bool) {
	_, params, ok := strings.Cut(ct, ";")
	if !ok {
		return false, false
	}
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, val, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "charset") {
			continue
		}
		// Most pages say utf-8: asciiFold, not a lower-cased copy of
		// the value on every HTML response.
		val = strings.Trim(strings.TrimSpace(val), `"'`)
		for _, l := range utf16Labels {
			if asciiFold(val, l.name) {
				return true, l.big
			}
		}
		return false, false
	}
	return false, false
}

// utf16Labels are the WHATWG Encoding standard's labels of UTF-16LE and
// UTF-16BE.
var utf16Labels = [...]struct {
	name string
	big  bool
}{
	{"utf-16", false}, {"utf-16le", false}, {"csunicode", false}, {"iso-10646-ucs-2", false},
	{"ucs-2", false}, {"unicode", false}, {"unicodefeff", false}, {"utf-16be", true}, {"unicodefffe", true},
}

// utf16Stream decodes UTF-16 into the rewriting stream next, which sees a
// UTF-8 page beginning with a UTF-8 byte order mark.
type utf16Stream struct {
	tw      *transform.Writer
	next    htmlStream
	started bool // the UTF-8 byte order mark went to next
}

func newUTF16Stream(next htmlStream, big bool) *utf16Stream {
	order := unicode.LittleEndian
	if big {
		order = unicode.BigEndian
	}
	// UseBOM: a byte order mark, when there is one, wins as in Chromium,
	// and is dropped.
	return &utf16Stream{tw: transform.NewWriter(next, unicode.UTF16(order, unicode.UseBOM).NewDecoder()), next: next}
}

func (s *utf16Stream) Write(p []byte) (int, error) {
	if !s.started {
		s.started = true
		if _, err := s.next.Write([]byte("\uFEFF")); err != nil {
			return 0, err
		}
	}
	return s.tw.Write(p)
}

// Flush sends what was decoded; half a character waits for its other half.
func (s *utf16Stream) Flush() error { return s.next.Flush() }

func (s *utf16Stream) Close() error {
	if !s.started { // an empty body stays empty
		return s.next.Close()
	}
	err := s.tw.Close()
	if cerr := s.next.Close(); err == nil {
		err = cerr
	}
	return err
}

// setUTF8Charset replaces the charset parameter of Content-Type ct with
// utf-8.
func setUTF8Charset(ct string) string {
	t, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(t) + "; charset=utf-8"
}

// writeHTML passes p to the rewriting stream, after looking at the body's
// first two bytes for a UTF-16 byte order mark (rw.bom says how far that
// went: bomUnseen, bomHalf with the first byte held, bomDone).
func (rw *respWriter) writeHTML(p []byte) (int, error) {
	if rw.bom == bomDone || len(p) == 0 {
		return rw.html.Write(p)
	}
	var first, second byte
	n := len(p)
	if rw.bom == bomHalf {
		first, second = rw.held, p[0]
	} else if first = p[0]; len(p) == 1 {
		if first != 0xFE && first != 0xFF {
			rw.bom = bomDone
			return rw.html.Write(p)
		}
		rw.held, rw.bom = first, bomHalf
		return 1, nil
	} else {
		second = p[1]
	}
	held := rw.bom == bomHalf
	rw.bom = bomDone
	if first == 0xFF && second == 0xFE || first == 0xFE && second == 0xFF {
		rw.html = newUTF16Stream(rw.html, first == 0xFE)
	}
	if held {
		if _, err := rw.html.Write([]byte{rw.held}); err != nil {
			return 0, err
		}
	}
	if _, err := rw.html.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

const (
	bomUnseen uint8 = iota
	bomHalf
	bomDone
)
