package auditlog

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/consentkit/consentkit/consent"
)

// recordColumns are the stored columns of a record, in the order
// appendRecordArgs binds them. Every column is written for every record,
// so each one costs on the append path. The decisions are also stored one
// row per category in consent_decisions, for the filters: the database
// writes those rows itself from the decisions column (see schemaV2), and
// every read checks them against it (see scanEntry).
const recordColumns = `seq, ts, consent_id, revision, policy_version, policy_url, decisions, withdrawn,
outcome, method, gpc, language, banner_version, text_hash, banner_sha, page_url, ip_prefix, user_agent,
hash_version, prev_hash, hash, shown_hash, region, model`

const recordColumnCount = 24

// appendRecordArgs appends the arguments that store rec at seq in the order
// of recordColumns. bannerSHA is the key of its banner text (see textSHA),
// buf scratch space for the JSON columns, returned for reuse.
func appendRecordArgs(args []any, buf []byte, seq int64, rec *consent.Record, bannerSHA, prevHash, hash string) ([]any, []byte) {
	buf = appendDecisionsJSON(buf[:0], rec.Decisions)
	decisions := string(buf)
	buf = appendStringsJSON(buf[:0], rec.Withdrawn)
	withdrawn := string(buf)
	return append(args, seq, rec.Time.UnixMicro(), rec.ConsentID, rec.Revision, rec.PolicyVersion,
		rec.PolicyURL, decisions, withdrawn, string(rec.Outcome), string(rec.Method),
		boolInt(rec.GPC), rec.Language, rec.BannerVersion, rec.TextHash, bannerSHA, rec.PageURL, rec.IPPrefix,
		rec.UserAgent, int64(HashVersion), prevHash, hash, rec.ShownHash, rec.Region, string(rec.Model)), buf
}

// appendDecisionsJSON appends decisions as the JSON array that
// encoding/json writes for them, [{"category":"a","granted":true},…], or
// [] for none: the one spelling the decisions column holds (see
// decodeDecisions). Written by hand because reflection-driven encoding was
// a tenth of the writer's time per record; FuzzDecisionsJSON holds it to
// encoding/json's output byte for byte.
func appendDecisionsJSON(dst []byte, ds []consent.CategoryDecision) []byte {
	return appendJSONArray(dst, ds, appendDecisionJSON)
}

func appendDecisionJSON(dst []byte, d consent.CategoryDecision) []byte {
	dst = append(dst, `{"category":`...)
	dst = appendJSONString(dst, d.Category)
	if d.Granted {
		return append(dst, `,"granted":true}`...)
	}
	return append(dst, `,"granted":false}`...)
}

// canonicalDecisions returns the one form of a set of decisions that is
// hashed and stored: category IDs in lower case, as consent.Config defines
// them, valid UTF-8 without NUL (see clean), sorted, each once. When a
// category appears twice (which consent.Manager never writes), the refusal
// wins: the log never claims more consent than was given. Without it, one
// decision could be stored in several spellings, each verifying, that
// category filters read differently.
func canonicalDecisions(ds []consent.CategoryDecision) []consent.CategoryDecision {
	if ds == nil {
		return nil
	}
	out := make([]consent.CategoryDecision, len(ds))
	for i, d := range ds {
		out[i] = consent.CategoryDecision{Category: strings.ToLower(clean(d.Category)), Granted: d.Granted}
	}
	slices.SortFunc(out, func(a, b consent.CategoryDecision) int { return strings.Compare(a.Category, b.Category) })
	n := 0
	for _, d := range out {
		if n > 0 && out[n-1].Category == d.Category {
			out[n-1].Granted = out[n-1].Granted && d.Granted
			continue
		}
		out[n] = d
		n++
	}
	return out[:n]
}

// canonicalList is canonicalDecisions for a list of category IDs.
func canonicalList(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToLower(clean(s))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// decodeDecisions reads a stored decisions column. ok is false unless the
// text is exactly what appendDecisionsJSON writes for the decisions read:
// another spelling (keys in another case or order, spaces, escapes, extra
// keys), which only a hand in the database can have written, must not
// verify.
func decodeDecisions(text string, buf []byte) (ds []consent.CategoryDecision, ok bool, _ []byte) {
	if json.Unmarshal([]byte(text), &ds) != nil {
		return nil, false, buf
	}
	buf = appendDecisionsJSON(buf[:0], ds)
	return ds, string(buf) == text, buf
}

// decodeList is decodeDecisions for the withdrawn column.
func decodeList(text string, buf []byte) (list []string, ok bool, _ []byte) {
	if json.Unmarshal([]byte(text), &list) != nil {
		return nil, false, buf
	}
	buf = appendStringsJSON(buf[:0], list)
	return list, string(buf) == text, buf
}

// appendDecisionRows appends the digest of decisions that decisionRows
// computes in SQL from a record's consent_decisions rows: for each, in
// order, the length of its category in characters, a colon, the category,
// and 1 or 0, separated by commas. The length makes it unambiguous
// whatever a category holds.
func appendDecisionRows(dst []byte, ds []consent.CategoryDecision) []byte {
	for i, d := range ds {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(utf8.RuneCountInString(d.Category)), 10)
		dst = append(dst, ':')
		dst = append(dst, d.Category...)
		if d.Granted {
			dst = append(dst, '1')
		} else {
			dst = append(dst, '0')
		}
	}
	return dst
}

// decisionRows is the SQL of appendDecisionRows over the consent_decisions
// rows of record r. SQLite (3.44 and later) and PostgreSQL both know
// string_agg with ORDER BY.
const decisionRows = `COALESCE((SELECT string_agg(length(d.category) || ':' || d.category || d.granted, ',' ORDER BY d.idx)
FROM consent_decisions d WHERE d.seq = r.seq), '')`

// appendStringsJSON appends list as a JSON array of strings, [] for none.
func appendStringsJSON(dst []byte, list []string) []byte {
	return appendJSONArray(dst, list, appendJSONString)
}

func appendJSONArray[T any](dst []byte, list []T, appendElem func([]byte, T) []byte) []byte {
	dst = append(dst, '[')
	for i, v := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendElem(dst, v)
	}
	return append(dst, ']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted the way encoding/json quotes it by
// default: HTML-sensitive characters, control characters, U+2028 and
// U+2029 escaped, invalid UTF-8 replaced with U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
