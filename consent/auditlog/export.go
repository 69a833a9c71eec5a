package auditlog

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CSVHeader is the header row of a CSV export, in column order.
var CSVHeader = []string{"seq", "time", "consent_id", "outcome", "method", "gpc", "granted", "denied", "withdrawn",
	"language", "policy_version", "policy_url", "revision", "banner_version", "text_hash", "page_url",
	"ip_prefix", "user_agent", "hash_version", "prev_hash", "hash"}

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
		strconv.Itoa(e.HashVersion), e.PrevHash, e.Hash)
	for i, c := range row {
		row[i] = SafeCSVCell(c)
	}
	return row
}

// SafeCSVCell defuses formula injection: a cell starting with = + - @ (or
// a tab or carriage return, which spreadsheets skip before such a sign) is
// prefixed with a single quote, so a spreadsheet shows it as text instead of
// evaluating a user agent or page URL that a visitor chose.
func SafeCSVCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// WriteCSV streams the entries to w as CSV with a header row (see
// CSVHeader and SafeCSVCell). Use JSON Lines for an export whose hashes
// can be re-verified: CSV cells may carry the quote prefix.
func WriteCSV(w io.Writer, entries iter.Seq2[Entry, error]) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := make([]string, 0, len(CSVHeader))
	for e, err := range entries {
		if err != nil {
			return err
		}
		if err := cw.Write(csvRow(&e, row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
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
	default:
		http.Error(w, "format must be csv or jsonl", http.StatusBadRequest)
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
