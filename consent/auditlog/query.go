package auditlog

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog/internal/engine"
)

// Filter selects records. Zero fields select everything.
type Filter struct {
	// From and To bound the decision time: From <= Time < To.
	From, To time.Time
	// ConsentID selects one visitor's records.
	ConsentID string
	// Granted selects records that grant this category; Denied records
	// that deny it.
	Granted, Denied string
	// Outcome, Language and Method select records with exactly this value.
	Outcome  consent.Outcome
	Language string
	Method   consent.Method
	// Region selects records of a region: a country ("US") selects its
	// subdivisions too. Model selects records made under a privacy model;
	// consent.ModelOptIn includes the records made without regions.
	Region string
	Model  consent.Model
	// After and Before are exclusive bounds on Seq: the cursor for paging.
	After, Before int64
	// Desc returns the newest records first.
	Desc bool
	// Limit caps how many records Query yields; 0 means no cap.
	Limit int
}

// where returns the WHERE clause (with a leading " WHERE " when not empty)
// for table alias r, and its arguments.
func (f *Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if !f.From.IsZero() {
		add("r.ts >= ?", f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		add("r.ts < ?", f.To.UnixMicro())
	}
	if f.ConsentID != "" {
		add("r.consent_id = ?", f.ConsentID)
	}
	if f.Granted != "" {
		add(decisionIs+"1)", f.Granted)
	}
	if f.Denied != "" {
		add(decisionIs+"0)", f.Denied)
	}
	if f.Outcome != "" {
		add("r.outcome = ?", string(f.Outcome))
	}
	if f.Region != "" {
		conds = append(conds, "(r.region = ? OR r.region LIKE ?)")
		args = append(args, f.Region, f.Region+"-%")
	}
	switch f.Model {
	case "":
	case consent.ModelOptIn:
		conds = append(conds, "r.model IN (?, '')")
		args = append(args, string(f.Model))
	default:
		add("r.model = ?", string(f.Model))
	}
	if f.Language != "" {
		add("r.language = ?", f.Language)
	}
	if f.Method != "" {
		add("r.method = ?", string(f.Method))
	}
	if f.After > 0 {
		add("r.seq > ?", f.After)
	}
	if f.Before > 0 {
		add("r.seq < ?", f.Before)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// decisionIs, completed with 1) or 0), selects the records that grant (or
// deny) the category of its placeholder: by the consent_decisions rows,
// which every read checks against the hashed decisions (see scanEntry).
const decisionIs = `EXISTS (SELECT 1 FROM consent_decisions d WHERE d.seq = r.seq AND d.category = ? AND d.granted = `

// entrySelect reads every stored field of a record, banner text included,
// in the order scanEntry expects, and the digest of its consent_decisions
// rows, which scanEntry compares with its decisions.
const entrySelect = `SELECT r.seq, r.ts, r.consent_id, r.revision, r.policy_version, r.policy_url,
r.decisions, r.withdrawn, r.outcome, r.method, r.gpc, r.language, r.banner_version, r.text_hash,
COALESCE(b.text, ''), r.page_url, r.ip_prefix, r.user_agent, r.hash_version, r.prev_hash, r.hash, r.shown_hash, ` + decisionRows + `,
r.region, r.model
FROM consent_records r LEFT JOIN banner_texts b ON b.sha = r.banner_sha`

// alteredCategory is the decision scanEntry adds to a record whose stored
// decisions are not in the one spelling the log writes, or disagree with
// its consent_decisions rows. No stored record can hold it (clean replaces
// NUL), so the record no longer matches its hash: Verify reports it as
// modified instead of letting the filters read one thing and the chain
// vouch for another.
const alteredCategory = "\x00altered"

func scanEntry(rs engine.Rows) (Entry, error) {
	var e Entry
	var ts, gpc, version int64
	var decisions, withdrawn, outcome, method, rows, model string
	err := rs.Scan(&e.Seq, &ts, &e.ConsentID, &e.Revision, &e.PolicyVersion, &e.PolicyURL,
		&decisions, &withdrawn, &outcome, &method, &gpc, &e.Language, &e.BannerVersion, &e.TextHash,
		&e.BannerText, &e.PageURL, &e.IPPrefix, &e.UserAgent, &version, &e.PrevHash, &e.Hash, &e.ShownHash, &rows, &e.Region, &model)
	if err != nil {
		return e, err
	}
	e.Time = time.UnixMicro(ts).UTC()
	e.Outcome = consent.Outcome(outcome)
	e.Model = consent.Model(model)
	e.Method = consent.Method(method)
	e.GPC = gpc != 0
	e.HashVersion = int(version)
	// A row whose JSON was tampered with is still returned, so that
	// Verify can report it as modified instead of failing.
	var buf []byte
	var okDecisions, okWithdrawn bool
	e.Decisions, okDecisions, buf = decodeDecisions(decisions, buf)
	e.Withdrawn, okWithdrawn, buf = decodeList(withdrawn, buf)
	if !okDecisions || !okWithdrawn || string(appendDecisionRows(buf[:0], e.Decisions)) != rows {
		e.Decisions = append(e.Decisions, consent.CategoryDecision{Category: alteredCategory})
	}
	if len(e.Decisions) == 0 {
		e.Decisions = nil
	}
	if len(e.Withdrawn) == 0 {
		e.Withdrawn = nil
	}
	return e, nil
}

// Query yields the records f selects, in chain order (newest first with
// f.Desc), streaming them from the database: memory use does not grow with
// the number of records. Stop ranging to stop reading. An error ends the
// sequence as its last pair.
func (l *Log) Query(ctx context.Context, f Filter) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		where, args := f.where()
		q := entrySelect + where + " ORDER BY r.seq"
		if f.Desc {
			q += " DESC"
		}
		if f.Limit > 0 {
			q += " LIMIT ?"
			args = append(args, int64(f.Limit))
		}
		rs, err := l.eng.Reader().Query(ctx, q, args...)
		if err != nil {
			yield(Entry{}, fmt.Errorf("auditlog: query: %w", err))
			return
		}
		defer rs.Close()
		for rs.Next() {
			e, err := scanEntry(rs)
			if err != nil {
				yield(Entry{}, fmt.Errorf("auditlog: query: %w", err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := rs.Err(); err != nil {
			yield(Entry{}, fmt.Errorf("auditlog: query: %w", err))
		}
	}
}

// collect gathers a Query into a slice.
func (l *Log) collect(ctx context.Context, f Filter) ([]Entry, error) {
	var out []Entry
	for e, err := range l.Query(ctx, f) {
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// HistoryPageSize is how many records one page of History holds: more
// than a visitor makes in years of ordinary use, and the bound on what one
// request reads however many records pile up under one consent ID (a
// replayed cookie can write thousands).
const HistoryPageSize = 50

// HistoryPage is one page of one consent ID's records.
type HistoryPage struct {
	// Entries are at most HistoryPageSize records, newest first.
	Entries []Entry
	// Older and Newer are the cursors of the neighbouring pages, 0 when
	// there is none: History(ctx, id, Older, 0) returns the page of older
	// records, History(ctx, id, 0, Newer) the page of newer ones.
	Older, Newer int64
}

// History returns one page of the records of consentID, newest first: the
// newest ones with before and after 0, the newest ones older than position
// before with before set, the oldest ones newer than position after with
// after set (before wins when both are). Keyset paging on the
// (consent_id, seq) index reads at most HistoryPageSize+2 rows, so a page
// costs the same however many records the ID holds.
func (l *Log) History(ctx context.Context, consentID string, before, after int64) (HistoryPage, error) {
	var p HistoryPage
	if consentID == "" {
		return p, nil
	}
	f := Filter{ConsentID: consentID, Limit: HistoryPageSize + 1, Desc: true, Before: max(before, 0)}
	if before <= 0 && after > 0 {
		f.Desc, f.Before, f.After = false, 0, after
	}
	es, err := l.collect(ctx, f)
	if err != nil {
		return p, err
	}
	more := len(es) > HistoryPageSize
	es = es[:min(len(es), HistoryPageSize)]
	if !f.Desc {
		slices.Reverse(es)
	}
	p.Entries = es
	// The page in the reading direction is known from the extra row;
	// the other side needs one index probe, since a cursor may come from
	// anywhere (an old link, an edited URL).
	switch {
	case f.Desc && f.Before == 0:
		if more {
			p.Older = es[len(es)-1].Seq
		}
	case f.Desc:
		if more {
			p.Older = es[len(es)-1].Seq
		}
		p.Newer, err = l.historyNeighbour(ctx, consentID, f.Before-1, true)
		if err == nil && p.Newer > 0 && len(es) > 0 {
			p.Newer = es[0].Seq
		}
	default:
		if more {
			p.Newer = es[0].Seq
		}
		p.Older, err = l.historyNeighbour(ctx, consentID, f.After+1, false)
		if err == nil && p.Older > 0 && len(es) > 0 {
			p.Older = es[len(es)-1].Seq
		}
	}
	return p, err
}

// historyNeighbour returns the cursor for the records of consentID newer
// than position from (older than it when newer is false): from itself
// when there are any, else 0.
func (l *Log) historyNeighbour(ctx context.Context, consentID string, from int64, newer bool) (int64, error) {
	q := `SELECT r.seq FROM consent_records r WHERE r.consent_id = ? AND r.seq < ? ORDER BY r.seq DESC LIMIT 1`
	if newer {
		q = `SELECT r.seq FROM consent_records r WHERE r.consent_id = ? AND r.seq > ? ORDER BY r.seq LIMIT 1`
	}
	rs, err := l.eng.Reader().Query(ctx, q, consentID, from)
	if err != nil {
		return 0, fmt.Errorf("auditlog: history: %w", err)
	}
	defer rs.Close()
	found := rs.Next()
	if err := rs.Err(); err != nil {
		return 0, fmt.Errorf("auditlog: history: %w", err)
	}
	if !found {
		return 0, nil
	}
	return from, nil
}

// Get returns the record at position seq, or ErrNotFound.
func (l *Log) Get(ctx context.Context, seq int64) (Entry, error) {
	es, err := l.collect(ctx, Filter{After: seq - 1, Before: seq + 1})
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 || seq <= 0 {
		return Entry{}, fmt.Errorf("%w at position %d", ErrNotFound, seq)
	}
	return es[0], nil
}

// DayCount is one UTC day of decisions.
type DayCount struct {
	// Day is midnight UTC.
	Day time.Time `json:"day"`
	// Total counts every decision of the day; AcceptAll, RejectAll and
	// Custom count them by outcome (other outcomes count only in Total).
	Total     int64 `json:"total"`
	AcceptAll int64 `json:"accept_all"`
	RejectAll int64 `json:"reject_all"`
	Custom    int64 `json:"custom"`
	// Categories counts, per category, the decisions that granted and
	// denied it, sorted by category ID.
	Categories []CategoryCount `json:"categories"`
}

// CategoryCount counts one category's decisions.
type CategoryCount struct {
	Category string `json:"category"`
	Granted  int64  `json:"granted"`
	Denied   int64  `json:"denied"`
}

const microsPerDay int64 = 24 * 60 * 60 * 1_000_000

// DailyCounts returns the decisions f selects counted per UTC day, oldest
// day first. f's cursor, order and limit are ignored. The database groups
// the records, by outcome and by category decision, in one snapshot: only
// one row per day and outcome or category decision reaches Go.
func (l *Log) DailyCounts(ctx context.Context, f Filter) ([]DayCount, error) {
	f.After, f.Before, f.Limit, f.Desc = 0, 0, 0, false
	where, args := f.where()
	var out []DayCount
	days := make(map[int64]int) // index in out
	day := func(d int64) *DayCount {
		i, ok := days[d]
		if !ok {
			i = len(out)
			days[d] = i
			out = append(out, DayCount{Day: time.UnixMicro(d * microsPerDay).UTC()})
		}
		return &out[i]
	}
	byOutcome := fmt.Sprintf(`SELECT r.ts / %d, r.outcome, COUNT(*) FROM consent_records r%s
		GROUP BY r.ts / %d, r.outcome ORDER BY 1`, microsPerDay, where, microsPerDay)
	// Ordered by category so that its granted and denied rows come
	// together; sorted again below, as Go orders strings, whatever the
	// database's collation.
	byCategory := fmt.Sprintf(`SELECT r.ts / %d, c.category, c.granted, COUNT(*)
		FROM consent_records r JOIN consent_decisions c ON c.seq = r.seq%s
		GROUP BY r.ts / %d, c.category, c.granted ORDER BY 1, 2`, microsPerDay, where, microsPerDay)
	err := l.eng.Snapshot(ctx, func(q engine.Querier) error {
		err := scanRows(ctx, q, byOutcome, args, func(rs engine.Rows) error {
			var d, n int64
			var outcome string
			if err := rs.Scan(&d, &outcome, &n); err != nil {
				return err
			}
			dc := day(d)
			dc.Total += n
			switch consent.Outcome(outcome) {
			case consent.OutcomeAcceptAll:
				dc.AcceptAll += n
			case consent.OutcomeRejectAll:
				dc.RejectAll += n
			case consent.OutcomeCustom:
				dc.Custom += n
			}
			return nil
		})
		if err != nil {
			return err
		}
		return scanRows(ctx, q, byCategory, args, func(rs engine.Rows) error {
			var d, granted, n int64
			var category string
			if err := rs.Scan(&d, &category, &granted, &n); err != nil {
				return err
			}
			dc := day(d)
			if len(dc.Categories) == 0 || dc.Categories[len(dc.Categories)-1].Category != category {
				dc.Categories = append(dc.Categories, CategoryCount{Category: category})
			}
			cc := &dc.Categories[len(dc.Categories)-1]
			if granted != 0 {
				cc.Granted += n
			} else {
				cc.Denied += n
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("auditlog: daily counts: %w", err)
	}
	for _, d := range out {
		slices.SortFunc(d.Categories, func(a, b CategoryCount) int { return strings.Compare(a.Category, b.Category) })
	}
	return out, nil
}

// scanRows runs a read query and hands each row to scan.
func scanRows(ctx context.Context, q engine.Querier, sql string, args []any, scan func(engine.Rows) error) error {
	rs, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		if err := scan(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}
