package rewrite

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/net/html"
	"golang.org/x/net/idna"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"no reference", "https://a.example/x", "https://a.example/x"},
		{"amp", "a?b=1&amp;c=2", "a?b=1&c=2"},
		{"hex slashes", "https:&#x2F;&#X2f;x.example", "https://x.example"},
		{"decimal without semicolon", "&#104ttps://x", "https://x"},
		{"named slash and colon", "https&colon;&sol;&sol;x", "https://x"},
		{"legacy amp without semicolon", "a&amp b", "a& b"},
		{"legacy amp before equals stays", "a&amp=b", "a&amp=b"},
		{"legacy amp before letter stays", "a&ampb", "a&ampb"},
		{"unknown name stays", "&copy; &nosuch;", "&copy; &nosuch;"},
		{"bare ampersand", "a & b &", "a & b &"},
		{"hash without digits", "&#; &#x;", "&#; &#x;"},
		{"zero and huge become replacement", "&#0;&#x110000;", "\uFFFD\uFFFD"},
		{"non-ASCII kept", "&#233;&#xff47;", "\u00e9\uff47"},
		{"windows-1252 for C1", "&#x80;&#x99;&#x81;", "\u20ac\u2122\u0081"},
		{"names a host maps to ASCII", "&shy;&gopf;&trade;&sup1", "\u00ad\U0001d558\u2122\u00b9"},
		{"tab and newline names", "a&Tab;b&NewLine;c", "a\tb\nc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r Rewriter
			assert.Equal(t, tt.want, string(r.decode([]byte(tt.in))))
		})
	}
}

// namedRef finds each '&' and the name after it. FuzzDecode compares with
// x/net/html only inputs whose every '&' is bare, numeric, or a named ASCII
// reference with its ';': there x/net/html's text-context decoding and the
// attribute-context decoding done here agree.
var namedRef = regexp.MustCompile(`&([A-Za-z0-9]*)`)

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"&amp;", "&#x2F;&#47;", "&#104", "&sol;&colon;", "&#0;", "&#xFFFFFFFFFF;", "&&&#", "&ampx", "x&Tab;y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var r Rewriter
		got := string(r.decode([]byte(s)))
		for _, m := range namedRef.FindAllStringSubmatchIndex(s, -1) {
			name := s[m[2]:m[3]]
			if name == "" {
				continue // numeric or bare '&'
			}
			_, ascii := asciiRefs[name]
			_, host := hostRefs[name]
			if !ascii && !host || m[1] >= len(s) || s[m[1]] != ';' {
				return // outside the compared subset
			}
		}
		want := html.UnescapeString(s)
		if got != want {
			t.Fatalf("decode(%q) = %q, x/net/html gives %q", s, got, want)
		}
	})
}

// TestHostRefsAsGenerated holds each entry of the generated hostRefs
// (entity_hosts.go, `go generate`) to its sources: x/net/html resolves the
// reference to that character, and inside a host UTS #46 maps it to ASCII
// (a letter, or a delimiter such as the "c/o" of &incare;) or drops it, as Chromium's URL parser does. An entry a future x/net
// changes, or a hand edit, fails here.
func TestHostRefsAsGenerated(t *testing.T) {
	t.Parallel()
	assert.Greater(t, len(hostRefs), 200, "the generated table lost its entries")
	for name, char := range hostRefs {
		assert.Equal(t, char, html.UnescapeString("&"+name+";"), "&%s; resolves to another character", name)
		h, err := browserIDNA.ToASCII("ab" + char + "cd.com")
		if assert.NoError(t, err, name) {
			assert.Regexp(t, `^ab[!-~]*cd\.com$`, h, "&%s; inside a host: ASCII, no xn-- label", name)
			assert.NotContains(t, h, "xn--", name)
		}
	}
	for _, name := range []string{"shy", "gopf", "Afr", "numero"} {
		assert.Contains(t, hostRefs, name)
	}
}

// browserIDNA is internal/trackers' profile of UTS #46 (host.go), which the
// generator uses as well.
var browserIDNA = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false),
	idna.StrictDomainName(false), idna.CheckHyphens(false), idna.CheckJoiners(true), idna.VerifyDNSLength(false))
