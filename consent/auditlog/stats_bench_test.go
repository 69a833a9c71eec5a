package auditlog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statsBenchRecords is the size of BenchmarkDecisionStats's log.
const statsBenchRecords = 1_000_000

// statsBenchGen is the version of statsBenchRecord.
const statsBenchGen = 2

// statsBenchStart is when the benchmark log's first record was made; the
// records spread over one year from there.
var statsBenchStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// statsBenchRecord is the i-th of n records of a year of traffic: three
// banner versions one after the other, ten languages, 55% accept all, 25%
// reject all, 20% custom, and one record in 33 a withdrawal.
func statsBenchRecord(i, n int) consent.Record {
	rec := testRecord(i)
	rec.Time = statsBenchStart.Add(time.Duration(i) * (365 * 24 * time.Hour / time.Duration(n)))
	rec.ConsentID = fmt.Sprintf("%032x", i+1)
	rec.BannerVersion = []string{"2025-01", "2025-05", "2025-09"}[i*3/n]
	rec.Language = []string{"en", "en", "en", "es", "es", "de", "fr", "it", "pt-BR", "nl", "pl", "sv"}[i%12]
	switch h := (i * 2654435761) % 100; {
	case h < 55:
		rec.Outcome = consent.OutcomeAcceptAll
	case h < 80:
		rec.Outcome = consent.OutcomeRejectAll
	default:
		rec.Outcome = consent.OutcomeCustom
	}
	rec.Decisions = []consent.CategoryDecision{
		{Category: "analytics", Granted: rec.Outcome != consent.OutcomeRejectAll},
		{Category: "marketing", Granted: rec.Outcome == consent.OutcomeAcceptAll},
		{Category: "necessary", Granted: true},
		{Category: "preferences", Granted: rec.Outcome != consent.OutcomeRejectAll},
	}
	rec.Withdrawn = nil
	if i%33 == 32 {
		rec.Withdrawn = []string{"marketing"}
	}
	rec.PageURL = "/news/" + strconv.Itoa(i%5000)
	return normalize(rec, rec.Time)
}

// generate appends records [from, n) to the log at loc through the Log's
// own append path (appendBatch: the rows are the ones Record writes, chain
// and triggers included), maxInsertRows to a transaction, without waiting
// for a writer goroutine per record: a million Record calls take minutes.
func generateStatsLog(tb testing.TB, be backend, loc string, from, n int) {
	ctx := context.Background()
	l, err := be.open(ctx, loc, Options{Key: testKey})
	require.NoError(tb, err)
	defer l.Close()
	batch := make([]*pending, 0, maxInsertRows)
	start := time.Now()
	for i := from; i < n; {
		batch = batch[:0]
		for ; i < n && len(batch) < maxInsertRows; i++ {
			batch = append(batch, &pending{ctx: ctx, rec: statsBenchRecord(i, n)})
		}
		err := l.eng.Write(ctx, func(tx engine.Tx) error {
			texts, _, err := l.appendBatch(ctx, tx, batch, nil)
			for _, t := range texts {
				l.texts[t] = true
			}
			return err
		})
		require.NoError(tb, err)
		if i%100_000 == 0 {
			tb.Logf("%s: %d records in %s", be.name, i, time.Since(start).Round(time.Second))
		}
	}
}

// statsBenchLog returns the location of a log of n benchmark records,
// kept between runs (a file in the temporary directory, a schema on the
// PostgreSQL server), generated on first use.
func statsBenchLog(b *testing.B, be backend, n int) string {
	ctx := context.Background()
	// The name changes with the generator (statsBenchGen), so that a log
	// kept from an older run is not measured by mistake.
	name := fmt.Sprintf("consentkit_bench_stats_v%d_g%d_%d", schemaVersion, statsBenchGen, n)
	var loc string
	switch be.name {
	case sqliteBackend.name:
		dir := filepath.Join(os.TempDir(), "consentkit-bench")
		require.NoError(b, os.MkdirAll(dir, 0o755))
		loc = filepath.Join(dir, name+".db")
	default:
		dsn := pgDSN(b)
		conn, err := pgx.Connect(ctx, dsn)
		require.NoError(b, err)
		_, err = conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+name)
		conn.Close(ctx)
		require.NoError(b, err)
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		loc = dsn + sep + "search_path=" + name
	}
	l, err := be.open(ctx, loc, Options{Key: testKey})
	require.NoError(b, err)
	var have int64
	require.NoError(b, l.eng.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM consent_records`).Scan(&have))
	require.NoError(b, l.Close())
	if have < int64(n) {
		generateStatsLog(b, be, loc, int(have), n)
	}
	return loc
}

// BenchmarkDecisionStats is the statistics page's query on a log of a
// million records over a year (cpu-ms/op: the CPU time of the test
// process, which on SQLite includes the database's): rollup reads consent_stats (what
// DecisionStats does); scan groups the records themselves through a
// covering index on (ts, banner_version, language, outcome, withdrawn), the
// alternative to a rollup. Each reads the whole year and one month.
func BenchmarkDecisionStats(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			loc := statsBenchLog(b, be, statsBenchRecords)
			l := openLog(b, be, loc, Options{})
			year := Filter{}
			month := Filter{From: statsBenchStart.AddDate(0, 6, 0), To: statsBenchStart.AddDate(0, 7, 0)}
			for _, r := range []struct {
				name string
				f    Filter
			}{{"year", year}, {"month", month}} {
				b.Run("rollup/"+r.name, func(b *testing.B) {
					b.ReportAllocs()
					cpu := cpuTime()
					for b.Loop() {
						s, err := l.DecisionStats(ctx, r.f)
						if err != nil || s.Total.Decisions == 0 {
							b.Fatal(err, s.Total)
						}
					}
					reportCPU(b, cpu)
				})
			}
			for _, r := range []struct {
				name string
				f    Filter
			}{{"year", year}, {"month", month}} {
				b.Run("scan/"+r.name, func(b *testing.B) {
					statsScanIndex(b, be, loc)
					b.ReportAllocs()
					cpu := cpuTime()
					for b.Loop() {
						if n := statsByScan(b, l, r.f); n == 0 {
							b.Fatal("no records")
						}
					}
					reportCPU(b, cpu)
				})
			}
		})
	}
}

// reportCPU reports the CPU time this process spent per operation since
// start (user and system, every thread): on a machine shared with other
// work, ns/op counts the time waiting for a core too. On PostgreSQL the
// server's own time is not in it.
func reportCPU(b *testing.B, start time.Duration) {
	if start >= 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

// statsScanIndex creates the covering index the scan alternative needs.
func statsScanIndex(b *testing.B, be backend, loc string) {
	be.raw(b, loc, `CREATE INDEX IF NOT EXISTS bench_stats_scan ON consent_records (ts, banner_version, language, outcome, withdrawn)`)
	if be.name == postgresBackend.name {
		be.raw(b, loc, `VACUUM ANALYZE consent_records`)
	} else {
		be.raw(b, loc, `ANALYZE`)
	}
}

// statsByScan computes what DecisionStats does from the records, and
// returns the number of decisions.
func statsByScan(b *testing.B, l *Log, f Filter) int64 {
	where, args := f.where()
	q := `SELECT ` + statsValues("r") + `, COUNT(*) FROM consent_records r` + where + ` GROUP BY 1, 2, 3, 4, 5`
	var s DecisionStats
	groups := map[string]*StatGroup{}
	err := scanRows(context.Background(), l.eng.Reader(), q, args, func(rs engine.Rows) error {
		var day, withdrawal, n int64
		var version, language, outcome string
		if err := rs.Scan(&day, &version, &language, &outcome, &withdrawal, &n); err != nil {
			return err
		}
		s.Total.add(outcome, withdrawal != 0, n)
		for _, k := range []string{"d" + strconv.FormatInt(day, 10), "v" + version, "l" + language} {
			g := groups[k]
			if g == nil {
				g = &StatGroup{Key: k[1:]}
				groups[k] = g
			}
			g.add(outcome, withdrawal != 0, n)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s.Total.Decisions
}

// TestStatsBenchLogCounts checks the benchmark's generator on a small
// log: the rollup it leaves agrees with a recount, so the benchmark
// measures the right rows.
func TestStatsBenchLogCounts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		generateStatsLog(t, be, loc, 0, 3000)
		l := openLog(t, be, loc, Options{})
		rep, err := l.Verify(context.Background())
		require.NoError(t, err)
		require.True(t, rep.OK, "the generated chain verifies: %+v", rep.Break)
		es, err := l.collect(context.Background(), Filter{})
		require.NoError(t, err)
		require.Len(t, es, 3000)
		got, err := l.DecisionStats(context.Background(), Filter{})
		require.NoError(t, err)
		want := recount(es, time.Time{}, time.Time{})
		require.Equal(t, want.Total, got.Total)
		require.Equal(t, sortedGroups(want.Languages), sortedGroups(got.Languages))
		require.Equal(t, sortedGroups(want.BannerVersions), sortedGroups(got.BannerVersions))
		assert.Equal(t, statsBenchStart.AddDate(1, 0, 0).Add(-24*time.Hour).Format(dateLayout), got.Days[len(got.Days)-1].Key,
			"the records spread over one year")
		month, err := l.DecisionStats(context.Background(), Filter{From: statsBenchStart.AddDate(0, 6, 0), To: statsBenchStart.AddDate(0, 7, 0)})
		require.NoError(t, err)
		assert.InDelta(t, 3000/12, month.Total.Decisions, 30, "a month holds a twelfth")
	})
}
