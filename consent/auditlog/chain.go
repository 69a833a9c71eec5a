package auditlog

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/consentkit/consentkit/consent"
)

// HashVersion is the version of the canonical encoding that HashRecord
// writes. Each row stores the version it was hashed with, so a later
// encoding can be introduced without rewriting old rows: version 1 and 2
// rows still verify under their version (see HashRecordVersion). Version 2
// adds Record.ShownHash, so that the snapshot of what the visitor was
// shown cannot be swapped for another without breaking the chain; version
// 3 adds Record.Region and Record.Model (consent.Regions), so that the law
// a decision was taken under cannot be changed either.
const HashVersion = 3

// coveredByVersion reports whether every field of rec that the encoding
// version does not cover is empty: a row hashed under version 1 has no
// ShownHash, one under version 1 or 2 no Region or Model. Those versions
// were written before the fields existed, so a value there was put in by
// hand, and a check of the hash alone would not see it.
func coveredByVersion(version int, rec *consent.Record) bool {
	if version < 2 && rec.ShownHash != "" {
		return false
	}
	return version >= 3 || (rec.Region == "" && rec.Model == "")
}

// GenesisHash is the prev_hash of the first record of a log that was never
// purged: 64 zeros, the length of a hex SHA-256. A constant, so that what
// Verify starts the chain from cannot be changed by a caller.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Domain-separation prefixes, so that a record encoding can never be
// mistaken for a checkpoint or chain head encoding and vice versa.
const (
	recordDomain     = "consentkit/auditlog/record/v1"
	recordDomainV2   = "consentkit/auditlog/record/v2"
	recordDomainV3   = "consentkit/auditlog/record/v3"
	checkpointDomain = "consentkit/auditlog/checkpoint/v1"
	headDomain       = "consentkit/auditlog/head/v1"
	keyIDDomain      = "consentkit/auditlog/key-id/v1"
)

// Entry is one record of the log as stored: the decision plus its place in
// the chain. Its JSON form (one line of a JSON Lines export) carries every
// field the hash covers, so an export can be re-verified with HashRecord.
type Entry struct {
	// Seq is the record's position in the chain, from 1, without gaps. It is
	// the record's ID in the review pages.
	Seq int64 `json:"seq"`
	consent.Record
	// HashVersion is the canonical encoding version Hash was computed with.
	HashVersion int `json:"hash_version"`
	// PrevHash is the hex SHA-256 hash of the record at Seq-1, or
	// GenesisHash for the first record.
	PrevHash string `json:"prev_hash"`
	// Hash is the hex SHA-256 hash of this record (see HashRecord).
	Hash string `json:"hash"`
}

// HashRecord returns the hex SHA-256 hash, under HashVersion, of the record
// at position seq whose predecessor hashed to prevHash (hex). The hash
// covers a length-prefixed encoding of seq, every field of rec (time in
// microseconds, UTC), and prevHash, so no two different records encode the
// same way. It fails only when prevHash is not 64 hex digits. Use
// HashRecordVersion for a record stored under an older version.
func HashRecord(seq int64, rec *consent.Record, prevHash string) (string, error) {
	return HashRecordVersion(HashVersion, seq, rec, prevHash)
}

// HashRecordVersion is HashRecord under the given encoding version, for
// re-verifying an export whose records carry their hash_version. It fails
// for a version this package does not know.
func HashRecordVersion(version int, seq int64, rec *consent.Record, prevHash string) (string, error) {
	if version < 1 || version > 3 {
		return "", fmt.Errorf("%w: hash version %d, this package knows 1, 2 and 3", ErrBadHash, version)
	}
	prev, err := decodeHash(prevHash)
	if err != nil {
		return "", fmt.Errorf("prev hash: %w", err)
	}
	sum := sha256.Sum256(appendRecord(nil, version, seq, rec, prev))
	return hex.EncodeToString(sum[:]), nil
}

// appendRecord appends the canonical encoding of a record under version
// (1, 2 or 3; any other encodes as 3 with a domain no stored hash can
// match) to dst. Version 2 ends with the shown hash, version 3 with the
// shown hash, the region and the model. The writer reuses dst between
// records to stay off the allocator.
func appendRecord(dst []byte, version int, seq int64, rec *consent.Record, prev [sha256.Size]byte) []byte {
	switch version {
	case 1:
		dst = appendString(dst, recordDomain)
	case 2:
		dst = appendString(dst, recordDomainV2)
	case 3:
		dst = appendString(dst, recordDomainV3)
	default:
		dst = appendString(dst, "consentkit/auditlog/record/unknown")
	}
	dst = binary.BigEndian.AppendUint64(dst, uint64(seq))
	dst = binary.BigEndian.AppendUint64(dst, uint64(rec.Time.UnixMicro()))
	dst = appendString(dst, rec.ConsentID)
	dst = appendString(dst, rec.Revision)
	dst = appendString(dst, rec.PolicyVersion)
	dst = appendString(dst, rec.PolicyURL)
	dst = binary.BigEndian.AppendUint64(dst, uint64(len(rec.Decisions)))
	for _, d := range rec.Decisions {
		dst = appendString(dst, d.Category)
		dst = appendBool(dst, d.Granted)
	}
	dst = binary.BigEndian.AppendUint64(dst, uint64(len(rec.Withdrawn)))
	for _, w := range rec.Withdrawn {
		dst = appendString(dst, w)
	}
	dst = appendString(dst, string(rec.Outcome))
	dst = appendString(dst, string(rec.Method))
	dst = appendBool(dst, rec.GPC)
	dst = appendString(dst, rec.Language)
	dst = appendString(dst, rec.BannerVersion)
	dst = appendString(dst, rec.TextHash)
	dst = appendString(dst, rec.BannerText)
	dst = appendString(dst, rec.PageURL)
	dst = appendString(dst, rec.IPPrefix)
	dst = appendString(dst, rec.UserAgent)
	if version != 1 {
		dst = appendString(dst, rec.ShownHash)
	}
	if version != 1 && version != 2 {
		dst = appendString(dst, rec.Region)
		dst = appendString(dst, string(rec.Model))
	}
	return append(dst, prev[:]...)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// decodeHash parses a 64-digit hex hash.
func decodeHash(s string) ([sha256.Size]byte, error) {
	var out [sha256.Size]byte
	if len(s) != hex.EncodedLen(sha256.Size) {
		return out, fmt.Errorf("%w: want %d hex digits, got %d characters", ErrBadHash, hex.EncodedLen(sha256.Size), len(s))
	}
	if _, err := hex.Decode(out[:], []byte(s)); err != nil {
		return out, fmt.Errorf("%w: %w", ErrBadHash, err)
	}
	return out, nil
}

// signer computes the HMACs that anchor the chain. The key never reaches the
// database.
type signer struct{ key []byte }

func (s signer) mac(msg []byte) string {
	m := hmac.New(sha256.New, s.key)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// valid compares in constant time so that a forged signature cannot be
// found byte by byte through timing.
func (s signer) valid(msg []byte, mac string) bool {
	want, err := hex.DecodeString(mac)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, s.key)
	m.Write(msg)
	return hmac.Equal(m.Sum(nil), want)
}

// keyID identifies the key without revealing it, so Open can refuse a key
// other than the one the log was started with.
func (s signer) keyID() string {
	return s.mac([]byte(keyIDDomain))[:32]
}

func headMessage(seq int64, hash string) []byte {
	b := appendString(nil, headDomain)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	return appendString(b, hash)
}

func checkpointMessage(cp *Checkpoint) []byte {
	b := appendString(nil, checkpointDomain)
	b = appendString(b, string(cp.Kind))
	b = binary.BigEndian.AppendUint64(b, uint64(cp.Seq))
	b = appendString(b, cp.Hash)
	b = binary.BigEndian.AppendUint64(b, uint64(cp.Time.UnixMicro()))
	b = binary.BigEndian.AppendUint64(b, uint64(cp.PurgedBefore.UnixMicro()))
	return binary.BigEndian.AppendUint64(b, uint64(cp.Purged))
}

// normalize returns the form of rec that is hashed and stored: slices
// copied (the Store contract forbids keeping the caller's), time in UTC at
// the microsecond precision both databases keep, strings made valid UTF-8
// without NUL bytes, because PostgreSQL rejects both in text columns and a
// visitor's odd User-Agent must never make their consent unloggable, and
// the decisions and withdrawn categories in their one canonical form
// (sorted, lower case, each once; see canonicalDecisions).
func normalize(rec consent.Record, now time.Time) consent.Record {
	if rec.Time.IsZero() {
		rec.Time = now
	}
	rec.Time = time.UnixMicro(rec.Time.UnixMicro()).UTC()
	rec.ConsentID = clean(rec.ConsentID)
	rec.Revision = clean(rec.Revision)
	rec.PolicyVersion = clean(rec.PolicyVersion)
	rec.PolicyURL = clean(rec.PolicyURL)
	rec.Decisions = canonicalDecisions(rec.Decisions)
	rec.Withdrawn = canonicalList(rec.Withdrawn)
	rec.Outcome = consent.Outcome(clean(string(rec.Outcome)))
	rec.Method = consent.Method(clean(string(rec.Method)))
	rec.Language = clean(rec.Language)
	rec.BannerVersion = clean(rec.BannerVersion)
	rec.TextHash = clean(rec.TextHash)
	rec.BannerText = clean(rec.BannerText)
	rec.PageURL = clean(rec.PageURL)
	rec.IPPrefix = clean(rec.IPPrefix)
	rec.UserAgent = clean(rec.UserAgent)
	rec.ShownHash = clean(rec.ShownHash)
	rec.Region = clean(rec.Region)
	rec.Model = consent.Model(clean(string(rec.Model)))
	return rec
}

// clean replaces invalid UTF-8 and NUL bytes with U+FFFD. The common case,
// a clean string, returns without allocating.
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// validConsentID reports whether id has the form of a consent ID: 32
// lower-case hex digits.
func validConsentID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
