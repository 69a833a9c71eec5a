package rewrite

// Reason says why the rewriter neutralised something, so that a developer
// can tell a deliberate block (data-consent) from a guess (a snippet's
// shape) and fix the page rather than the library.
type Reason uint8

// The reasons of an Event.
const (
	// ReasonAttribute: the element's data-consent names a category the
	// visitor has not granted.
	ReasonAttribute Reason = iota + 1
	// ReasonHost: a URL the element loads (src, href, srcset, srcdoc, a
	// data: document, or a relative URL under <base href>) is on a tracker
	// host.
	ReasonHost
	// ReasonInlineHost: an inline script without data-consent names a
	// tracker host in its text.
	ReasonInlineHost
	// ReasonInlineSnippet: an inline script without data-consent has the
	// shape of a tracker's loader snippet (gtag(…), fbq(…), _paq.push(…)).
	ReasonInlineSnippet
	// ReasonStyle: CSS, in a style attribute or a style element, loads from
	// a tracker host.
	ReasonStyle
)

var reasonNames = [...]string{
	ReasonAttribute:     "data-consent attribute",
	ReasonHost:          "tracker host",
	ReasonInlineHost:    "inline script naming a tracker host",
	ReasonInlineSnippet: "inline tracker snippet",
	ReasonStyle:         "CSS URL on a tracker host",
}

// String returns the reason in words, as the diagnosis page shows it.
func (r Reason) String() string {
	if int(r) < len(reasonNames) && reasonNames[r] != "" {
		return reasonNames[r]
	}
	return "unknown"
}

// Event is one thing the rewriter neutralised.
type Event struct {
	// Element is the lower-case tag name, or "" for an element the rewriter
	// does not name (one judged only by its style attribute).
	Element string
	// Category is the category that blocks it; for ReasonStyle a
	// space-separated list when CSS names trackers of several.
	Category string
	Reason   Reason
	// Match is what matched: the tracker host or URL (ReasonHost,
	// ReasonInlineHost, ReasonStyle) or the vendor global of a snippet
	// (ReasonInlineSnippet, such as "gtag"); nil for ReasonAttribute. It
	// points into the rewriter's buffers: valid only during the call, and
	// it may hold a whole URL, query string included, so copy only what
	// you need.
	Match []byte
}

// Reporter hears what a Rewriter neutralised in one document, as it
// happens, for the middleware's warnings and its development diagnosis. It
// is called on the goroutine that writes the document and must not keep
// Event.Match. A nil Reporter costs one comparison per neutralised element.
type Reporter interface {
	Neutralised(Event)
}

// hit remembers why the element being judged is blocked, for report. It is
// called only when a tracker matched, and stores nothing without a
// Reporter.
func (r *Rewriter) hit(why Reason, match []byte) {
	if r.cfg.Report != nil {
		r.why, r.match = why, match
	}
}

// report tells the Reporter that an element of kind e was neutralised for
// cat, for the reason hit recorded last.
func (r *Rewriter) report(e elem, cat string) {
	if r.cfg.Report == nil {
		return
	}
	r.cfg.Report.Neutralised(Event{Element: elemNames[e], Category: cat, Reason: r.why, Match: r.match})
	r.why, r.match = 0, nil
}
