package consent

import (
	"net/http"
	"strings"
)

// Region is where a visitor is: an ISO 3166-1 alpha-2 country and, when
// known, an ISO 3166-2 subdivision of it (California is country "US",
// subdivision "CA"). The zero Region is "unknown". A Region is a small value
// that Locate functions build from header bytes without allocating.
type Region struct {
	country [2]byte
	sub     [3]byte
}

// MakeRegion returns the Region of a country code ("US", any case) and an
// optional subdivision code ("CA", or the full "US-CA"), or the zero
// (unknown) Region when the country is not two ASCII letters or is one of
// the codes that name no country: "XX" and "ZZ" (unknown), "T1" (Tor, in
// Cloudflare's header), "EU" and "AP" (continents, in old GeoIP data), and
// the user-assigned "AA", "QM"-"QZ", "XA"-"XZ". A malformed subdivision is
// dropped and the country kept.
func MakeRegion(country, subdivision string) Region {
	var r Region
	if len(country) != 2 || !asciiLetter(country[0]) || !asciiLetter(country[1]) {
		return Region{}
	}
	r.country = [2]byte{upper(country[0]), upper(country[1])}
	if !realCountry(r.country) {
		return Region{}
	}
	if len(subdivision) > 3 && subdivision[2] == '-' && strings.EqualFold(subdivision[:2], country) {
		subdivision = subdivision[3:]
	}
	if n := len(subdivision); n >= 1 && n <= 3 {
		for i := 0; i < n; i++ {
			c := subdivision[i]
			if !asciiLetter(c) && (c < '0' || c > '9') {
				return r
			}
			r.sub[i] = upper(c)
		}
	}
	return r
}

// ParseRegion parses "US" or "US-CA" (any case) as a Region; ok is false
// for anything else, including the codes MakeRegion treats as unknown.
func ParseRegion(s string) (r Region, ok bool) {
	country, sub, hasSub := strings.Cut(s, "-")
	r = MakeRegion(country, sub)
	if r.IsZero() || (hasSub && (r.sub == [3]byte{} || len(sub) > 3)) {
		return Region{}, false
	}
	return r, true
}

// IsZero reports whether the region is unknown.
func (r Region) IsZero() bool { return r == Region{} }

// Country returns the ISO 3166-1 alpha-2 country code, such as "US"; "" when
// unknown.
func (r Region) Country() string {
	if r.IsZero() {
		return ""
	}
	return string(r.country[:])
}

// Subdivision returns the subdivision code without its country, such as
// "CA" for California; "" when not known.
func (r Region) Subdivision() string {
	n := 0
	for n < len(r.sub) && r.sub[n] != 0 {
		n++
	}
	return string(r.sub[:n])
}

// String returns the ISO 3166-2 form, "US-CA", or the country alone, "DE";
// "" when unknown.
func (r Region) String() string {
	if r.IsZero() {
		return ""
	}
	if s := r.Subdivision(); s != "" {
		return r.Country() + "-" + s
	}
	return r.Country()
}

// countryOnly returns r without its subdivision.
func (r Region) countryOnly() Region { return Region{country: r.country} }

// countryIndex numbers the country codes AA..ZZ from 0; a Region's country
// is always two upper-case letters (MakeRegion).
// key packs the region's five bytes into an integer.
func (r Region) key() uint64 {
	return uint64(r.country[0])<<32 | uint64(r.country[1])<<24 | uint64(r.sub[0])<<16 | uint64(r.sub[1])<<8 | uint64(r.sub[2])
}

func (r Region) countryIndex() int { return int(r.country[0]-'A')*26 + int(r.country[1]-'A') }

func asciiLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// realCountry rejects the codes that name no country (see MakeRegion).
func realCountry(c [2]byte) bool {
	switch c {
	case [2]byte{'Z', 'Z'}, [2]byte{'E', 'U'}, [2]byte{'A', 'P'}, [2]byte{'A', 'A'}:
		return false
	}
	return !(c[0] == 'Q' && c[1] >= 'M' || c[0] == 'X')
}

// Model is a privacy model: how a region's law has optional cookies treated.
type Model string

// The privacy models a RegionRule can apply.
const (
	// ModelOptIn asks first: optional categories stay off until the
	// visitor accepts them in the banner (GDPR, UK GDPR, the Swiss FADP,
	// the ePrivacy rules on cookies). It is the model of a Manager without
	// regions, and the strictest.
	ModelOptIn Model = "opt_in"
	// ModelOptOut lets optional categories run by default, shows no
	// blocking banner, and puts a "Do Not Sell or Share My Personal
	// Information" control on every page, which records an opt-out of the
	// sale-or-sharing categories (the US state laws).
	ModelOptOut Model = "opt_out"
	// ModelNotice lets every category run and shows a non-blocking notice
	// linking to the cookie settings and the policy.
	ModelNotice Model = "notice"
)

// strictness orders the models: a higher value protects more.
func (m Model) strictness() int {
	switch m {
	case ModelOptIn:
		return 3
	case ModelOptOut:
		return 2
	case ModelNotice:
		return 1
	}
	return 0
}

// RegionRule applies a privacy model to a set of countries and subdivisions.
type RegionRule struct {
	// Name labels the rule in logs and errors, such as "EEA". Optional.
	Name string
	// Areas are ISO 3166-1 country codes ("DE") and ISO 3166-2
	// subdivision codes ("US-CA", "CA-QC"). A country code covers all its
	// subdivisions.
	Areas []string
	// Model is the privacy model of these areas. Required.
	Model Model
	// GPCBinding, in the opt-out model, makes a Global Privacy Control
	// signal a binding opt-out of sale and sharing, as California,
	// Colorado and most other US state laws require: the opt-out is
	// recorded in the consent log once per visitor, and the page and the
	// preferences show "Opt-out request honored". Without it, the signal
	// is still honoured for each request, as in every model, but neither
	// recorded nor announced.
	GPCBinding bool
}

// Regions applies privacy models by where the visitor is. Rules are
// tried in order; the first that names the visitor's subdivision or
// country decides. A visitor located where no rule applies gets Elsewhere;
// a visitor Locate cannot place gets the strictest model of the rules and
// Elsewhere, so that not knowing never lowers protection.
//
// The zero value applies no regions: every visitor gets the opt-in model,
// exactly as a Manager always did, at no cost.
type Regions struct {
	// Rules, in order of precedence. Presets: RegionsEEA, RegionsUSOptOut,
	// RegionsBrazil, RegionsCanada. Default is none.
	Rules []RegionRule
	// Elsewhere is the model of a visitor located where no rule applies.
	// Default is ModelOptIn.
	Elsewhere Model
	// Locate tells where a request comes from; the zero Region means
	// unknown. Build it from header readers (LocateHeaders) or a MaxMind
	// database (package consent/geoip). It is called on every request, so
	// it must be fast and should not allocate. Default is nil: every
	// visitor is unknown, which New warns about when Rules are set.
	Locate func(r *http.Request) Region
	// OwnOptOutLink says the site places the "Do Not Sell or Share My
	// Personal Information" link itself (the consentOptOutLink template
	// function), so the middleware leaves its own out. Default is false.
	OwnOptOutLink bool
}

// regionRule is a RegionRule compiled for requests: its undecided states
// (without and with Sec-GPC: 1) are built once, so that a visitor without a
// cookie costs no allocation beyond the copy that carries their region.
type regionRule struct {
	name       string
	model      Model
	gpcBinding bool
	undecided  [2]*State // [gpc]
}

// regionTable is Config.Regions compiled: the first rule for each area.
type regionTable struct {
	rules []*regionRule
	// byArea maps an area, by Region.key (the map's fast path for
	// integer keys, on every request with a subdivision), to the index
	// of the first rule naming it.
	byArea map[uint64]int
	// byCountry[c] is 1 + the index of the first rule naming country c
	// (countryIndex), 0 for none; hasSubs[c] tells whether any rule names
	// a subdivision of c. Arrays, not the map, answer the common case.
	byCountry [26 * 26]int16
	hasSubs   [26 * 26]bool
	elsewhere *regionRule
	unknown   *regionRule // the strictest of rules and elsewhere
	locate    func(*http.Request) Region
	ownLink   bool
}

// normalizeRegions checks Config.Regions.
func (c *Config) normalizeRegions() error {
	rg := &c.Regions
	if len(rg.Rules) == 0 {
		if rg.Elsewhere != "" || rg.Locate != nil {
			return errorf(ErrBadConfig, "Regions: Elsewhere or Locate without Rules does nothing; add Rules such as consent.RegionsUSOptOut()")
		}
		return nil
	}
	if rg.Elsewhere == "" {
		rg.Elsewhere = ModelOptIn
	}
	if rg.Elsewhere.strictness() == 0 {
		return errorf(ErrBadConfig, "Regions.Elsewhere %q: use ModelOptIn, ModelOptOut or ModelNotice", rg.Elsewhere)
	}
	for i, rule := range rg.Rules {
		if rule.Model.strictness() == 0 {
			return errorf(ErrBadConfig, "Regions.Rules[%d] (%s): model %q: use ModelOptIn, ModelOptOut or ModelNotice", i, rule.Name, rule.Model)
		}
		if len(rule.Areas) == 0 {
			return errorf(ErrBadConfig, "Regions.Rules[%d] (%s) names no areas; list country codes such as \"DE\" or subdivisions such as \"US-CA\"", i, rule.Name)
		}
		for _, a := range rule.Areas {
			if r, ok := ParseRegion(a); !ok || r.String() != strings.ToUpper(a) {
				return errorf(ErrBadConfig, "Regions.Rules[%d] (%s): area %q is not an ISO 3166 code such as \"DE\" or \"US-CA\"", i, rule.Name, a)
			}
		}
	}
	return nil
}

// newRegionTable compiles cfg.Regions; nil when there are no rules.
func (m *Manager) newRegionTable() *regionTable {
	rg := m.cfg.Regions
	if len(rg.Rules) == 0 {
		return nil
	}
	if rg.Locate == nil {
		m.log.Warn("consent: Regions.Rules are set without Regions.Locate, so no visitor can be placed and every one gets the strictest model")
	}
	t := &regionTable{byArea: map[uint64]int{}, locate: rg.Locate, ownLink: rg.OwnOptOutLink}
	for i, rule := range rg.Rules {
		t.rules = append(t.rules, m.compileRule(rule.Name, rule.Model, rule.GPCBinding))
		for _, a := range rule.Areas {
			r, _ := ParseRegion(a)
			if _, seen := t.byArea[r.key()]; !seen {
				t.byArea[r.key()] = i
				if r.sub == [3]byte{} {
					t.byCountry[r.countryIndex()] = int16(i + 1)
				} else {
					t.hasSubs[r.countryIndex()] = true
				}
			}
		}
	}
	t.elsewhere = m.compileRule("elsewhere", rg.Elsewhere, false)
	t.unknown = t.elsewhere
	for _, r := range t.rules {
		if s, u := r.model.strictness(), t.unknown.model.strictness(); s > u || s == u && r.gpcBinding && !t.unknown.gpcBinding {
			t.unknown = r
		}
	}
	return t
}

func (m *Manager) compileRule(name string, model Model, gpcBinding bool) *regionRule {
	rr := &regionRule{name: name, model: model, gpcBinding: gpcBinding && model == ModelOptOut}
	for i, gpc := range []bool{false, true} {
		st := &State{set: m.set, gpc: gpc, model: model}
		if model != ModelOptIn {
			st.granted = m.set.allMask // granted by default: nobody opted out yet
			if gpc {
				st.granted &^= m.set.saleMask
				st.honored = rr.gpcBinding
			}
		}
		rr.undecided[i] = st
	}
	return rr
}

// match returns the rule in force for region r: the first rule naming its
// subdivision or its country, else Elsewhere; the strictest when r is
// unknown.
func (t *regionTable) match(r Region) *regionRule {
	if r.IsZero() {
		return t.unknown
	}
	c := r.countryIndex()
	best := int(t.byCountry[c]) - 1
	if t.hasSubs[c] && r.sub != [3]byte{} {
		if i, ok := t.byArea[r.key()]; ok && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return t.elsewhere
	}
	return t.rules[best]
}

// ModelFor returns the privacy model a visitor from region r gets, and
// whether a GPC signal is a binding opt-out there, under the Manager's
// Regions: ModelOptIn everywhere when none are configured.
func (m *Manager) ModelFor(r Region) (model Model, gpcBinding bool) {
	if m.regions == nil {
		return ModelOptIn, false
	}
	rule := m.regions.match(r)
	return rule.model, rule.gpcBinding
}
