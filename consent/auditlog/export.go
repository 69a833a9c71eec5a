package auditlog

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CSVHeader returns the header row of a CSV export, in column order. The
// slice is the caller's to change: WriteCSV writes from its own copy.
func CSVHeader() []string { return slices.Clone(csvHeader) }

// csvHeader is what CSVHeader returns.
var csvHeader = []string{"seq", "time", "consent_id", "outcome", "method", "gpc", "granted", "denied", "withdrawn",
	"language", "policy_version", "policy_url", "revision", "banner_version", "text_hash", "page_url",
	"ip_prefix", "user_agent", "hash_version", "prev_hash", "hash", "region", "model"}

// csvRow returns e's CSV cells in CSVHeader order. Category lists are
// space-separated.
func csvRow(e *Entry, row []string) []string {
	var denied []string
	for _, d := range e.Decisions {
		if !d.Granted {
			denied = append(denied, d.Category)
		}
	}
	row = append(row[:0], strconv.FormatInt(e.Seq, 10), e.Time.UTC().Format(time.RFC3339Nano), e.ConsentID,
		string(e.Outcome), string(e.Method), strconv.FormatBool(e.GPC), strings.Join(e.Granted(), " "),
		strings.Join(denied, " "), strings.Join(e.Withdrawn, " "), e.Language, e.PolicyVersion, e.PolicyURL,
		e.Revision, e.BannerVersion, e.TextHash, e.PageURL, e.IPPrefix, e.UserAgent,
		strconv.Itoa(e.HashVersion), e.PrevHash, e.Hash, e.Region, string(e.Model))
	for i, c := range row {
		row[i] = SafeCSVCell(c)
	}
	return row
}

// csvSeparators are the characters at which some spreadsheet splits a CSV
// line into cells: the comma; the semicolon, which Excel and LibreOffice
// use in every locale whose decimal separator is a comma (most of Europe);
// the tab; the pipe, which import dialogs offer and pipe-delimited
// exchange files use; and the line breaks, at which a reader that ignores
// quotes splits rows.
const csvSeparators = ",;\t|\r\n"

// csvFormulaStarts are the characters that make a spreadsheet read a cell
// as a formula; tab and carriage return because spreadsheets skip them
// before such a sign.
const csvFormulaStarts = "=+-@\t\r"

// SafeCSVCell defuses formula injection: wherever a spreadsheet might start
// a cell, at the start of s and after each separator that any locale's
// spreadsheet splits at (see csvSeparators: , ; tab | and line breaks),
// with only spaces and double quotes between, a formula sign (= + - @, or
// a tab or carriage return, which spreadsheets skip before such a sign)
// gets a single quote before it. A spreadsheet then shows the user agent
// or page URL a visitor chose as text, whichever separator it splits the
// file at, instead of evaluating it. WriteCSV also quotes every cell that
// holds a separator, so a spreadsheet that honours quotes keeps it whole.
func SafeCSVCell(s string) string {
	var b []byte
	start := true // where a spreadsheet may begin a cell
	done := 0     // s[:done] is in b
	for i := 0; i < len(s); i++ {
		c := s[i]
		if start && strings.IndexByte(csvFormulaStarts, c) >= 0 {
			b = append(append(b, s[done:i]...), '\'')
			done = i
		}
		if !start || c != ' ' && c != '"' {
			start = strings.IndexByte(csvSeparators, c) >= 0
		}
	}
	if b == nil {
		return s
	}
	return string(append(b, s[done:]...))
}

// csvNeedsQuotes reports whether a cell must be quoted: it holds a
// separator of some locale or a quote, or starts or ends with a space,
// which some readers trim.
func csvNeedsQuotes(s string) bool {
	return s != "" && (strings.ContainsAny(s, csvSeparators+`"`) || s[0] == ' ' || s[len(s)-1] == ' ')
}

// appendCSVRow appends cells as one CSV line (RFC 4180, with a bare LF):
// comma-separated, every cell that csvNeedsQuotes quoted. encoding/csv
// quotes only cells that hold its own separator, which leaves a cell with a
// semicolon open to a spreadsheet that splits at semicolons.
func appendCSVRow(dst []byte, cells []string) []byte {
	for i, c := range cells {
		if i > 0 {
			dst = append(dst, ',')
		}
		if !csvNeedsQuotes(c) {
			dst = append(dst, c...)
			continue
		}
		dst = append(dst, '"')
		for {
			j := strings.IndexByte(c, '"')
			if j < 0 {
				break
			}
			dst = append(append(dst, c[:j+1]...), '"')
			c = c[j+1:]
		}
		dst = append(append(dst, c...), '"')
	}
	return append(dst, '\n')
}

// WriteCSV streams the entries to w as CSV with a header row (see
// CSVHeader): comma-separated, every cell that holds a separator of any
// locale quoted, and every cell defused with SafeCSVCell. Use JSON Lines
// for an export whose hashes can be re-verified: CSV cells may carry
// inserted quotes.
func WriteCSV(w io.Writer, entries iter.Seq2[Entry, error]) error {
	bw := bufio.NewWriter(w)
	line := appendCSVRow(nil, csvHeader)
	if _, err := bw.Write(line); err != nil {
		return err
	}
	row := make([]string, 0, len(csvHeader))
	for e, err := range entries {
		if err != nil {
			return err
		}
		line = appendCSVRow(line[:0], csvRow(&e, row))
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteJSONL streams the entries to w as JSON Lines, one Entry per line:
// every field the hash covers, so that HashRecord can re-verify the chain
// from the export alone.
func WriteJSONL(w io.Writer, entries iter.Seq2[Entry, error]) error {
	enc := json.NewEncoder(w)
	for e, err := range entries {
		if err != nil {
			return err
		}
		if err := enc.Encode(&e); err != nil {
			return err
		}
	}
	return nil
}

// countingWriter tells whether anything reached the client yet, which
// decides between an error status and an aborted response.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (h *reviewHandler) export(w http.ResponseWriter, r *http.Request, f Filter, format string) {
	var write func(io.Writer, iter.Seq2[Entry, error]) error
	var ctype, ext string
	switch format {
	case "csv":
		write, ctype, ext = WriteCSV, "text/csv; charset=utf-8", "csv"
	case "jsonl":
		write, ctype, ext = WriteJSONL, "application/x-ndjson; charset=utf-8", "jsonl"
	case "dpv":
		// ISO/IEC TS 27560 in the DPV JSON-LD profile; the third
		// parties come from the snapshots, read before streaming.
		shown, err := h.log.shownProviders(r.Context())
		if err != nil {
			h.opts.Logger.Error("auditlog: export", "format", format, "err", err)
			http.Error(w, "the consent log cannot be read right now", http.StatusServiceUnavailable)
			return
		}
		write = func(w io.Writer, es iter.Seq2[Entry, error]) error {
			return WriteDPV(w, es, h.log.opts.Controller, shown)
		}
		ctype, ext = "application/ld+json; charset=utf-8", "jsonld"
	default:
		http.Error(w, "format must be csv, jsonl or dpv", http.StatusBadRequest)
		return
	}
	f.Desc = false
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition",
		`attachment; filename="consent-log-`+time.Now().UTC().Format("20060102-150405")+`.`+ext+`"`)
	if r.Method == http.MethodHead {
		return
	}
	cw := &countingWriter{w: w}
	err := write(cw, h.log.Query(r.Context(), f))
	if err == nil {
		return
	}
	if r.Context().Err() == context.Canceled {
		return // the client went away
	}
	h.opts.Logger.Error("auditlog: export", "format", format, "err", err)
	if cw.n == 0 {
		w.Header().Del("Content-Disposition")
		http.Error(w, "the consent log cannot be read right now", http.StatusServiceUnavailable)
		return
	}
	// Rows were sent with a 200 already; aborting the response is the only
	// way left to tell the client its file is incomplete, rather than let
	// a truncated export pass for a whole one.
	panic(http.ErrAbortHandler)
}
