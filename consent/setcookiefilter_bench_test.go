package consent

import (
	"net/http"
	"testing"
)

// The Set-Cookie lines of a typical response: a session cookie, Google
// Analytics and Meta's pixel cookie, as net/http's SetCookie writes them.
var benchSetCookies = []string{
	"session=3f9a1c; Path=/; HttpOnly; Secure; SameSite=Lax",
	"_ga=GA1.2.1234567890.1700000000; Path=/; Domain=example.com; Max-Age=34560000",
	"_fbp=fb.1.1700000000000.1234567890; Path=/news; Max-Age=7776000",
}

// benchHeader gives each iteration a fresh copy of the lines without
// allocating, so that the filter's own cost is what is measured.
func benchHeader() (http.Header, []string) {
	return http.Header{"Content-Type": {"text/html; charset=utf-8"}}, make([]string, len(benchSetCookies))
}

// BenchmarkFilterSetCookiesBaseline is the same loop without the filter:
// the difference to BenchmarkFilterSetCookies is what filtering adds to a
// response.
func BenchmarkFilterSetCookiesBaseline(b *testing.B) {
	h, buf := benchHeader()
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, benchSetCookies)
		h["Set-Cookie"] = buf
	}
}

// BenchmarkFilterSetCookies filters 3 Set-Cookie lines: for an undecided
// visitor (session kept, analytics and marketing dropped), for one who
// accepted everything (all kept), and for one who accepted marketing only,
// where the kept lines sit on both sides of the dropped one and need a new
// slice.
func BenchmarkFilterSetCookies(b *testing.B) {
	m := cookieManager(b)
	for _, bc := range []struct {
		name string
		st   *State
		kept int
	}{
		{"one kept two dropped", &undecided, 1},
		{"all kept", grant(m, "preferences", "analytics", "marketing"), 3},
		{"two kept around a dropped one", grant(m, "marketing"), 2},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h, buf := benchHeader()
			b.ReportAllocs()
			for b.Loop() {
				copy(buf, benchSetCookies)
				h["Set-Cookie"] = buf
				m.filterSetCookies(h, bc.st)
			}
			if got := len(h["Set-Cookie"]); got != bc.kept {
				b.Fatalf("kept %d lines, want %d", got, bc.kept)
			}
		})
	}
}
