package auditlog

import (
	"context"
	"fmt"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// MaxDiscoveries is how many discovered names and hosts the log keeps:
// after each flush, only the ones seen most often stay, so the table stays
// small however many distinct names traffic brings.
const MaxDiscoveries = 1000

// discoveriesTable creates discoveries, what consent.Discovery found (see
// Log.AddDiscoveries). It is not part of the chain: it holds counts from
// traffic, not consent records.
func discoveriesTable(integer string) string {
	return `CREATE TABLE IF NOT EXISTS discoveries (
		kind TEXT NOT NULL,
		name TEXT NOT NULL,
		category TEXT NOT NULL,
		n ` + integer + ` NOT NULL,
		first_seen ` + integer + ` NOT NULL,
		last_seen ` + integer + ` NOT NULL,
		PRIMARY KEY (kind, name)
	)`
}

var _ consent.DiscoveryStore = (*Log)(nil)

// AddDiscoveries adds the counts of ds to the discoveries the log keeps
// (see consent.DiscoveryStore), in one transaction, then keeps only the
// MaxDiscoveries seen most often.
func (l *Log) AddDiscoveries(ctx context.Context, ds []consent.Discovered) error {
	if len(ds) == 0 {
		return nil
	}
	err := l.eng.Write(ctx, func(tx engine.Tx) error {
		for len(ds) > 0 {
			n := min(len(ds), 100)
			args := make([]any, 0, 6*n)
			for _, d := range ds[:n] {
				args = append(args, string(d.Kind), clean(d.Name), clean(d.Category), d.Count,
					d.FirstSeen.UnixMicro(), d.LastSeen.UnixMicro())
			}
			if _, err := tx.Exec(ctx, `INSERT INTO discoveries (kind, name, category, n, first_seen, last_seen) VALUES `+
				placeholders(n, 6)+` ON CONFLICT (kind, name) DO UPDATE SET
				n = discoveries.n + EXCLUDED.n,
				category = CASE WHEN EXCLUDED.category <> '' THEN EXCLUDED.category ELSE discoveries.category END,
				first_seen = CASE WHEN EXCLUDED.first_seen < discoveries.first_seen THEN EXCLUDED.first_seen ELSE discoveries.first_seen END,
				last_seen = CASE WHEN EXCLUDED.last_seen > discoveries.last_seen THEN EXCLUDED.last_seen ELSE discoveries.last_seen END`,
				args...); err != nil {
				return err
			}
			ds = ds[n:]
		}
		var count int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM discoveries`).Scan(&count); err != nil {
			return err
		}
		if count <= MaxDiscoveries {
			return nil
		}
		_, err := tx.Exec(ctx, `DELETE FROM discoveries WHERE (kind, name) NOT IN
			(SELECT kind, name FROM discoveries ORDER BY n DESC, last_seen DESC LIMIT ?)`, int64(MaxDiscoveries))
		return err
	})
	if err != nil {
		return fmt.Errorf("auditlog: add discoveries: %w", err)
	}
	return nil
}

// Discoveries returns the discoveries the log keeps, most often seen first.
func (l *Log) Discoveries(ctx context.Context) ([]consent.Discovered, error) {
	var out []consent.Discovered
	err := scanRows(ctx, l.eng.Reader(), `SELECT kind, name, category, n, first_seen, last_seen FROM discoveries
		ORDER BY n DESC, kind, name`, nil, func(rs engine.Rows) error {
		var d consent.Discovered
		var kind string
		var first, last int64
		if err := rs.Scan(&kind, &d.Name, &d.Category, &d.Count, &first, &last); err != nil {
			return err
		}
		d.Kind = consent.DiscoveryKind(kind)
		d.FirstSeen, d.LastSeen = time.UnixMicro(first).UTC(), time.UnixMicro(last).UTC()
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("auditlog: discoveries: %w", err)
	}
	return out, nil
}
