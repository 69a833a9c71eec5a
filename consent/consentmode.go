package consent

// The seven Google Consent Mode v2 types.
var consentModeTypes = []string{
	"ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
	"functionality_storage", "personalization_storage", "security_storage",
}

// DefaultConsentMode maps the default categories to Google Consent Mode v2
// types: a type is granted when every category it is mapped from is.
func DefaultConsentMode() map[string][]string {
	return map[string][]string{
		Necessary:     {"security_storage"},
		"preferences": {"functionality_storage", "personalization_storage"},
		"analytics":   {"analytics_storage"},
		"marketing":   {"ad_storage", "ad_user_data", "ad_personalization"},
	}
}

// ConsentMode sets the Google Consent Mode v2 state the head snippet sends
// before any tag loads, and updates when the visitor decides.
type ConsentMode struct {
	// Mapping maps category IDs to the Consent Mode types they grant; a
	// type is granted when all its categories are. Default is
	// DefaultConsentMode().
	Mapping map[string][]string
	// WaitForUpdate is Consent Mode's wait_for_update, in milliseconds,
	// sent while a visitor is undecided. Default is 500.
	WaitForUpdate int
	// Regions restricts the Consent Mode defaults to ISO 3166-2 regions,
	// such as {"ES", "US-CA"}. Default is none: everywhere.
	Regions []string
}

// consentModes is ConsentMode.Mapping compiled against the categories: the
// Consent Mode types the mapping names, in Google's order, and for each the
// mask of categories it needs.
type consentModes struct {
	names []string
	masks []uint64
}

func newConsentModes(mapping map[string][]string, set *categorySet) (consentModes, error) {
	var cm consentModes
	if mapping == nil {
		mapping = DefaultConsentMode()
	}
	valid := map[string]bool{}
	for _, t := range consentModeTypes {
		valid[t] = true
	}
	masks := map[string]uint64{}
	for cat, types := range mapping {
		i := set.index(cat)
		if i < 0 {
			continue // a default mapping for a category the site does not use
		}
		for _, t := range types {
			if !valid[t] {
				return cm, errorf(ErrBadConfig, "ConsentMode: unknown Consent Mode type %q for category %q", t, cat)
			}
			masks[t] |= 1 << uint(i)
		}
	}
	for _, t := range consentModeTypes {
		if mk, ok := masks[t]; ok {
			cm.names = append(cm.names, t)
			cm.masks = append(cm.masks, mk)
		}
	}
	return cm, nil
}

// granted reports whether st grants every category Consent Mode type i is
// mapped from.
func (cm *consentModes) granted(st *State, i int) bool {
	return (st.granted|1)&cm.masks[i] == cm.masks[i]
}

// consentMode returns the Consent Mode v2 state of s, for the JSON answer.
func (m *Manager) consentMode(s *State) map[string]string {
	out := make(map[string]string, len(m.modes.names))
	for i, name := range m.modes.names {
		v := "denied"
		if m.modes.granted(s, i) {
			v = "granted"
		}
		out[name] = v
	}
	return out
}
