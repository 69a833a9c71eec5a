package auditlog

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCSVExportIsInertInEveryLocale is the regression test for #12 item 5:
// a user agent such as "Mozilla/5.0;=cmd|' /C calc'!A0" was written
// unquoted, so a spreadsheet that splits at semicolons (the default where
// the decimal separator is a comma) read "=cmd|' /C calc'!A0" as a formula.
func TestCSVExportIsInertInEveryLocale(t *testing.T) {
	t.Parallel()
	payloads := []string{
		"Mozilla/5.0;=cmd|' /C calc'!A0",
		"Mozilla/5.0,=cmd|' /C calc'!A0",
		"Mozilla/5.0\t=cmd|' /C calc'!A0",
		"Mozilla/5.0|=cmd|' /C calc'!A0",
		`Mozilla/5.0; "=HYPERLINK(""http://evil.example"")"`,
		"a;-2+3;+1;@SUM(A1)",
		"line\n=1+1",
		"=1+1",
	}
	e := Entry{Seq: 1, Record: testRecord(0), HashVersion: HashVersion, PrevHash: GenesisHash, Hash: GenesisHash}
	var entries []Entry
	for _, p := range payloads {
		e.UserAgent, e.PageURL = p, "/news?q="+p
		entries = append(entries, e)
	}
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, func(yield func(Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}))
	text := buf.String()

	assertInert(t, text)
	for _, sep := range []rune{';', ',', '\t', '|'} {
		t.Run(string(sep), func(t *testing.T) {
			// A spreadsheet honours quotes, leniently.
			r := csv.NewReader(strings.NewReader(text))
			r.Comma, r.LazyQuotes, r.FieldsPerRecord = sep, true, -1
			rows, err := r.ReadAll()
			require.NoError(t, err)
			for _, row := range rows {
				for _, field := range row {
					field = strings.TrimLeft(field, ` "`)
					if field != "" {
						assert.NotContains(t, csvFormulaStarts, field[:1], "field %q starts a formula", field)
					}
				}
			}
		})
	}

	// The file still reads back, with only quotes added to defuse.
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(payloads)+1)
	ua := slices.Index(CSVHeader, "user_agent")
	for i, p := range payloads {
		got := rows[i+1][ua]
		assert.True(t, quotesInserted(got, p), "%q from %q", got, p)
	}
	assert.Equal(t, "Mozilla/5.0;'=cmd|' /C calc'!A0", rows[1][ua])
	assert.Contains(t, text, `"Mozilla/5.0;'=cmd|' /C calc'!A0"`, "a cell with a semicolon is quoted")
}
