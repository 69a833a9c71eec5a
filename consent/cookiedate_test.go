package consent

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseCookieDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // RFC 3339, "" when a browser ignores the value
	}{
		{"Thu, 01 Jan 1970 00:00:00 GMT", "1970-01-01T00:00:00Z"},
		{"Thu, 01-Jan-69 00:00:00 GMT", "2069-01-01T00:00:00Z"}, // browsers: 2069, Go: 1969
		{"Thu, 01-Jan-70 00:00:01 GMT", "1970-01-01T00:00:01Z"},
		{"Wed, 21 Oct 2015 07:28:00 GMT", "2015-10-21T07:28:00Z"},
		{"Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z"},
		{"Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z"},
		{"6 nov 1994 8:49:37", "1994-11-06T08:49:37Z"},
		{"1994 November 6, 08:49:37", "1994-11-06T08:49:37Z"},
		{"Thu, 01 Jan 00 00:00:00 GMT", "2000-01-01T00:00:00Z"},
		{"Fri, 31 Apr 2020 00:00:00 GMT", ""},
		{"Thu, 01 Jan 1600 00:00:00 GMT", ""},
		{"Thu, 01 Jan 1970 24:00:00 GMT", ""},
		{"Thu, 01 Jan 1970", ""},
		{"tomorrow", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := parseCookieDate(tt.in)
		if tt.want == "" {
			assert.False(t, ok, "%q read as %v", tt.in, got)
			continue
		}
		if assert.True(t, ok, tt.in) {
			assert.Equal(t, tt.want, got.Format(time.RFC3339), tt.in)
		}
	}
}

// TestTwoDigitYearIsNotADeletion is the review's case: Go reads
// "01-Jan-69" as 1969, browsers as 2069, so the cookie lives on and must be
// dropped for an undecided visitor, not let through as a deletion.
func TestTwoDigitYearIsNotADeletion(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }
	assert.False(t, isDeletion("_ga=1; Expires=Thu, 01-Jan-69 00:00:00 GMT; Path=/", now))
	assert.True(t, isDeletion("_ga=; Expires=Thu, 01-Jan-70 00:00:00 GMT; Path=/", now))
	assert.True(t, isDeletion("_ga=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", now))
	assert.False(t, isDeletion("_ga=1; Expires=not a date", now), "an unreadable Expires is ignored: a session cookie")
}

func FuzzCookieDate(f *testing.F) {
	for _, s := range []string{"Thu, 01-Jan-69 00:00:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", "Sun Nov  6 08:49:37 1994", "1:2:3 4 may 99", ":::", "00:00:000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseCookieDate(s)
		if !ok {
			return
		}
		if got.Year() < 1601 || got.Location() != time.UTC {
			t.Fatalf("%q read as %v", s, got)
		}
		// Where the date is in a four-digit-year HTTP format, both readings
		// agree (the two-digit RFC 850 form is where they must not).
		for _, layout := range []string{http.TimeFormat, time.ANSIC} {
			if want, err := time.Parse(layout, s); err == nil && want.Year() >= 1601 && !want.Equal(got) {
				t.Fatalf("%q: browsers' reading %v, Go's %v", s, got, want)
			}
		}
	})
}
