package rewrite

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slotMates returns, for each word of s, names that are not the word but
// share its slot: the names attrIndex must not mistake for it.
func slotMates(s *wordSet) []string {
	var mates []string
	for id, w := range s.words {
		if id == 0 {
			continue
		}
		// Same length, first and last byte chosen to land in the slot.
		for f := byte('a'); f <= 'z'; f++ {
			for l := byte('a'); l <= 'z'; l++ {
				m := string(f) + w[1:len(w)-1] + string(l)
				if m != w && wordKey(f, l, len(m)) == wordKey(w[0], w[len(w)-1], len(w)) {
					mates = append(mates, m)
				}
			}
		}
		// A name 16 bytes longer aliases on the length.
		mates = append(mates, w[:1]+strings.Repeat("x", 16)+w[1:])
	}
	return mates
}

func TestWordSetFind(t *testing.T) {
	t.Parallel()
	for id, w := range attrNameSet.words {
		if id == 0 {
			continue
		}
		assert.Equal(t, id, attrNameSet.find([]byte(w)), w)
		assert.Equal(t, id, attrNameSet.find([]byte(strings.ToUpper(w))), w)
	}
	for id, w := range fetchingRels.words {
		if id > 0 {
			assert.Equal(t, id, fetchingRels.find([]byte(strings.ToUpper(w[:1])+w[1:])), w)
		}
	}
	mates := slotMates(attrNameSet)
	require.NotEmpty(t, mates)
	for _, m := range append(mates, "", "s", "class", "srcse", "src2", "data-src", "stylesheets") {
		assert.Zero(t, attrNameSet.find([]byte(m)), m)
		assert.Zero(t, fetchingRels.find([]byte(m)), m)
	}
	assert.Panics(t, func() { newWordSet([]string{"", "ab", "ab"}) }, "two words in one slot")
	assert.Panics(t, func() { newWordSet([]string{"", "Src"}) }, "a word not in lower case")
}

// TestAttrIndexAgreesWithValue holds attrIndex.value to value, the plain
// scan it replaces in decide, on tags of names that share slots with the
// ones asked for, in either order, duplicated, with and without values.
func TestAttrIndexAgreesWithValue(t *testing.T) {
	t.Parallel()
	pool := append(slotMates(attrNameSet), "class", "id", "alt", "SRC", "Data-Consent", "x")
	for _, w := range attrNameSet.words[1:] {
		pool = append(pool, w, w)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 20000 {
		var b strings.Builder
		b.WriteString("<img")
		for k := range rng.IntN(6) {
			name := pool[rng.IntN(len(pool))]
			if rng.IntN(4) == 0 {
				fmt.Fprintf(&b, " %s", name)
			} else {
				fmt.Fprintf(&b, " %s=\"v%d\"", name, k)
			}
		}
		b.WriteString(">")
		tag := []byte(b.String())
		_, _, attrs := parseTag(tag, nil)
		var at attrIndex
		at.index(tag, attrs)
		for id := attrName(1); id < attrNameCount; id++ {
			wantV, wantOK := value(tag, attrs, attrNameSet.words[id])
			v, ok := at.value(tag, attrs, id)
			if ok != wantOK || string(v) != string(wantV) {
				t.Fatalf("tag %d %q, %s: got %q %v, want %q %v", n, tag, attrNameSet.words[id], v, ok, wantV, wantOK)
			}
		}
	}
}

// TestNeedlesHaveURLAttrs holds decide's shortcut to the tables it stands
// for: an element with a needle is judged only when its tag holds the
// word, and only elements with URL attributes are judged at all.
func TestNeedlesHaveURLAttrs(t *testing.T) {
	t.Parallel()
	for e := range elem(numElems) {
		if needle[e] != "" {
			assert.NotNil(t, urlAttrs[e], "element %d has a needle and no URL attributes", e)
		}
		assert.Equal(t, urlAttrs[e] != nil && needle[e] == "", alwaysJudged[e], "element %d", e)
	}
}

// TestParseTagNameEnds checks where parseTag ends attribute names of every
// length up to 12, before each byte that ends a name, with the tag cut
// after the name or run on: parseAttrs reads names four bytes a step, with
// a byte loop for the last three bytes of the tag.
func TestParseTagNameEnds(t *testing.T) {
	t.Parallel()
	for l := 1; l <= 12; l++ {
		name := strings.Repeat("a", l-1) + "b"
		for c := 0; c < 256; c++ {
			if !attrNameStop[c] {
				continue
			}
			for _, tail := range []string{"", "x", "xy", "xyz>", "\"v\" c>"} {
				tag := append([]byte("<p "+name), byte(c))
				tag = append(tag, tail...)
				_, _, attrs := parseTag(tag, nil)
				require.NotEmpty(t, attrs, "%q", tag)
				assert.Equal(t, 3+l, attrs[0].ne, "%q: the name ends before the byte %#x", tag, c)
			}
		}
		// No stop byte at all: the name runs to the end of the tag.
		tag := []byte("<p " + name)
		_, _, attrs := parseTag(tag, nil)
		require.Len(t, attrs, 1)
		assert.Equal(t, len(tag), attrs[0].ne, "%q", tag)
	}
}
