package auditlog

import (
	"context"
	"fmt"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// schemaVersion is the schema version this package migrates databases to.
const schemaVersion = 5

// schemaRegions adds the region and the privacy model of each record
// (consent.Regions), for both engines; ifNotExists is what the engine
// allows in ADD COLUMN. Older records get "", which is what they hashed:
// versions 1 and 2 do not cover the two columns, and Verify refuses a row
// of those versions where either is not empty (see coveredByVersion).
func schemaRegions(ifNotExists string) []string {
	return []string{
		`ALTER TABLE consent_records ADD COLUMN ` + ifNotExists + `region TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE consent_records ADD COLUMN ` + ifNotExists + `model TEXT NOT NULL DEFAULT ''`,
	}
}

// migrate brings the schema to schemaVersion inside one transaction, so a
// failed migration leaves nothing half-done, and checks the signing key.
// On a fresh database it also writes the signed empty chain head.
func (l *Log) migrate(ctx context.Context) error {
	err := l.eng.Write(ctx, func(tx engine.Tx) error {
		if l.d.lockMigrations != "" {
			if _, err := tx.Exec(ctx, l.d.lockMigrations); err != nil {
				return fmt.Errorf("lock for migration: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		var v int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v > int64(len(l.d.migrations)) {
			return fmt.Errorf("%w: database is at version %d, this package knows %d", ErrSchemaTooNew, v, len(l.d.migrations))
		}
		for i := v; i < int64(len(l.d.migrations)); i++ {
			for _, stmt := range l.d.migrations[i] {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("migrate to version %d: %w", i+1, err)
				}
			}
			if i == 0 {
				if err := l.initChain(ctx, tx); err != nil {
					return err
				}
			}
			if i == 1 {
				if err := backfillDecisions(ctx, tx); err != nil {
					return fmt.Errorf("migrate to version 2: %w", err)
				}
			}
		}
		if v < int64(len(l.d.migrations)) {
			if _, err := tx.Exec(ctx, `DELETE FROM schema_version`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES (?)`, int64(len(l.d.migrations))); err != nil {
				return err
			}
		}
		var keyID string
		if err := tx.QueryRow(ctx, `SELECT value FROM meta WHERE name = 'key_id'`).Scan(&keyID); err != nil {
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
func (l *Log) initChain(ctx context.Context, tx engine.Tx) error {
	if _, err := tx.Exec(ctx, `INSERT INTO meta (name, value) VALUES ('key_id', ?)`, l.sign.keyID()); err != nil {
		return fmt.Errorf("store key id: %w", err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO chain_head (id, seq, hash, mac) VALUES (1, 0, ?, ?)`,
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

// decisionsTable is consent_decisions, the decisions of each record one row
// per category, in the order of its decisions column (idx from 0), so that
// the filters select on columns instead of searching JSON text. It holds
// nothing the decisions column does not: triggers write, move and delete
// its rows with the records' (so that the append path stays one INSERT a
// record, and Purge needs no statement of its own), and every read checks
// that the two agree (see scanEntry), so that a hand that changes one
// without the other makes the record fail Verify. The triggers refuse
// decisions that are not a JSON array of objects with a category.
func decisionsTable(integer string) string {
	return `CREATE TABLE consent_decisions (
		seq ` + integer + ` NOT NULL,
		idx ` + integer + ` NOT NULL,
		category TEXT NOT NULL,
		granted ` + integer + ` NOT NULL,
		PRIMARY KEY (seq, idx)
	)`
}

// sqliteDecisionRows writes the consent_decisions rows of record NEW.
const sqliteDecisionRows = `INSERT INTO consent_decisions (seq, idx, category, granted)
	SELECT NEW.seq, j.key, json_extract(j.value, '$.category'), json_extract(j.value, '$.granted')
	FROM json_each(NEW.decisions) j;`

// schemaV2SQLite adds consent_decisions and its triggers, which run per
// row.
var schemaV2SQLite = []string{
	decisionsTable("INTEGER") + ` WITHOUT ROWID`,
	`CREATE TRIGGER consent_decisions_insert AFTER INSERT ON consent_records BEGIN ` +
		sqliteDecisionRows + ` END`,
	`CREATE TRIGGER consent_decisions_update AFTER UPDATE ON consent_records BEGIN
		DELETE FROM consent_decisions WHERE seq = OLD.seq; ` + sqliteDecisionRows + ` END`,
	`CREATE TRIGGER consent_decisions_delete AFTER DELETE ON consent_records BEGIN
		DELETE FROM consent_decisions WHERE seq = OLD.seq; END`,
}

// pgDecisionRows writes the consent_decisions rows of the records in
// transition table added.
const pgDecisionRows = `INSERT INTO consent_decisions (seq, idx, category, granted)
	SELECT a.seq, j.n - 1, j.v->>'category', CASE WHEN (j.v->>'granted')::boolean THEN 1 ELSE 0 END
	FROM added a, jsonb_array_elements(a.decisions::jsonb) WITH ORDINALITY AS j(v, n);`

// schemaV2Postgres is schemaV2SQLite for PostgreSQL, whose triggers run
// once a statement, over its transition tables: an append's batch, or a
// purge, is one trigger call. The functions keep the search_path they were
// created under, so that they find consent_decisions beside the records
// whatever the search_path of the session that writes them.
var schemaV2Postgres = []string{
	decisionsTable("BIGINT"),
	`CREATE FUNCTION consent_decisions_insert() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
	BEGIN ` + pgDecisionRows + ` RETURN NULL; END $$`,
	`CREATE FUNCTION consent_decisions_update() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
	BEGIN
		DELETE FROM consent_decisions d USING removed o WHERE d.seq = o.seq;
		` + pgDecisionRows + ` RETURN NULL;
	END $$`,
	`CREATE FUNCTION consent_decisions_delete() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
	BEGIN DELETE FROM consent_decisions d USING removed o WHERE d.seq = o.seq; RETURN NULL; END $$`,
	`CREATE TRIGGER consent_decisions_insert AFTER INSERT ON consent_records
		REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION consent_decisions_insert()`,
	`CREATE TRIGGER consent_decisions_update AFTER UPDATE ON consent_records
		REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION consent_decisions_update()`,
	`CREATE TRIGGER consent_decisions_delete AFTER DELETE ON consent_records
		REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION consent_decisions_delete()`,
}

// backfillChunk is how many records backfillDecisions reads at a time.
const backfillChunk = 1000

// backfillDecisions writes the consent_decisions rows of the records a
// version 1 database holds, in chunks, so that a large log migrates in
// bounded memory. A record whose decisions are not in the spelling the
// log writes gets no rows: it was altered, and Verify will say so.
func backfillDecisions(ctx context.Context, tx engine.Tx) error {
	var after int64
	var buf []byte
	type stored struct {
		seq       int64
		decisions string
	}
	chunk := make([]stored, 0, backfillChunk)
	for {
		chunk = chunk[:0]
		rs, err := tx.Query(ctx, `SELECT seq, decisions FROM consent_records WHERE seq > ? ORDER BY seq LIMIT ?`,
			after, int64(backfillChunk))
		if err != nil {
			return fmt.Errorf("read decisions: %w", err)
		}
		for rs.Next() {
			var r stored
			if err := rs.Scan(&r.seq, &r.decisions); err != nil {
				rs.Close()
				return fmt.Errorf("read decisions: %w", err)
			}
			chunk = append(chunk, r)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return fmt.Errorf("read decisions: %w", err)
		}
		if len(chunk) == 0 {
			return nil
		}
		after = chunk[len(chunk)-1].seq
		var args []any
		for _, r := range chunk {
			var ds []consent.CategoryDecision
			var ok bool
			if ds, ok, buf = decodeDecisions(r.decisions, buf); !ok {
				continue
			}
			for i, d := range ds {
				args = append(args, r.seq, int64(i), d.Category, boolInt(d.Granted))
			}
		}
		for len(args) > 0 {
			n := min(len(args)/4, maxInsertRows)
			if _, err := tx.Exec(ctx, `INSERT INTO consent_decisions (seq, idx, category, granted) VALUES `+
				placeholders(n, 4), args[:4*n]...); err != nil {
				return fmt.Errorf("write decisions: %w", err)
			}
			args = args[4*n:]
		}
	}
}
