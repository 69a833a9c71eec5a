package consent

import (
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encodeUTF16 returns s in UTF-16, with a byte order mark when bom.
func encodeUTF16(s string, big, bom bool) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	if big {
		order = binary.BigEndian
	}
	var b []byte
	if bom {
		b = order.AppendUint16(b, 0xFEFF)
	}
	for _, c := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, c)
	}
	return b
}

// Chromium renders a page in UTF-16 when its body begins with a UTF-16 byte
// order mark, whatever the header says, or when the header's charset names
// UTF-16 (seen in the browser: its trackers loaded live through the
// middleware). The page reaches the rewriter, and the visitor, in UTF-8.
func TestUTF16PagesAreRewrittenAsUTF8(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog})
	require.NoError(t, err)
	const page = `<!doctype html><html><head><title>Café</title></head><body><p>Año 🍪</p><script src="https://www.googletagmanager.com/gtm.js"></script></body></html>`
	tests := []struct {
		name, ct, wantCT string
		big, bom         bool
		chunk            int // write the body this many bytes at a time; 0: at once
	}{
		{"little-endian mark, header says utf-8", "text/html; charset=utf-8", "text/html; charset=utf-8", false, true, 0},
		{"big-endian mark, no charset", "text/html", "text/html", true, true, 0},
		{"the mark one byte a write", "text/html", "text/html", false, true, 1},
		{"three bytes a write", "text/html", "text/html", true, true, 3},
		{"charset utf-16, no mark", "text/html; charset=UTF-16", "text/html; charset=utf-8", false, false, 0},
		{"charset utf-16be, no mark", `text/html;charset="utf-16be"`, "text/html; charset=utf-8", true, false, 7},
		{"charset utf-16le and its mark", "text/html; charset=utf-16le", "text/html; charset=utf-8", false, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := encodeUTF16(page, tt.big, tt.bom)
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ct)
				if tt.chunk == 0 {
					_, _ = w.Write(body)
					return
				}
				for b := body; len(b) > 0; {
					n := min(tt.chunk, len(b))
					_, _ = w.Write(b[:n])
					b = b[n:]
				}
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			out := rec.Body.String()
			assert.Equal(t, tt.wantCT, rec.Header().Get("Content-Type"))
			assert.True(t, strings.HasPrefix(out, "\uFEFF"), "a UTF-8 byte order mark first")
			assert.True(t, utf8.ValidString(out), "UTF-8 throughout")
			assert.Contains(t, out, "<title>Café</title>")
			assert.Contains(t, out, "<p>Año 🍪</p>")
			assert.Contains(t, out, "data-ck-blocked", "the tracker is neutralised")
		})
	}
}

// A UTF-8 page, or one whose first bytes only look like half a mark, passes
// as it was.
func TestNotUTF16PagesStayAsTheyWere(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog})
	require.NoError(t, err)
	for _, body := range []string{"\xff", "\xffa", "\xfe<p>x</p>", "<p>x</p>"} {
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for i := range len(body) {
				_, _ = w.Write([]byte{body[i]})
			}
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		out := rec.Body.String()
		assert.Equal(t, body[0], out[0], "%q: the first byte as it was", body)
		assert.Contains(t, out, body[1:], "%q: the rest as it was", body)
	}
}
