package auditlog

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/consent"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func FuzzParseFilter(f *testing.F) {
	for _, seed := range []string{
		"",
		"from=2026-03-01&to=2026-03-31",
		"from=2026-03-01T10:00:00%2B02:00&to=2026-03-02T00:00:00Z",
		"id=0123456789abcdef0123456789abcdef&outcome=custom",
		"category=analytics&state=denied&language=pt-BR&method=gpc",
		"after=10&before=20&limit=5",
		"from=2026-03-02&to=2026-03-01",
		"outcome=maybe",
		"to=0000-01-01",
		"category=a,b",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		flt, err := ParseFilter(v)
		if err != nil {
			require.True(t, errors.Is(err, ErrBadFilter), "%v", err)
			return
		}
		// Values links to the same selection.
		again, err := ParseFilter(flt.values())
		require.NoError(t, err, "values() = %q", flt.values().Encode())
		flt.After, flt.Before, flt.Limit = 0, 0, 0
		assert.Equal(t, flt, again)
	})
}

// FuzzRecordEncoding checks that the canonical encoding is injective across
// field boundaries: moving bytes from one field to the next always changes
// the encoding, which is what the length prefixes are for.
func FuzzRecordEncoding(f *testing.F) {
	f.Add("r1", "2026-01", 1)
	f.Add("", "x", 0)
	f.Add("ab", "", 2)
	f.Fuzz(func(t *testing.T, a, b string, cut int) {
		joined := a + b
		if cut < 0 || cut > len(joined) {
			return
		}
		r1, r2 := testRecord(0), testRecord(0)
		r1.Revision, r1.PolicyVersion = a, b
		r2.Revision, r2.PolicyVersion = joined[:cut], joined[cut:]
		e1 := appendRecord(nil, HashVersion, 1, &r1, [32]byte{})
		e2 := appendRecord(nil, HashVersion, 1, &r2, [32]byte{})
		assert.Equal(t, cut == len(a), bytes.Equal(e1, e2))
		h1, err := HashRecord(1, &r1, GenesisHash)
		require.NoError(t, err)
		h2, err := HashRecord(1, &r1, GenesisHash)
		require.NoError(t, err)
		assert.Equal(t, h1, h2, "hashing is deterministic")
	})
}

// FuzzSafeCSVCell writes a defused cell as WriteCSV does and reads the line
// back as spreadsheets in every locale would: with a quote-aware reader,
// the cell is intact but for inserted quotes; split at any separator,
// quotes ignored, no piece starts a formula.
func FuzzSafeCSVCell(f *testing.F) {
	for _, s := range []string{"", "=1+1", "+x", "-2", "@SUM(A1)", "\t=x", "plain", "a=b", "\"quoted\"\n",
		"Mozilla/5.0;=cmd|' /C calc'!A0", "a, \"-1", "x|@y", "\r\n=1", "; \t+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeCSVCell(s)
		assert.True(t, quotesInserted(got, s), "only single quotes are ever added: %q", got)
		assert.Equal(t, got, SafeCSVCell(got), "defusing is idempotent")
		line := appendCSVRow(nil, []string{got, "x"})
		assertInert(t, string(line))
		rows, err := csv.NewReader(bytes.NewReader(line)).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 1)
		if !strings.ContainsRune(got, '\r') { // encoding/csv reads CR LF as LF
			assert.Equal(t, []string{got, "x"}, rows[0], "the cell survives CSV")
		}
	})
}

// quotesInserted reports whether got is want with single quotes inserted.
func quotesInserted(got, want string) bool {
	j := 0
	for i := 0; i < len(got); i++ {
		switch {
		case j < len(want) && got[i] == want[j]:
			j++
		case got[i] != '\'':
			return false
		}
	}
	return j == len(want)
}

// assertInert splits CSV text at every separator some spreadsheet locale
// uses, ignoring quotes as the least careful reader does, and checks that
// no piece, once spaces and double quotes are stripped as a lenient reader
// strips them, starts with a formula sign.
func assertInert(t *testing.T, text string) {
	t.Helper()
	for _, sep := range csvSeparators {
		for piece := range strings.SplitSeq(text, string(sep)) {
			piece = strings.TrimLeft(piece, ` "`)
			if piece != "" && strings.IndexByte(csvFormulaStarts, piece[0]) >= 0 {
				t.Errorf("split at %q, %.40q starts a formula", sep, piece)
			}
		}
	}
}

func FuzzDecodeHash(f *testing.F) {
	f.Add(GenesisHash)
	f.Add("zz")
	f.Add(strings.Repeat("A", 64))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := decodeHash(s)
		if err != nil {
			assert.ErrorIs(t, err, ErrBadHash)
			return
		}
		assert.Equal(t, strings.ToLower(s), hex.EncodeToString(h[:]))
	})
}

// FuzzDecisionsJSON holds the hand-written JSON of the decisions and
// withdrawn columns to encoding/json's output byte for byte, and checks
// that decodeDecisions reads it back as its canonical spelling.
func FuzzDecisionsJSON(f *testing.F) {
	for _, seed := range [][2]string{
		{"analytics", "marketing"},
		{"", "a\"b\\c"},
		{"<script>&", "\u2028\u2029\x00\x1f\t\n\r\b\f"},
		{"caf\xe9", "\xff\xfe"},
		{`{"category":"a","granted":true}`, "a"},
		{"ü日本", "\U0001F600"},
	} {
		f.Add(seed[0], seed[1], true)
	}
	f.Fuzz(func(t *testing.T, a, b string, granted bool) {
		ds := []consent.CategoryDecision{{Category: a, Granted: granted}, {Category: b, Granted: !granted}}
		want, err := json.Marshal(ds)
		require.NoError(t, err)
		got := appendDecisionsJSON(nil, ds)
		assert.Equal(t, string(want), string(got))
		list, err := json.Marshal([]string{a, b})
		require.NoError(t, err)
		assert.Equal(t, string(list), string(appendStringsJSON(nil, []string{a, b})))

		// What the log stores, valid UTF-8 (normalize), reads back as
		// written and as its one spelling.
		a, b = clean(a), clean(b)
		ds = []consent.CategoryDecision{{Category: a, Granted: granted}, {Category: b, Granted: !granted}}
		back, ok, _ := decodeDecisions(string(appendDecisionsJSON(nil, ds)), nil)
		assert.True(t, ok, "the encoder's output is the canonical spelling")
		assert.Equal(t, ds, back)
		backList, ok, _ := decodeList(string(appendStringsJSON(nil, []string{a, b})), nil)
		assert.True(t, ok)
		assert.Equal(t, []string{a, b}, backList)
	})
}

// FuzzCanonicalDecisions reads any JSON as a decisions column: the
// canonical form of what it holds encodes to a spelling that reads back as
// the same decisions (parse, canonicalise, encode, parse is the identity
// on canonical decisions), canonicalising twice changes nothing, and any
// text decodeDecisions accepts as canonical is exactly that spelling, so
// no two stored texts read as one decision.
func FuzzCanonicalDecisions(f *testing.F) {
	for _, seed := range []string{
		`[]`,
		`[{"category":"analytics","granted":true},{"category":"necessary","granted":true}]`,
		`[{"Category":"Analytics","Granted":true}]`,
		`[{"granted":false,"category":"marketing"}, {"category":"marketing","granted":true}]`,
		`[{"category":"\u0061","granted":true,"extra":1}]`,
		`[{"category":"a\u0000b"},{"category":"\u00c9t\u00e9"}]`,
		`null`, `{}`, `[1]`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var ds []consent.CategoryDecision
		if json.Unmarshal([]byte(text), &ds) != nil {
			_, ok, _ := decodeDecisions(text, nil)
			assert.False(t, ok, "text that is not decisions never reads as canonical")
			return
		}
		c := canonicalDecisions(ds)
		enc := appendDecisionsJSON(nil, c)
		back, ok, _ := decodeDecisions(string(enc), nil)
		require.True(t, ok, "the canonical encoding reads as canonical: %s", enc)
		if len(c) == 0 {
			assert.Empty(t, back)
		} else {
			assert.Equal(t, c, back, "parse, canonicalise, encode, parse is the identity")
		}
		assert.Equal(t, c, canonicalDecisions(c), "canonicalising is idempotent")
		if len(c) > 0 {
			assert.True(t, slices.IsSortedFunc(c, func(a, b consent.CategoryDecision) int {
				return strings.Compare(a.Category, b.Category)
			}), "sorted")
		}
		if got, ok, _ := decodeDecisions(text, nil); ok {
			assert.Equal(t, string(appendDecisionsJSON(nil, got)), text, "one spelling per decision list")
		}
		// The digest that the database computes from the rows is
		// unambiguous: two different lists never share it.
		if len(c) > 1 {
			other := slices.Clone(c[1:])
			other[0].Category = c[0].Category + "1:" + other[0].Category
			assert.NotEqual(t, string(appendDecisionRows(nil, c)), string(appendDecisionRows(nil, other)))
		}
	})
}
