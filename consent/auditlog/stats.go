package auditlog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// consent_stats is a rollup of the records: one row per UTC day, banner
// version, language, outcome and withdrawal (1 when the record withdrew a
// category), with how many records fall in it. Triggers keep it in step
// with consent_records, as they keep consent_decisions, so the append path
// stays one INSERT a record and a purge needs nothing of its own. The
// statistics read it instead of the records: on a log of 1,000,000 records
// a month of statistics reads a few thousand rows instead of every record
// (BenchmarkDecisionStats measures both ways).
//
// The region is the visitor's (consent.Region, "" where the site
// configures no regions or the visitor could not be located).
const statsKey = `day, banner_version, language, region, outcome, withdrawal`

// statsTable creates consent_stats; suffix is " WITHOUT ROWID" on SQLite,
// where the rows are then stored in the key's order, in half the pages of
// a table beside its key's index.
func statsTable(integer, suffix string) string {
	return `CREATE TABLE IF NOT EXISTS consent_stats (
		day ` + integer + ` NOT NULL,
		banner_version TEXT NOT NULL,
		language TEXT NOT NULL,
		region TEXT NOT NULL,
		outcome TEXT NOT NULL,
		withdrawal ` + integer + ` NOT NULL,
		n ` + integer + ` NOT NULL,
		PRIMARY KEY (` + statsKey + `)
	)` + suffix
}

// statsValues is the rollup key of record alias r.
func statsValues(r string) string {
	return fmt.Sprintf(`%[1]s.ts / %[2]d, %[1]s.banner_version, %[1]s.language, %[1]s.region, %[1]s.outcome,
		CASE WHEN %[1]s.withdrawn <> '[]' THEN 1 ELSE 0 END`, r, microsPerDay)
}

// statsBackfill rebuilds the rollup from the records the log already
// holds: DELETE first, so that running it twice leaves the same table.
var statsBackfill = []string{
	`DELETE FROM consent_stats`,
	`INSERT INTO consent_stats (` + statsKey + `, n) SELECT ` + statsValues("r") + `, COUNT(*)
		FROM consent_records r GROUP BY 1, 2, 3, 4, 5, 6`,
}

// sqliteStatsAdd and sqliteStatsSub count record NEW in, or OLD out.
var (
	sqliteStatsAdd = `INSERT INTO consent_stats (` + statsKey + `, n) VALUES (` + statsValues("NEW") + `, 1)
		ON CONFLICT (` + statsKey + `) DO UPDATE SET n = n + 1;`
	sqliteStatsSub = `UPDATE consent_stats SET n = n - 1 WHERE (` + statsKey + `) = (` + statsValues("OLD") + `);`
)

// schemaV3SQLite adds consent_stats with its triggers, and discoveries.
// It runs after schemaRegions, whose region column the rollup groups by.
var schemaV3SQLite = append([]string{
	statsTable("INTEGER", " WITHOUT ROWID"),
	`CREATE TRIGGER IF NOT EXISTS consent_stats_insert AFTER INSERT ON consent_records BEGIN ` + sqliteStatsAdd + ` END`,
	`CREATE TRIGGER IF NOT EXISTS consent_stats_update AFTER UPDATE ON consent_records BEGIN ` +
		sqliteStatsSub + sqliteStatsAdd + ` END`,
	`CREATE TRIGGER IF NOT EXISTS consent_stats_delete AFTER DELETE ON consent_records BEGIN ` + sqliteStatsSub + ` END`,
	discoveriesTable("INTEGER"),
}, statsBackfill...)

// pgStatsAdd and pgStatsSub count the records of transition table added
// in, or of removed out, one statement for a whole batch.
var (
	pgStatsAdd = `INSERT INTO consent_stats (` + statsKey + `, n) SELECT ` + statsValues("a") + `, COUNT(*)
		FROM added a GROUP BY 1, 2, 3, 4, 5, 6
		ON CONFLICT (` + statsKey + `) DO UPDATE SET n = consent_stats.n + EXCLUDED.n;`
	pgStatsSub = `UPDATE consent_stats s SET n = s.n - o.n FROM (SELECT ` + statsValues("r") + `, COUNT(*)
		FROM removed r GROUP BY 1, 2, 3, 4, 5, 6) AS o (` + statsKey + `, n)
		WHERE (s.day, s.banner_version, s.language, s.region, s.outcome, s.withdrawal) =
			(o.day, o.banner_version, o.language, o.region, o.outcome, o.withdrawal);`
)

// schemaV3Postgres is schemaV3SQLite for PostgreSQL, whose triggers run
// once a statement (see schemaV2Postgres).
var schemaV3Postgres = append([]string{
	statsTable("BIGINT", ""),
	`CREATE OR REPLACE FUNCTION consent_stats_insert() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
	BEGIN ` + pgStatsAdd + ` RETURN NULL; END $$`,
	`CREATE OR REPLACE FUNCTION consent_stats_update() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
	BEGIN ` + pgStatsSub + pgStatsAdd + ` RETURN NULL; END $$`,
	`CREATE OR REPLACE FUNCTION consent_stats_delete() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
	BEGIN ` + pgStatsSub + ` RETURN NULL; END $$`,
	`DROP TRIGGER IF EXISTS consent_stats_insert ON consent_records`,
	`CREATE TRIGGER consent_stats_insert AFTER INSERT ON consent_records
		REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION consent_stats_insert()`,
	`DROP TRIGGER IF EXISTS consent_stats_update ON consent_records`,
	`CREATE TRIGGER consent_stats_update AFTER UPDATE ON consent_records
		REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION consent_stats_update()`,
	`DROP TRIGGER IF EXISTS consent_stats_delete ON consent_records`,
	`CREATE TRIGGER consent_stats_delete AFTER DELETE ON consent_records
		REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION consent_stats_delete()`,
	discoveriesTable("BIGINT"),
}, statsBackfill...)

// StatCounts counts decisions. Withdrawals count the records that withdrew
// a category (see consent.Record.Withdrawn), whatever their outcome, so
// they overlap the three outcomes.
type StatCounts struct {
	Decisions   int64 `json:"decisions"`
	AcceptAll   int64 `json:"accept_all"`
	RejectAll   int64 `json:"reject_all"`
	Custom      int64 `json:"custom"`
	Withdrawals int64 `json:"withdrawals"`
	// Rates are the counts above as shares of Decisions, from 0 to 1.
	Rates StatRates `json:"rates"`
}

// StatRates are StatCounts as shares of its decisions.
type StatRates struct {
	AcceptAll  float64 `json:"accept_all"`
	RejectAll  float64 `json:"reject_all"`
	Custom     float64 `json:"custom"`
	Withdrawal float64 `json:"withdrawal"`
}

func (c *StatCounts) add(outcome string, withdrawal bool, n int64) {
	c.Decisions += n
	switch consent.Outcome(outcome) {
	case consent.OutcomeAcceptAll:
		c.AcceptAll += n
	case consent.OutcomeRejectAll:
		c.RejectAll += n
	case consent.OutcomeCustom:
		c.Custom += n
	}
	if withdrawal {
		c.Withdrawals += n
	}
}

func (c *StatCounts) rate() {
	if c.Decisions == 0 {
		c.Rates = StatRates{}
		return
	}
	d := float64(c.Decisions)
	c.Rates = StatRates{AcceptAll: float64(c.AcceptAll) / d, RejectAll: float64(c.RejectAll) / d,
		Custom: float64(c.Custom) / d, Withdrawal: float64(c.Withdrawals) / d}
}

// StatGroup is the counts of one day, banner version, language or region.
type StatGroup struct {
	// Key is the day (YYYY-MM-DD, UTC), the banner version, the language
	// or the region ("" for visitors not located or sites without regions).
	Key string `json:"key"`
	StatCounts
}

// DecisionStats are the consent statistics of a time range: the totals,
// and the same counts by UTC day (oldest first), by banner version, by
// language and by region (by key).
type DecisionStats struct {
	From           time.Time   `json:"from,omitzero"`
	To             time.Time   `json:"to,omitzero"`
	Total          StatCounts  `json:"total"`
	Days           []StatGroup `json:"days"`
	BannerVersions []StatGroup `json:"banner_versions"`
	Languages      []StatGroup `json:"languages"`
	Regions        []StatGroup `json:"regions"`
}

// statDimensions are the groupings of DecisionStats, each a column of
// consent_stats and where its groups go.
var statDimensions = []struct {
	column string
	groups func(*DecisionStats) *[]StatGroup
}{
	{"day", func(s *DecisionStats) *[]StatGroup { return &s.Days }},
	{"banner_version", func(s *DecisionStats) *[]StatGroup { return &s.BannerVersions }},
	{"language", func(s *DecisionStats) *[]StatGroup { return &s.Languages }},
	{"region", func(s *DecisionStats) *[]StatGroup { return &s.Regions }},
}

// DecisionStats counts the decisions of f's time range: f.From rounded
// down and f.To rounded up to whole UTC days, every record when both are
// zero. The other fields of f are ignored: the statistics are grouped by
// day, banner version, language and region instead. The counts come from the
// consent_stats rollup, grouped by the database in one query, so the
// answer costs the same whatever the number of records.
func (l *Log) DecisionStats(ctx context.Context, f Filter) (DecisionStats, error) {
	var s DecisionStats
	var conds []string
	var args []any
	if !f.From.IsZero() {
		conds = append(conds, "day >= ?")
		args = append(args, floorDiv(f.From.UnixMicro(), microsPerDay))
		s.From = time.UnixMicro(floorDiv(f.From.UnixMicro(), microsPerDay) * microsPerDay).UTC()
	}
	if !f.To.IsZero() {
		conds = append(conds, "day < ?")
		end := -floorDiv(-f.To.UnixMicro(), microsPerDay) // ceiling
		args = append(args, end)
		s.To = time.UnixMicro(end * microsPerDay).UTC()
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var q strings.Builder
	var all []any
	for i, d := range statDimensions {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&q, `SELECT %d, CAST(%s AS TEXT), outcome, withdrawal, CAST(SUM(n) AS BIGINT) FROM consent_stats%s
			GROUP BY %[2]s, outcome, withdrawal HAVING SUM(n) > 0`, i, d.column, where)
		all = append(all, args...)
	}
	index := make([]map[string]int, len(statDimensions))
	for i := range index {
		index[i] = map[string]int{}
	}
	err := scanRows(ctx, l.eng.Reader(), q.String(), all, func(rs engine.Rows) error {
		var dim, withdrawal, n int64
		var key, outcome string
		if err := rs.Scan(&dim, &key, &outcome, &withdrawal, &n); err != nil {
			return err
		}
		if dim < 0 || dim >= int64(len(statDimensions)) {
			return fmt.Errorf("unexpected dimension %d", dim)
		}
		if dim == 0 {
			day, err := strconv.ParseInt(key, 10, 64)
			if err != nil {
				return fmt.Errorf("day %q: %w", key, err)
			}
			key = time.UnixMicro(day * microsPerDay).UTC().Format(dateLayout)
			s.Total.add(outcome, withdrawal != 0, n)
		}
		groups := statDimensions[dim].groups(&s)
		i, ok := index[dim][key]
		if !ok {
			i = len(*groups)
			index[dim][key] = i
			*groups = append(*groups, StatGroup{Key: key})
		}
		(*groups)[i].add(outcome, withdrawal != 0, n)
		return nil
	})
	if err != nil {
		return DecisionStats{}, fmt.Errorf("auditlog: decision statistics: %w", err)
	}
	s.Total.rate()
	for _, d := range statDimensions {
		groups := *d.groups(&s)
		// Days are YYYY-MM-DD, so their order as strings is their order
		// in time; the database's collation is not used.
		slices.SortFunc(groups, func(a, b StatGroup) int { return strings.Compare(a.Key, b.Key) })
		for i := range groups {
			groups[i].rate()
		}
	}
	return s, nil
}

// floorDiv is a / b rounded towards negative infinity, for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
