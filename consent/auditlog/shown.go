package auditlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/consentkit/consentkit/consent"
)

// ErrShownAltered means a stored snapshot of what visitors were shown no
// longer matches the hash its records carry: the banner_snapshots table
// was changed by hand. The records themselves may still verify.
var ErrShownAltered = errors.New("auditlog: the stored snapshot does not match its hash; restore banner_snapshots from a backup")

// schemaShown adds what issue #17 needs for exact evidence: each record's
// shown_hash (hashed from HashVersion 2 on; older rows keep it empty and verify
// under version 1) and banner_snapshots, each snapshot once. Written for
// both engines: integer is the 64-bit type, ifNotExists what the engine
// allows in ADD COLUMN.
func schemaShown(integer, ifNotExists string) []string {
	return []string{
		`ALTER TABLE consent_records ADD COLUMN ` + ifNotExists + `shown_hash TEXT NOT NULL DEFAULT ''`,
		`CREATE TABLE IF NOT EXISTS banner_snapshots (
			hash TEXT PRIMARY KEY,
			html TEXT NOT NULL,
			providers TEXT NOT NULL,
			created ` + integer + ` NOT NULL
		)`,
	}
}

// checkShown refuses a record whose snapshot is not the one its hash
// names, so that the log never stores one snapshot under another's hash.
// A record with a snapshot and no hash gets the snapshot's.
func checkShown(rec *consent.Record) error {
	if rec.Shown == nil {
		return nil
	}
	h := rec.Shown.Hash()
	if rec.ShownHash == "" {
		rec.ShownHash = h
	}
	if rec.ShownHash != h {
		return fmt.Errorf("%w: ShownHash %q is not the hash of Shown (%s); set it from Shown.Hash", ErrInvalidRecord, rec.ShownHash, h)
	}
	return nil
}

// Shown returns the snapshot stored under hash (a record's ShownHash):
// what the visitor was shown, byte for byte. It fails with ErrNotFound
// when the log holds none, and with ErrShownAltered when the stored one
// does not match hash.
func (l *Log) Shown(ctx context.Context, hash string) (consent.Shown, error) {
	var s consent.Shown
	var providers string
	// Query, not QueryRow: the two engines spell "no row" differently.
	rs, err := l.eng.Reader().Query(ctx, `SELECT html, providers FROM banner_snapshots WHERE hash = ?`, hash)
	if err != nil {
		return s, fmt.Errorf("auditlog: read snapshot: %w", err)
	}
	found := rs.Next()
	if found {
		err = rs.Scan(&s.HTML, &providers)
	}
	if err == nil {
		err = rs.Err()
	}
	rs.Close()
	if err != nil {
		return s, fmt.Errorf("auditlog: read snapshot: %w", err)
	}
	if !found {
		return s, fmt.Errorf("%w: no snapshot %.16s…", ErrNotFound, hash)
	}
	if json.Unmarshal([]byte(providers), &s.Providers) != nil || s.Hash() != hash {
		return s, ErrShownAltered
	}
	return s, nil
}

// appendProvidersJSON appends the providers column: encoding/json's form
// of the list, which Shown reads back for the hash check.
func appendProvidersJSON(dst []byte, ps []consent.CategoryProviders) []byte {
	return appendJSONArray(dst, ps, func(dst []byte, p consent.CategoryProviders) []byte {
		dst = append(dst, `{"category":`...)
		dst = appendJSONString(dst, p.Category)
		dst = append(dst, `,"providers":`...)
		dst = appendStringsJSON(dst, p.Providers)
		return append(dst, '}')
	})
}
