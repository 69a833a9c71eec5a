package consent

import "slices"

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
	// Advanced is Google's "advanced" Consent Mode: the Google tag
	// (https://www.googletagmanager.com/gtag/js, that exact path) loads
	// before consent, under the head snippet's defaults, which deny every
	// type until the visitor decides; it then sends Google cookieless pings
	// (no identifiers stored), from which Google models the conversions and
	// visits of visitors who refuse. Tag Manager containers (gtm.js, or
	// gtag/js asked for a GTM- ID), every other tracker and inline snippets
	// stay blocked. The trade-off: more measurement for the site, but a
	// request to Google, with the visitor's IP address and the page, from
	// every visitor, even one who refuses; some regulators read the
	// ePrivacy rules as needing consent for that too. Pages whose
	// Content-Security-Policy keeps the defaults out keep the tag blocked.
	// New refuses it with Regions (outside them the tag would run without
	// defaults) or with a Mapping that leaves out one of ad_storage,
	// ad_user_data, ad_personalization and analytics_storage (Google treats
	// a type without a default as granted). Default is false: the Google
	// tag waits for consent like any tracker ("basic" Consent Mode).
	Advanced bool
	// NoVendorSignals turns off telling the consent APIs of other vendors
	// the visitor's state. By default the loader tells them, as the
	// Consent Mode snippet tells Google: Meta's fbq('consent',
	// 'grant'|'revoke'), Microsoft UET's consent mode (ad_storage),
	// Microsoft Clarity's consentv2 (ad_Storage and analytics_Storage), and
	// consent_default and consent_update events in dataLayer for Tag
	// Manager, carrying the granted categories. The Consent Mode state
	// decides, so Mapping drives them: ad_storage for Meta, UET and
	// Clarity's ad_Storage, analytics_storage for Clarity's
	// analytics_Storage. Each vendor hears it only where its global is on
	// the page, at load and after each choice (before the reload that
	// follows a withdrawal): the loader's hook (about 70 bytes gzipped)
	// imports a small module (under 600 bytes gzipped) only on pages where
	// one of those vendors is. A site that uses none of them may set this
	// to save those 70 bytes.
	NoVendorSignals bool
}

// googleTagTypes are the Consent Mode types the Google tag must find
// denied by default before advanced Consent Mode may load it.
var googleTagTypes = []string{"ad_storage", "ad_user_data", "ad_personalization", "analytics_storage"}

// checkAdvanced reports why advanced Consent Mode cannot be used with cm.
func checkAdvanced(c *ConsentMode, cm *consentModes) error {
	if !c.Advanced {
		return nil
	}
	if len(c.Regions) > 0 {
		return errorf(ErrBadConfig, "ConsentMode: Advanced loads the Google tag before consent, so its defaults must apply everywhere; leave Regions empty or turn Advanced off")
	}
	for _, t := range googleTagTypes {
		if !slices.Contains(cm.names, t) {
			return errorf(ErrBadConfig, "ConsentMode: Advanced needs a default for %s, which Google otherwise treats as granted; map a category to it in Mapping or turn Advanced off", t)
		}
	}
	return nil
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
