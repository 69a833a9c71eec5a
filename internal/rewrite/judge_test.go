package rewrite

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/internal/bytescan"
	"github.com/consentkit/consentkit/internal/trackers"
	"github.com/stretchr/testify/assert"
)

// TestSpaceFrom holds spaceFrom's eight-bytes-a-step search to a byte loop:
// every byte below '!' and a few above, at every position of values up to
// three words long, after every start.
func TestSpaceFrom(t *testing.T) {
	t.Parallel()
	ref := func(v []byte, i int) int {
		for i < len(v) && !isSpace(v[i]) {
			i++
		}
		return i
	}
	bytes := []byte{0x21, 0x7f, 0x80, 0xa0, 0xff}
	for c := range 0x21 {
		bytes = append(bytes, byte(c))
	}
	for n := range 25 {
		for pos := range n {
			for _, c := range bytes {
				v := []byte(strings.Repeat("a", n))
				v[pos] = c
				if pos+3 < n {
					v[pos+3] = ' ' // a space after the byte, in the same word or not
				}
				for i := 0; i <= n; i++ {
					if got, want := spaceFrom(v, i), ref(v, i); got != want {
						t.Fatalf("spaceFrom(%q, %d) = %d, want %d", v, i, got, want)
					}
				}
			}
		}
	}
}

// TestWordSetFindEveryByte holds wordSet.find's two-load comparison to
// equalFold: each word of both sets with each byte replaced by every byte
// value, at every position (the head and tail loads overlap in the middle).
func TestWordSetFindEveryByte(t *testing.T) {
	t.Parallel()
	for _, set := range []*wordSet{attrNameSet, fetchingRels} {
		for id, w := range set.words {
			for k := range len(w) {
				for c := range 256 {
					b := []byte(w)
					b[k] = byte(c)
					want := 0
					if equalFold(b, w) {
						want = id
					}
					if got := set.find(b); got != want {
						t.Fatalf("find(%q) = %d, want %d", b, got, want)
					}
				}
			}
		}
	}
}

// TestTextCategoryAtTheEnd has hosts whose last label ends the text, or
// one or two bytes before it: the three bytes after a dot are read in one
// slice when they are there, and a label of two at the very end is tested
// with a zero byte for the third.
func TestTextCategoryAtTheEnd(t *testing.T) {
	t.Parallel()
	tab := trackers.Default()
	r := &Rewriter{tab: tab, filter: tab.Filter()}
	for _, tc := range []struct {
		text, want string
	}{
		{"u=adfox.ru", "marketing"}, {"u=adfox.ru;", "marketing"}, {"u=adfox.ru;x", "marketing"},
		{"u=doubleclick.net", "marketing"}, {"u=doubleclick.net'", "marketing"}, {"u=doubleclick.ne", ""},
		{"u=adfox.r", ""}, {"u=adfox.", ""}, {".", ""}, {"..", ""}, {"a.b.c", ""}, {"", ""},
		{"ru.adfox.ru", "marketing"}, {"www.google-analytics.com", "analytics"},
	} {
		c, _ := tab.LookupHostBytes([]byte(strings.Trim(tc.text[strings.IndexByte(tc.text, '=')+1:], ";'x")))
		assert.Equal(t, tc.want, c, "the table on %q", tc.text)
		assert.Equal(t, tc.want, r.textCategory([]byte(tc.text)), tc.text)
	}
}

// TestAppendEscaped holds appendEscaped and appendEscapedBytes, which copy
// the bytes before the first one to escape in one go, to the byte-by-byte
// escaping: the bytes to escape at every position, and none.
func TestAppendEscaped(t *testing.T) {
	t.Parallel()
	ref := func(s string) string {
		return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;").Replace(s)
	}
	for _, s := range []string{"", "analytics", "marketing analytics", "&", `"`, "<", "a&b", `a"b<c&d`, "ab<", "<ab", "a&&b"} {
		assert.Equal(t, "x"+ref(s), string(appendEscaped([]byte("x"), s)), s)
		assert.Equal(t, "x"+ref(s), string(appendEscapedBytes([]byte("x"), []byte(s))), s)
	}
}

// TestDelimFromBefore holds delimFrom and delimBefore, which test eight
// bytes at a time, to the byte loops they replace in styleTail and
// styleText: every byte value at every position of runs up to three words
// long, from every start.
func TestDelimFromBefore(t *testing.T) {
	t.Parallel()
	for n := range 26 {
		for pos := range n {
			for c := range 256 {
				p := []byte(strings.Repeat("A", n))
				p[pos] = byte(c)
				for i := 0; i <= n; i++ {
					want := i
					for want < n && !cssDelim[p[want]] {
						want++
					}
					if got := delimFrom(p, i); got != want {
						t.Fatalf("delimFrom(%q, %d) = %d, want %d", p, i, got, want)
					}
					for to := i; to <= n; to++ {
						want := to
						for want > i && !cssDelim[p[want-1]] {
							want--
						}
						if got := delimBefore(p, i, to); got != want {
							t.Fatalf("delimBefore(%q, %d, %d) = %d, want %d", p, i, to, got, want)
						}
					}
				}
			}
		}
	}
}

// TestSnippetSpacesBeforeCall holds snippetCategory's test of the pair
// right before a '(' (the spaces before it walked over only when that pair
// ends in a space) to the calls it must find: with every space byte, one to
// three of them, between the name and the '(', and at the script's start,
// where the '(' has fewer than two bytes before it.
func TestSnippetSpacesBeforeCall(t *testing.T) {
	t.Parallel()
	s := NewScanner(trackers.Default())
	for _, c := range []byte{' ', '\t', '\n', '\r', '\f'} {
		for n := 1; n <= 3; n++ {
			sp := strings.Repeat(string(c), n)
			for _, call := range []string{
				"fbq" + sp + "('track', 'PageView')",
				"_paq.push" + sp + "(['trackPageView'])",
				"window.gtag" + sp + "('config', 'G-1')",
				"x = 1; ttq.load" + sp + "('C1')",
			} {
				want := "marketing"
				if strings.Contains(call, "gtag") || strings.Contains(call, "_paq") {
					want = "analytics"
				}
				assert.Equal(t, want, s.Script([]byte(call)), "%q", call)
			}
		}
	}
	for _, script := range []string{"(", " (", "a(", "  (x)", "\t(fbq)"} {
		assert.Equal(t, "", s.Script([]byte(script)), "%q", script)
	}
	// The premise: no name ends in a pair that holds a space.
	for c := range 256 {
		for _, sp := range []byte{' ', '\t', '\n', '\r', '\f'} {
			if snippetEnd(byte(c), sp) || snippetEnd(sp, byte(c)) {
				t.Fatalf("snippetEnd holds for %q %q", byte(c), sp)
			}
		}
	}
}

// TestTextCategoryVectorMatchesDotByDot holds textCategory's and
// snippetCategory's block-at-a-time readings of dots and '('
// (trackers.HostFilter.DotCandidates and parenCandidates, on bytescan,
// where the processor has its vector body) to their one-at-a-time readings: tracker hosts,
// snippets and code dense in both at every offset around the 64-byte
// blocks, the end of a call's chunk and the tail read one at a time, and
// the category, reason and match reported.
func TestTextCategoryVectorMatchesDotByDot(t *testing.T) {
	// Not parallel: it turns the vector body off and on for the package.
	tab := trackers.Default()
	judge := func(vector bool, text []byte) (string, Reason, string) {
		r := &Rewriter{tab: tab, filter: tab.Filter(), cfg: Config{Report: nopReporter{}}}
		if !vector {
			was := bytescan.SetVector(false)
			defer bytescan.SetVector(was)
		}
		c := r.textCategory(text)
		if c == "" {
			c = r.snippetCategory(text)
		}
		return c, r.why, string(r.match)
	}
	fills := []string{"a.b.c(d.e);", "x", "window.dataLayer.push({});\n", "co.net.de.io", "f(g(h (", "push (  ga("}
	hosts := []string{"", "'//www.google-analytics.com/analytics.js'", "s.src='https://connect.facebook.net/x.js'",
		"\"https:\\/\\/static.hotjar.com\\/c\\/\"", "cdn.example.com", "u=adfox.ru",
		";fbq('init', '1');", "\ngtag ('config', 'G-1');", " _paq.push(['trackPageView']);", ";window.clarity (\"set\")"}
	for _, fill := range fills {
		for _, host := range hosts {
			for pad := 0; pad < 700; pad += 1 + pad/64 {
				text := []byte(strings.Repeat(fill, pad/len(fill)+1)[:pad] + host + strings.Repeat(" ", pad%70))
				c, why, match := judge(false, text)
				vc, vwhy, vmatch := judge(true, text)
				if c != vc || why != vwhy || match != vmatch {
					t.Fatalf("%q: dot by dot %q %v %q, vector %q %v %q", text, c, why, match, vc, vwhy, vmatch)
				}
				if host != "" && host != "cdn.example.com" && c == "" {
					t.Fatalf("%q: no tracker found", text)
				}
			}
		}
	}
}

// nopReporter makes a Rewriter record why and what matched, for tests that
// read r.why and r.match.
type nopReporter struct{}

func (nopReporter) Neutralised(Event) {}

// checkParenCandidates holds parenCandidates, from every start in b, to
// the one-at-a-time reading it stands for: the '(' of b[max(from, 2):next]
// whose pair before passes parenKeys, in order, and no more than
// parenChunk bytes; and parenKeys to snippetEnd and isSpace.
func checkParenCandidates(t *testing.T, b []byte) {
	t.Helper()
	var out [parenChunk]int32
	for from := 0; from <= len(b); from++ {
		n, next := parenCandidates(b, from, &out)
		if next == from && n != 0 || next != from && (next < 2 || next-max(from, 2) > parenChunk || next > len(b)) {
			t.Fatalf("from %d of %d: %d found, next %d", from, len(b), n, next)
		}
		var want []int32
		for p := max(from, 2); p < next; p++ {
			if b[p] != '(' {
				continue
			}
			k := parenKey(b[p-2], b[p-1])
			inKeys := parenKeys[k/64]&(1<<(k%64)) != 0
			if inKeys != (snippetEnd(b[p-2], b[p-1]) || isSpace(b[p-1])) {
				t.Fatalf("parenKeys on %q: %v", b[p-2:p], inKeys)
			}
			if inKeys {
				want = append(want, int32(p))
			}
		}
		if got := out[:n]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("from %d next %d in %q: got %v, want %v", from, next, b, got, want)
		}
	}
}

// TestParenCandidates checks the vector reading of '(' against the
// one-at-a-time one on text dense in '(' and in the bytes of snippet
// names, of every length around the bounds.
func TestParenCandidates(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "((((gaqhpush $_ \t\n.=)'\x00\xff"
	for _, l := range []int{0, 1, 2, 3, 63, 64, 65, 66, 67, 130, 131, 511, 512, 513, 577, 578, 579, 1100, 3000} {
		for range 4 {
			b := make([]byte, l)
			for k := range b {
				b[k] = alphabet[rng.IntN(len(alphabet))]
			}
			checkParenCandidates(t, b)
		}
	}
}

func FuzzParenCandidates(f *testing.F) {
	f.Add([]byte("window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date());"))
	f.Add([]byte("!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 {
			return
		}
		checkParenCandidates(t, b)
	})
}
