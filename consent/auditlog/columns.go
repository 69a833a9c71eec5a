package auditlog

import (
	"unicode/utf8"

	"github.com/consentkit/consentkit/consent"
)

// recordColumns are the stored columns of a record, in the order
// appendRecordArgs binds them. Every column is written for every record,
// so each one costs on the append path: the granted and denied categories,
// for example, are not stored apart but found inside decisions (see
// decisionNeedle).
const recordColumns = `seq, ts, consent_id, revision, policy_version, policy_url, decisions, withdrawn,
outcome, method, gpc, language, banner_version, text_hash, banner_sha, page_url, ip_prefix, user_agent,
hash_version, prev_hash, hash`

const recordColumnCount = 21

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
		rec.UserAgent, int64(HashVersion), prevHash, hash), buf
}

// appendDecisionsJSON appends decisions as the JSON array that
// encoding/json writes for them, [{"category":"a","granted":true},…], or
// [] for none. Written by hand because reflection-driven encoding was a
// tenth of the writer's time per record; FuzzDecisionsJSON holds it to
// encoding/json's output byte for byte, which decisionNeedle relies on.
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

// decisionNeedle is the text that the stored decisions of a record contain
// exactly when the record granted (or denied) category: one whole element
// of the array, braces included, so that no other category's element can
// match it.
func decisionNeedle(category string, granted bool) string {
	return string(appendDecisionJSON(nil, consent.CategoryDecision{Category: category, Granted: granted}))
}

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
