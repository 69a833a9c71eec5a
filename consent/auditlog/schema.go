package auditlog

import (
	"context"
	"fmt"
)

// SchemaVersion is the schema version this package migrates databases to.
const SchemaVersion = 1

// migrate brings the schema to SchemaVersion inside one transaction, so a
// failed migration leaves nothing half-done, and checks the signing key.
// On a fresh database it also writes the signed empty chain head.
func (l *Log) migrate(ctx context.Context) error {
	err := l.eng.write(ctx, func(tx execer) error {
		if l.d.lockMigrations != "" {
			if _, err := tx.exec(ctx, l.d.lockMigrations); err != nil {
				return fmt.Errorf("lock for migration: %w", err)
			}
		}
		if _, err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		var v int64
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v > int64(len(l.d.migrations)) {
			return fmt.Errorf("%w: database is at version %d, this package knows %d", ErrSchemaTooNew, v, len(l.d.migrations))
		}
		for i := v; i < int64(len(l.d.migrations)); i++ {
			for _, stmt := range l.d.migrations[i] {
				if _, err := tx.exec(ctx, stmt); err != nil {
					return fmt.Errorf("migrate to version %d: %w", i+1, err)
				}
			}
			if i == 0 {
				if err := l.initChain(ctx, tx); err != nil {
					return err
				}
			}
		}
		if v < int64(len(l.d.migrations)) {
			if _, err := tx.exec(ctx, `DELETE FROM schema_version`); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO schema_version (version) VALUES (?)`, int64(len(l.d.migrations))); err != nil {
				return err
			}
		}
		var keyID string
		if err := tx.queryRow(ctx, `SELECT value FROM meta WHERE name = 'key_id'`).Scan(&keyID); err != nil {
			return fmt.Errorf("read key id: %w", err)
		}
		if keyID != l.sign.keyID() {
			return ErrWrongKey
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("auditlog: open %s log: %w", l.d.name, err)
	}
	return nil
}

// initChain writes the key's fingerprint and the signed empty chain.
func (l *Log) initChain(ctx context.Context, tx execer) error {
	if _, err := tx.exec(ctx, `INSERT INTO meta (name, value) VALUES ('key_id', ?)`, l.sign.keyID()); err != nil {
		return fmt.Errorf("store key id: %w", err)
	}
	_, err := tx.exec(ctx, `INSERT INTO chain_head (id, seq, hash, mac) VALUES (1, 0, ?, ?)`,
		GenesisHash, l.sign.mac(headMessage(0, GenesisHash)))
	if err != nil {
		return fmt.Errorf("create chain head: %w", err)
	}
	return nil
}

// schemaV1 is the first schema, written once for both engines. integer is
// the 64-bit integer type (in SQLite, "INTEGER PRIMARY KEY" also makes seq
// the rowid, the fastest key there is); serial is an auto-numbered key.
func schemaV1(integer, serial string) []string {
	return []string{
		`CREATE TABLE consent_records (
			seq ` + integer + ` PRIMARY KEY,
			ts ` + integer + ` NOT NULL,
			consent_id TEXT NOT NULL,
			revision TEXT NOT NULL,
			policy_version TEXT NOT NULL,
			policy_url TEXT NOT NULL,
			decisions TEXT NOT NULL,
			withdrawn TEXT NOT NULL,
			outcome TEXT NOT NULL,
			method TEXT NOT NULL,
			gpc ` + integer + ` NOT NULL,
			language TEXT NOT NULL,
			banner_version TEXT NOT NULL,
			text_hash TEXT NOT NULL,
			banner_sha TEXT NOT NULL,
			page_url TEXT NOT NULL,
			ip_prefix TEXT NOT NULL,
			user_agent TEXT NOT NULL,
			hash_version ` + integer + ` NOT NULL,
			prev_hash TEXT NOT NULL,
			hash TEXT NOT NULL
		)`,
		`CREATE INDEX consent_records_consent_id ON consent_records (consent_id, seq)`,
		`CREATE INDEX consent_records_ts ON consent_records (ts)`,
		// Banner texts are stored once per distinct text: they are long
		// and nearly every record repeats one of a handful.
		`CREATE TABLE banner_texts (sha TEXT PRIMARY KEY, text TEXT NOT NULL)`,
		`CREATE TABLE chain_head (
			id ` + integer + ` PRIMARY KEY CHECK (id = 1),
			seq ` + integer + ` NOT NULL,
			hash TEXT NOT NULL,
			mac TEXT NOT NULL
		)`,
		`CREATE TABLE checkpoints (
			id ` + serial + `,
			kind TEXT NOT NULL,
			seq ` + integer + ` NOT NULL,
			hash TEXT NOT NULL,
			ts ` + integer + ` NOT NULL,
			purged_before ` + integer + ` NOT NULL,
			purged ` + integer + ` NOT NULL,
			mac TEXT NOT NULL
		)`,
		`CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	}
}
