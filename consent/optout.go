package consent

import (
	"bytes"
	"cmp"
	"context"
	"html/template"
	"net/http"
	"slices"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/consentkit/consentkit/internal/locales"
)

// OutcomeOptOut is the outcome of an opt-out of sale and sharing: the "Do
// Not Sell or Share My Personal Information" control, or a Global Privacy
// Control signal where Regions make it binding. It is a refusal, never a
// consent: an opt-out recorded in an opt-out region leaves a visitor who
// travels to an opt-in region undecided there.
const OutcomeOptOut Outcome = "opt_out"

// actionOptOut is the decision action of the "Do Not Sell or Share" form.
const actionOptOut = "opt_out"

// regionOf locates r and returns its rule; nil without regions.
func (m *Manager) regionOf(r *http.Request) (Region, *regionRule) {
	if m.regions == nil {
		return Region{}, nil
	}
	var reg Region
	if m.regions.locate != nil {
		reg = m.regions.locate(r)
	}
	return reg, m.regions.match(reg)
}

// regionalState is requestState under Regions: the cookie's state (e, of
// value v; nil when none is valid) read under the model of where the
// visitor is. It allocates one State, the copy that carries the region.
//
//   - Opt-in: today's rules; an opt-out cookie is no consent, so the visitor
//     is undecided.
//   - Opt-out and notice: without a decision, every category is granted
//     but, with Sec-GPC: 1, the sale-or-sharing ones; where GPC binds, the
//     signal is recorded once as an opt-out and the status shown.
func (m *Manager) regionalState(w http.ResponseWriter, r *http.Request, gpc bool, e *cached, v string) *State {
	reg, rule := m.regionOf(r)
	g := 0
	if gpc {
		g = 1
	}
	var base *State
	honored := false
	switch {
	case e == nil || e.plain.optOut && rule.model == ModelOptIn:
		base = rule.undecided[g]
		honored = base.honored
		if e == nil && gpc && rule.gpcBinding {
			if st := m.gpcOptOut(w, r); st != nil {
				base = st
			}
		}
	case e.plain.optOut:
		base, honored = e.plain, true
		if gpc {
			base = e.gpc
		}
	default: // a consent, which every model respects
		base = e.plain
		if gpc {
			if e.plain.granted&m.set.saleMask != 0 {
				m.gpcWithdraw(w, r, e.plain, v)
			}
			base, honored = e.gpc, rule.gpcBinding
		}
	}
	if e != nil {
		// Given the cookie and the signal, the state depends only on
		// the region and its rule: a repeat visitor who has not moved
		// gets the State made for their previous request.
		if p := e.regional[g].Load(); p != nil && p.region == reg && p.model == rule.model && p.honored == honored && p.optOut == base.optOut && p.decided == base.decided {
			return p
		}
	}
	c := *base
	c.region, c.model, c.honored = reg, rule.model, honored
	if e != nil {
		e.regional[g].Store(&c)
	}
	return &c
}

// gpcOptOut records the binding GPC signal of a visitor without a cookie as
// an opt-out, and gives them the opt-out's cookie, so that it is recorded
// once: their next requests carry it. It returns nil, and the signal is
// honoured for the request anyway, when the write limit or the log refuses;
// a client that keeps no cookies is held to the write limits.
func (m *Manager) gpcOptOut(w http.ResponseWriter, r *http.Request) *State {
	if wait, ok := m.allowWrite(r, nil); !ok {
		m.log.Debug("consent: a GPC opt-out is over the write limit; honoured now, recorded on a later request", "retry_in", wait)
		return nil
	}
	next := m.decidedNow(true)
	var err error
	if next.id, err = newID(m.cfg.Now()); err != nil {
		return nil
	}
	next.granted, next.method, next.optOut = m.set.allMask&^m.set.saleMask, MethodGPC, true
	rec := m.record(r, next, nil, "")
	ctx, cancel := context.WithTimeout(r.Context(), m.cfg.StoreTimeout)
	defer cancel()
	if err := m.store.Record(ctx, rec); err != nil {
		m.log.Error("consent: could not record a GPC opt-out; will retry on the next request", "err", err)
		return nil
	}
	if err := m.setCookie(w, r, next); err != nil {
		m.log.Error("consent: could not encode the consent cookie", "err", err)
		return nil
	}
	m.afterDecision(w, r, next) // expire the sale-or-sharing cookies
	return next
}

// optOutState is the state the "Do Not Sell or Share" form makes from the
// previous one: a current consent keeps its choices without the
// sale-or-sharing categories; otherwise an opt-out, granting the rest.
func (m *Manager) optOutState(next, prev *State, current bool) {
	next.granted = m.set.allMask
	if prev != nil && current && !prev.optOut {
		next.granted = prev.granted
	} else {
		next.optOut = true
	}
	next.granted &^= m.set.saleMask
}

// serveOptOut is GET {prefix}/optout: the page behind the "Do Not Sell or
// Share My Personal Information" link, with the form that records an
// opt-out without JavaScript.
func (m *Manager) serveOptOut(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "use GET; the form on this page posts the opt-out")
		return
	}
	st := m.requestState(w, r)
	q := r.URL.Query()
	d := dataPool.Get().(*banner.Data)
	defer dataPool.Put(d)
	m.bannerData(d, r, st, m.localeFor(r, q.Get("lang")), m.nonceFor(r, w.Header()))
	d.Return = safeReturn(cmp.Or(q.Get("return"), pageURL(r))) // the automatic link sends no return: see optout.tmpl
	d.Honored = st.honored || st.optOut && st.Model() != ModelOptIn
	servePage(w, r, func(buf *bytes.Buffer) { banner.OptOutPage(buf, d) })
}

// buildRegionModes builds the Consent Mode defaults per region that a page
// sends a visitor the server could not place (see banner.Data.RegionModes):
// for each rule whose undecided state differs from the strictest one, its
// areas, except those an earlier rule shadows. Index [gpc].
func (m *Manager) buildRegionModes(t *regionTable) (out [2][]banner.RegionMode) {
	for g := range 2 {
		def := m.modeTypes(t.unknown.undecided[g])
		for i, rule := range t.rules {
			types := m.modeTypes(rule.undecided[g])
			if slices.Equal(types, def) {
				continue
			}
			var areas []string
			for _, a := range m.cfg.Regions.Rules[i].Areas {
				reg, _ := ParseRegion(a)
				if t.byArea[reg.key()] != i {
					continue // an earlier rule names it
				}
				if c, ok := t.byArea[reg.countryOnly().key()]; ok && c < i {
					continue // an earlier rule names its country
				}
				areas = append(areas, reg.String())
			}
			if len(areas) > 0 {
				out[g] = append(out[g], banner.RegionMode{Regions: areas, Types: types})
			}
		}
	}
	return out
}

func (m *Manager) modeTypes(st *State) []banner.ModeType {
	out := make([]banner.ModeType, len(m.modes.names))
	for i, name := range m.modes.names {
		out[i] = banner.ModeType{Name: name, Granted: m.modes.granted(st, i)}
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// optOutLink is the consentOptOutLink template function: the link, in the
// visitor's language, back to r's page, with the honoured status of r's
// state.
func (m *Manager) optOutLink(r *http.Request) template.HTML {
	loc, ret := locales.Match(""), "/"
	if r != nil {
		loc, ret = m.localeFor(r, ""), safeReturn(r.URL.RequestURI())
	}
	lt := m.l10n.locale(loc)
	d := banner.Data{Prefix: m.cfg.Prefix, Return: ret, Lang: lt.tag, Dir: loc.Dir, Texts: lt.texts}
	return banner.OptOutLink(&d, FromRequest(r).OptedOut())
}
