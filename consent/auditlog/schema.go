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
