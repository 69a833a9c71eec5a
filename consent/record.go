package consent

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentkit/consentkit/internal/banner"
)

// Method says how a consent state came to be.
type Method string

// The ways a state is decided.
const (
	// MethodNone is the method of an undecided state.
	MethodNone Method = ""
	// MethodBanner is a choice the visitor made in the banner with
	// JavaScript: JSON the banner's loader posted, marked
	// {"js": true}.
	MethodBanner Method = "banner"
	// MethodForm is a choice the visitor made through the banner's plain HTML
	// form, without JavaScript.
	MethodForm Method = "form"
	// MethodAPI is a choice posted as JSON by the site's own code: JSON
	// without the loader's "js" mark.
	MethodAPI Method = "api"
	// MethodGPC marks a state whose sale-or-sharing categories were denied
	// because the browser sent Sec-GPC: 1. It is never consent.
	MethodGPC Method = "gpc"
)

// Outcome summarises a decision for auditors and statistics.
type Outcome string

// The outcomes of a decision.
const (
	// OutcomeAcceptAll grants every category.
	OutcomeAcceptAll Outcome = "accept_all"
	// OutcomeRejectAll grants only the necessary category.
	OutcomeRejectAll Outcome = "reject_all"
	// OutcomeCustom grants some optional categories and not others.
	OutcomeCustom Outcome = "custom"
)

// CategoryDecision is one category's state in a Record.
type CategoryDecision struct {
	// Category is the category ID, such as "analytics".
	Category string `json:"category"`
	// Granted reports whether the visitor agreed to the category.
	Granted bool `json:"granted"`
}

// Record is what the consent log keeps of one decision: enough for a site to
// demonstrate, under GDPR Art. 7(1), who agreed to what, when, and under which
// policy and banner text. A Record never holds a full IP address.
type Record struct {
	// ConsentID is the visitor's consent ID: 32 lower-case hex digits, the
	// same value the consent cookie carries. A visitor keeps the ID across
	// decisions, so the log holds the history of one browser under one ID.
	ConsentID string `json:"consent_id"`
	// Time is when the decision was made, in UTC.
	Time time.Time `json:"time"`
	// Revision identifies the categories and policy version the decision was
	// made under (see Config.PolicyVersion).
	Revision string `json:"revision"`
	// PolicyVersion is the developer's policy version string.
	PolicyVersion string `json:"policy_version"`
	// PolicyURL is the privacy policy the banner linked to.
	PolicyURL string `json:"policy_url"`
	// Decisions holds every configured category in configuration order,
	// necessary included.
	Decisions []CategoryDecision `json:"decisions"`
	// Withdrawn lists the categories the visitor had granted before this
	// decision and no longer grants: a withdrawal of consent.
	Withdrawn []string `json:"withdrawn,omitempty"`
	// Outcome summarises the decision.
	Outcome Outcome `json:"outcome"`
	// Method says how the decision was made.
	Method Method `json:"method"`
	// GPC reports whether the request carried Sec-GPC: 1.
	GPC bool `json:"gpc"`
	// Language is the BCP 47 tag of the banner the visitor saw.
	Language string `json:"language"`
	// BannerVersion identifies the banner's templates and catalogs.
	BannerVersion string `json:"banner_version"`
	// TextHash is the hex SHA-256 of the exact banner text shown in
	// Language, so the text can be proven later (see BannerText).
	TextHash string `json:"text_hash"`
	// BannerText is the exact text the banner showed in Language: title,
	// explanation and every category's title and description, one per line.
	BannerText string `json:"banner_text,omitempty"`
	// PageURL is the path and query of the page the decision was made on.
	PageURL string `json:"page_url"`
	// IPPrefix is the visitor's address truncated to its /24 (IPv4) or /48
	// (IPv6) network, for example "203.0.113.0/24".
	IPPrefix string `json:"ip_prefix"`
	// UserAgent is the browser's User-Agent header, cut to 512 bytes.
	UserAgent string `json:"user_agent"`
	// Region is where the visitor was located, "US-CA" or "DE"; "" when
	// unknown or without Config.Regions.
	Region string `json:"region,omitempty"`
	// Model is the privacy model in force for the visitor (see Regions);
	// "" without Config.Regions, which is ModelOptIn.
	Model Model `json:"model,omitempty"`
	// ShownHash is the Hash of what the visitor was shown (see Shown):
	// the banner's layers as served in Language and the third parties of
	// each category. A consent log keeps each Shown once, under this hash.
	ShownHash string `json:"shown_hash,omitempty"`
	// Shown is the snapshot ShownHash names, on the records made before a
	// Store accepted it in this process; nil on the others, whose Store
	// has it already. A Store that keeps snapshots stores it with the
	// record when it does not hold it yet; others ignore it. It is shared
	// between records: a Store must not modify it.
	Shown *Shown `json:"-"`
}

// Granted returns the IDs of the categories the record grants.
func (rec *Record) Granted() []string {
	var out []string
	for _, d := range rec.Decisions {
		if d.Granted {
			out = append(out, d.Category)
		}
	}
	return out
}

// Store keeps the consent log.
//
// Record must return only once rec is durably stored: the decision endpoint
// sets the visitor's cookie only after Record returns nil, and answers 503
// without a cookie when it returns an error, so that nothing is acknowledged
// that is not logged. Record is called concurrently from many requests; it
// must honour ctx's cancellation and must not keep rec's slices after it
// returns. A Store must not modify rec.
type Store interface {
	Record(ctx context.Context, rec Record) error
}

// StoreFunc adapts a function to the Store interface.
type StoreFunc func(ctx context.Context, rec Record) error

// Record calls f(ctx, rec).
func (f StoreFunc) Record(ctx context.Context, rec Record) error { return f(ctx, rec) }

// logStore is the Store used when none is configured: each record goes to the
// logger, which is better than nothing but not a durable consent log.
type logStore struct{ log *slog.Logger }

func (s logStore) Record(ctx context.Context, rec Record) error {
	s.log.LogAttrs(ctx, slog.LevelInfo, "consent decision",
		slog.String("consent_id", rec.ConsentID),
		slog.Time("time", rec.Time),
		slog.String("revision", rec.Revision),
		slog.Any("granted", rec.Granted()),
		slog.Any("withdrawn", rec.Withdrawn),
		slog.String("outcome", string(rec.Outcome)),
		slog.String("method", string(rec.Method)),
		slog.Bool("gpc", rec.GPC),
		slog.String("language", rec.Language),
		slog.String("page_url", rec.PageURL),
		slog.String("ip_prefix", rec.IPPrefix),
		slog.String("user_agent", rec.UserAgent),
		slog.String("region", rec.Region),
		slog.String("model", string(rec.Model)),
	)
	return nil
}

// describeBanner fills the record's language and the exact banner text the
// visitor was shown (with the GPC notice when the request carried the
// signal), with its hash.
func (m *Manager) describeBanner(r *http.Request, rec *Record, lang string) {
	loc := m.localeFor(r, lang)
	lt := m.l10n.locale(loc)
	p := lt.proof[0]
	if rec.GPC {
		p = lt.proof[1]
	}
	rec.Language = lt.tag
	rec.BannerVersion = banner.Version()
	rec.BannerText, rec.TextHash = p.text, p.hash
	m.describeShown(r, rec, loc)
}
