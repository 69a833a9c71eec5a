package consent

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"
)

// State is a visitor's consent as the server knows it for one request. It is
// immutable; the zero value (and a nil *State) is "undecided, nothing but
// necessary allowed", which is what code sees when the middleware is absent.
type State struct {
	id        [16]byte
	decidedAt time.Time
	rev       [8]byte
	granted   uint64 // bit i: set.cats[i] granted; bit 0 (necessary) always set when decided
	method    Method
	gpc       bool // the request carried Sec-GPC: 1
	decided   bool
	// optOut: the cookie holds an opt-out of sale and sharing (the
	// "Do Not Sell or Share" control, or a binding GPC signal), not a
	// consent. Only the opt-out and notice models apply it; see region.go.
	optOut bool
	// honored: the page tells the visitor their opt-out is honoured.
	honored bool
	model   Model // "" when the Manager has no regions
	region  Region
	set     *categorySet
}

// categorySet is the configured categories of one Manager, shared by every
// State it makes.
type categorySet struct {
	ids      []string
	saleMask uint64
	allMask  uint64
}

func (cs *categorySet) index(id string) int {
	for i, c := range cs.ids {
		if c == id {
			return i
		}
	}
	return -1
}

// ID returns the consent ID: 32 lower-case hex digits, or "" when undecided.
// It is the key of the visitor's records in the consent log and is shown to
// the visitor as a receipt. It is made at the visitor's first decision and
// kept through later ones; its first 12 digits are that time in Unix
// milliseconds, the other 20 are random.
func (s *State) ID() string {
	if s == nil || !s.decided {
		return ""
	}
	return hex.EncodeToString(s.id[:])
}

// Decided reports whether the visitor made a choice under the current
// revision that has not expired.
func (s *State) Decided() bool { return s != nil && s.decided }

// DecidedAt returns when the visitor decided; the zero time when undecided.
func (s *State) DecidedAt() time.Time {
	if s == nil {
		return time.Time{}
	}
	return s.decidedAt
}

// Revision returns the revision the decision was made under, as 16 hex
// digits; "" when undecided.
func (s *State) Revision() string {
	if s == nil || !s.decided {
		return ""
	}
	return revisionString(s.rev)
}

// Method returns how the state was decided (MethodNone when undecided).
func (s *State) Method() Method {
	if s == nil {
		return MethodNone
	}
	return s.method
}

// GPC reports whether the request carried a Global Privacy Control signal
// (Sec-GPC: 1), which denies the sale-or-sharing categories.
func (s *State) GPC() bool { return s != nil && s.gpc }

// Region returns where the visitor was located for this request; the zero
// Region when unknown or when the Manager has no regions.
func (s *State) Region() Region {
	if s == nil {
		return Region{}
	}
	return s.region
}

// Model returns the privacy model in force for this request (see Regions):
// ModelOptIn when the Manager has no regions.
func (s *State) Model() Model {
	if s == nil || s.model == "" {
		return ModelOptIn
	}
	return s.model
}

// OptedOut reports whether the visitor's opt-out of sale and sharing is in
// force and honoured under the opt-out model: they used the "Do Not Sell or
// Share" control, or their browser's GPC signal is binding where they are.
// The page then shows "Opt-out request honored".
func (s *State) OptedOut() bool { return s != nil && s.honored }

// Allowed reports whether category is granted. Necessary is always allowed;
// unknown categories never are.
func (s *State) Allowed(category string) bool {
	if category == Necessary {
		return true
	}
	if s == nil || s.set == nil {
		return false
	}
	i := s.set.index(category)
	return i >= 0 && s.granted&(1<<uint(i)) != 0
}

// Granted returns the IDs of the granted categories in configuration order,
// necessary first.
func (s *State) Granted() []string {
	if s == nil || s.set == nil {
		return []string{Necessary}
	}
	out := make([]string, 0, len(s.set.ids))
	for i, id := range s.set.ids {
		if s.granted&(1<<uint(i)) != 0 || id == Necessary {
			out = append(out, id)
		}
	}
	return out
}

// Categories returns every configured category ID in order; nil when the
// state did not come from a Manager.
func (s *State) Categories() []string {
	if s == nil || s.set == nil {
		return nil
	}
	return append([]string(nil), s.set.ids...)
}

// withGPC returns the state as seen by a request carrying Sec-GPC: 1.
func (s *State) withGPC() *State {
	c := *s
	c.gpc = true
	c.granted &^= s.set.saleMask
	return &c
}

type ctxKey struct{}

// stateCtx is a context carrying a State under ctxKey, as
// context.WithValue(Context, ctxKey{}, st) would, but as a value the
// middleware embeds in its response writer, saving an allocation a
// request. Done, Err and Deadline are the parent's, so context.WithCancel
// and the like find the parent's cancelCtx as usual.
type stateCtx struct {
	context.Context
	st *State
}

func (c *stateCtx) Value(key any) any {
	if _, ok := key.(ctxKey); ok {
		return c.st
	}
	return c.Context.Value(key)
}

func (c *stateCtx) String() string { return fmt.Sprint(c.Context) + ".WithValue(consent.State)" }

// FromContext returns the State the middleware put in ctx, or an undecided
// State that allows only necessary cookies when there is none. It never
// returns nil.
func FromContext(ctx context.Context) *State {
	if ctx != nil {
		if s, ok := ctx.Value(ctxKey{}).(*State); ok && s != nil {
			return s
		}
	}
	return &undecided
}

// FromRequest returns the visitor's State for r; see FromContext.
func FromRequest(r *http.Request) *State {
	if r == nil {
		return &undecided
	}
	return FromContext(r.Context())
}

// WithState returns a copy of ctx carrying s, for tests of handlers that
// read the consent state.
func WithState(ctx context.Context, s *State) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

var undecided State

// NewState builds a decided State outside a Manager, for tests and
// examples: the categories are the configuration order (necessary is
// added when missing) and granted lists the granted ones.
func NewState(categories []string, granted ...string) *State {
	set := &categorySet{}
	if len(categories) == 0 || categories[0] != Necessary {
		set.ids = append(set.ids, Necessary)
	}
	for _, c := range categories {
		if c != Necessary || len(set.ids) == 0 {
			set.ids = append(set.ids, c)
		}
	}
	set.allMask = 1<<uint(len(set.ids)) - 1
	s := &State{decided: true, set: set, granted: 1, method: MethodAPI}
	for _, g := range granted {
		if i := set.index(g); i >= 0 {
			s.granted |= 1 << uint(i)
		}
	}
	return s
}

// decidedNow is the one way a Manager starts a decision: decided now (to
// the second, as the cookie keeps it) under the current revision, over the
// Manager's categories, granting only necessary until the caller says more.
func (m *Manager) decidedNow(gpc bool) *State {
	return &State{decided: true, set: m.set, granted: 1, rev: m.rev, decidedAt: m.cfg.Now().UTC().Truncate(time.Second), gpc: gpc}
}
