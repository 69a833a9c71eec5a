package consent

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// Two markup mistakes make the middleware block something for good or by a
// guess, silently: a data-consent category no Config.Categories declares,
// and a tracker's inline snippet without data-consent. The rewriter reports
// every element it neutralises; these functions turn the mistakes among
// them into one warning each, diagnostics on or off.

// onceNames remembers up to maxUnknownWarned names, so that a warning about
// each is logged once however many responses repeat it, and so that a page
// inventing names cannot grow memory without bound. Reads take no lock and
// allocate nothing, since they happen on ordinary responses; the rare first
// sighting copies the small map.
type onceNames struct {
	mu    sync.Mutex
	names atomic.Pointer[map[string]struct{}]
	full  atomic.Bool
}

// has reports whether name was remembered.
func (o *onceNames) has(name string) bool {
	p := o.names.Load()
	if p == nil {
		return false
	}
	_, ok := (*p)[name]
	return ok
}

// seen is has for a name in bytes, without converting them.
func (o *onceNames) seen(name []byte) bool {
	p := o.names.Load()
	if p == nil {
		return false
	}
	_, ok := (*p)[string(name)]
	return ok
}

// first reports whether name is new, remembering it. Past the bound nothing
// is new and full is true.
func (o *onceNames) first(name string) (first, full bool) {
	if o.has(name) {
		return false, false
	}
	if o.full.Load() {
		return false, true
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var old map[string]struct{}
	if p := o.names.Load(); p != nil {
		old = *p
	}
	if _, ok := old[name]; ok {
		return false, false
	}
	if len(old) >= maxUnknownWarned {
		o.full.Store(true)
		return false, true
	}
	names := make(map[string]struct{}, len(old)+1)
	for k := range old {
		names[k] = struct{}{}
	}
	names[strings.Clone(name)] = struct{}{}
	o.names.Store(&names)
	return true, false
}

// neutralised hears the rewriter on every HTML response, diagnosed or not:
// the warnings about unknown categories and uncategorised inline snippets
// are not a development option. rec is nil unless Diagnostics is on.
func (m *Manager) neutralised(rec *diagRecord, path string, e rewrite.Event) {
	for rest := e.Category; rest != ""; {
		cat, after, _ := strings.Cut(rest, " ")
		rest = after
		if m.set.index(cat) < 0 {
			m.warnUnknownCategory(rec, path, cat, e.Reason)
		}
	}
	if e.Reason == rewrite.ReasonInlineHost || e.Reason == rewrite.ReasonInlineSnippet {
		m.warnInlineSnippet(rec, path, e)
	}
	if rec != nil {
		rec.addElement(e)
	}
}

// warnUnknownCategory says, once per name, that elements are blocked for a
// category no visitor can grant: a typo such as data-consent="analitics",
// or a tracker table category the site does not declare.
func (m *Manager) warnUnknownCategory(rec *diagRecord, path, cat string, why rewrite.Reason) {
	cat = truncate(cat, maxDiagNameLen)
	if rec != nil {
		rec.warn("category %q is not in Config.Categories (%s): these elements stay blocked for every visitor, "+
			"even after \"Accept all\"; fix the name or declare the category", cat, why)
	}
	first, full := m.diag.unknown.first(cat)
	switch {
	case first:
		m.log.Warn("consent: elements are blocked for a category Config.Categories does not declare, so no visitor can "+
			"ever allow them; fix the data-consent value or declare the category (a tracker host's category can be "+
			"changed with Config.Trackers)", "category", cat, "reason", why.String(), "path", path)
	case full:
		m.warnOncef("unknown-category-overflow", "consent: many unknown categories seen; further ones are not logged",
			"limit", maxUnknownWarned)
	}
}

// warnInlineSnippet says, once per tracker host or snippet, that an inline
// script was blocked by a guess from its text: a data-consent attribute
// makes the category the developer's decision, and re-activation exact.
func (m *Manager) warnInlineSnippet(rec *diagRecord, path string, e rewrite.Event) {
	what := e.Match
	if e.Reason == rewrite.ReasonInlineHost {
		what = matchHost(what)
	}
	if len(what) > maxDiagNameLen {
		what = what[:maxDiagNameLen]
	}
	if rec != nil {
		how := "by the tracker host it names: %s"
		if e.Reason == rewrite.ReasonInlineSnippet {
			how = "by its shape: %s(…)"
		}
		rec.warn("inline tracker snippet without a category, blocked by a guess "+how+"; add data-consent=%q to its script",
			what, e.Category)
	}
	if m.diag.inline.seen(what) {
		return
	}
	first, full := m.diag.inline.first(string(what))
	switch {
	case first:
		m.log.Warn(fmt.Sprintf("consent: inline tracker snippet without a category; add data-consent=%q to its script "+
			"so that it is blocked and re-activated by your choice rather than by a guess from its text", e.Category),
			"category", e.Category, "match", string(what), "reason", e.Reason.String(), "path", path)
	case full:
		m.warnOncef("inline-snippet-overflow", "consent: many uncategorised inline snippets seen; further ones are not logged",
			"limit", maxUnknownWarned)
	}
}
