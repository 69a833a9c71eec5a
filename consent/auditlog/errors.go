package auditlog

import (
	"errors"

	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// Errors returned by the package. Match them with errors.Is: they are
// usually wrapped with more detail.
var (
	// ErrNoKey means Options.Key is missing or shorter than MinKeyLen.
	ErrNoKey = errors.New("auditlog: a signing key of at least 32 bytes is required")
	// ErrWrongKey means the log was created with another Options.Key.
	ErrWrongKey = errors.New("auditlog: the signing key does not match the one this log was created with: open it with that key, or start a new log file and keep the old one, with its key, for the auditor")
	// ErrClosed is returned by calls on a closed Log.
	ErrClosed = engine.ErrClosed
	// ErrInvalidRecord means a record cannot be logged as given, for
	// example because its consent ID is not 32 lower-case hex digits.
	ErrInvalidRecord = errors.New("auditlog: invalid record")
	// ErrBadHash means a hash is not 64 hex digits.
	ErrBadHash = errors.New("auditlog: malformed hash")
	// ErrSchemaTooNew means the database was migrated by a newer version of
	// this package, whose schema this version does not know.
	ErrSchemaTooNew = errors.New("auditlog: database schema is newer than this package")
	// ErrBadFilter means a filter given as URL query parameters is malformed.
	ErrBadFilter = errors.New("auditlog: invalid filter")
	// ErrChainHeadInvalid means the chain head row fails its signature: the
	// database was altered, or another key was used. Appends stop rather than
	// sign over the altered state; Verify tells what happened.
	ErrChainHeadInvalid = errors.New("auditlog: chain head signature is invalid; run Verify")
	// ErrNotFound is returned by Get for a position that holds no record.
	ErrNotFound = errors.New("auditlog: no such record")
	// ErrNoAuthorizer is returned by NewReviewHandler without
	// ReviewOptions.Authorize: the review pages show personal data and must
	// never be served open.
	ErrNoAuthorizer = errors.New("auditlog: the review handler needs ReviewOptions.Authorize")
	// ErrRolledBack means the database no longer holds the chain head this Log
	// committed, or the head a witness holds: records that were acknowledged
	// are gone and an older chain head, with its valid signature, was put
	// back. The Log refuses to append on top of it. Run Verify, restore the
	// database from a backup, and read "Threat model" in the package docs.
	ErrRolledBack = errors.New("auditlog: the consent log was rolled back: a chain head it committed is gone from the database")
	// ErrWitnessDamaged means some entries of a witness cannot be read: a
	// write torn by a crash (harmless: that head was never acknowledged as
	// witnessed) or corruption. Verify reports it as a warning.
	ErrWitnessDamaged = errors.New("auditlog: witness entries cannot be read")
)
