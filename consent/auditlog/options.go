package auditlog

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// MinKeyLen is the shortest Options.Key accepted: the HMAC-SHA256 block
// security needs 256 bits of key.
const MinKeyLen = 32

// DefaultRetention is the default Options.Retention: two years, a common
// period for keeping proof of consent.
const DefaultRetention = 2 * 365 * 24 * time.Hour

// Options configures a Log. Only Key is required.
type Options struct {
	// Key signs the chain head, checkpoints and purge anchors with
	// HMAC-SHA256. Required, at least MinKeyLen bytes. Keep it outside the
	// database (an environment variable or a secret store): whoever holds
	// it can forge signatures. Open refuses a key other than the one the
	// log was created with.
	Key []byte
	// CheckpointEvery is how many records pass between two automatic
	// checkpoints. Default is 1000.
	CheckpointEvery int
	// Retention is how long records are kept by PurgeExpired. Default is
	// DefaultRetention (2 years).
	Retention time.Duration
	// MaxBatch caps how many records one group commit takes. Default is 256.
	MaxBatch int
	// WriteTimeout bounds one batch's transaction, so that a database that
	// hangs fails Record calls instead of holding them forever. Default is
	// 10 seconds.
	WriteTimeout time.Duration
	// ReadConns is how many connections serve reads (queries, Verify,
	// exports), apart from the writer's. Default is 4.
	ReadConns int
	// Now is the clock, for records without a time and for checkpoints.
	// Default is time.Now.
	Now func() time.Time
	// Logger receives failures of background work, and the error line a
	// Log writes when it finds the database rolled back under it. Default
	// is slog.Default().
	Logger *slog.Logger
	// Witness, when set, receives a signed chain head at every checkpoint
	// (every CheckpointEvery records, Checkpoint) and when the Log closes,
	// and Verify checks the chain against the heads it holds: this is what
	// detects a database rolled back to an older state by someone without
	// the key (see the package docs). Keep it off the database's disk and
	// host, for example with NewFileWitness on another mount. The Log does
	// not close it. Default is none: a rollback is then detected only by a
	// running Log, and Verify reports how many records are unproven.
	Witness Witness
	// Controller is the site's data controller, named in the ISO/IEC TS
	// 27560 export (WriteDPV, Log.DPV) and in visitors' receipts
	// (HistoryHandler), which both standards require. Default is none:
	// they then name no controller.
	Controller Controller
}

func (o Options) withDefaults() (Options, error) {
	if len(o.Key) < MinKeyLen {
		return o, fmt.Errorf("%w (got %d bytes)", ErrNoKey, len(o.Key))
	}
	o.Key = append([]byte(nil), o.Key...)
	if o.CheckpointEvery < 0 || o.MaxBatch < 0 || o.Retention < 0 || o.WriteTimeout < 0 || o.ReadConns < 0 {
		return o, errors.New("auditlog: options must not be negative")
	}
	if o.CheckpointEvery == 0 {
		o.CheckpointEvery = 1000
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = 256
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.ReadConns == 0 {
		o.ReadConns = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}
