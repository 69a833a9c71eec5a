package auditlog

import (
	"bytes"
	"crypto/sha256"
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
	ua := slices.Index(CSVHeader(), "user_agent")
	for i, p := range payloads {
		got := rows[i+1][ua]
		assert.True(t, quotesInserted(got, p), "%q from %q", got, p)
	}
	assert.Equal(t, "Mozilla/5.0;'=cmd|' /C calc'!A0", rows[1][ua])
	assert.Contains(t, text, `"Mozilla/5.0;'=cmd|' /C calc'!A0"`, "a cell with a semicolon is quoted")
}

// TestCSVHeaderIsACopy is the regression test for #13 item 1: CSVHeader
// was a package variable that WriteCSV read, so a caller that changed it
// changed every later export. Each call now returns a slice of its own.
func TestCSVHeaderIsACopy(t *testing.T) {
	t.Parallel()
	h := CSVHeader()
	require.Equal(t, "seq", h[0])
	h[0] = "tampered"
	assert.Equal(t, "seq", CSVHeader()[0])
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, func(func(Entry, error) bool) {}))
	assert.True(t, strings.HasPrefix(buf.String(), "seq,time,"), "%q", buf.String())
}

// TestGenesisHash pins the constant the chain starts from: the length of a
// hex SHA-256, all zeros (a constant since #13 item 1, so no caller can
// move where Verify starts).
func TestGenesisHash(t *testing.T) {
	t.Parallel()
	assert.Equal(t, strings.Repeat("0", 2*sha256.Size), GenesisHash)
	_, err := decodeHash(GenesisHash)
	assert.NoError(t, err)
}
