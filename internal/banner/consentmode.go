package banner

import "strconv"

// modeTypes are the seven Consent Mode v2 types; only these names reach the
// inline script, which is what makes writing it without escaping safe.
var modeTypes = map[string]bool{
	"ad_storage":              true,
	"ad_user_data":            true,
	"ad_personalization":      true,
	"analytics_storage":       true,
	"functionality_storage":   true,
	"personalization_storage": true,
	"security_storage":        true,
}

// gtagStub is Google's dataLayer stub, so that gtag calls made before (or
// without) the Google tag are queued, not lost. "var" instead of Google's
// "window." saves bytes: a top-level var keeps an existing global's value.
const gtagStub = "var dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"

// appendMode appends the Consent Mode v2 default command for d to b. It
// returns b unchanged when d has no Consent Mode state.
func appendMode(b []byte, d *Data) []byte {
	if len(d.ConsentMode) == 0 {
		return b
	}
	b = append(b, gtagStub...)
	for _, rm := range d.RegionModes {
		b = appendRegionMode(b, rm)
	}
	b = append(b, `gtag("consent","default",{`...)
	b = appendTypes(b, d.ConsentMode)
	count := typeCount(d.ConsentMode)
	// A decided state is final from the first byte: nothing to wait for.
	if d.WaitForUpdate > 0 && !d.Decided {
		if count > 0 {
			b = append(b, ',')
		}
		count++
		b = append(b, "wait_for_update:"...)
		b = strconv.AppendInt(b, int64(d.WaitForUpdate), 10)
	}
	b = appendRegions(b, d.Regions, count > 0)
	return append(b, "})"...)
}

// appendRegionMode appends a Consent Mode default command for the regions
// of rm; nothing when no region of it is valid.
func appendRegionMode(b []byte, rm RegionMode) []byte {
	valid := false
	for _, reg := range rm.Regions {
		valid = valid || validRegion(reg)
	}
	if !valid {
		return b
	}
	b = append(b, `gtag("consent","default",{`...)
	b = appendTypes(b, rm.Types)
	b = appendRegions(b, rm.Regions, typeCount(rm.Types) > 0)
	return append(b, "});"...) // another command follows
}

func typeCount(types []ModeType) int {
	n := 0
	for _, m := range types {
		if modeTypes[m.Name] {
			n++
		}
	}
	return n
}

// appendTypes appends the known types of list as name:"state" pairs.
func appendTypes(b []byte, list []ModeType) []byte {
	n := 0
	for _, m := range list {
		if !modeTypes[m.Name] {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, m.Name...)
		if m.Granted {
			b = append(b, `:"granted"`...)
		} else {
			b = append(b, `:"denied"`...)
		}
	}
	return b
}

// appendRegions appends the region parameter for the valid entries of
// regions, after a comma when more is true; nothing when none is valid.
func appendRegions(b []byte, regions []string, more bool) []byte {
	r := 0
	for _, reg := range regions {
		if !validRegion(reg) {
			continue
		}
		if r == 0 {
			if more {
				b = append(b, ',')
			}
			b = append(b, "region:["...)
		} else {
			b = append(b, ',')
		}
		r++
		b = append(b, '"')
		b = append(b, reg...)
		b = append(b, '"')
	}
	if r > 0 {
		b = append(b, ']')
	}
	return b
}

// validRegion accepts ISO 3166-1 and 3166-2 shapes ("ES", "US-CA"): letters,
// digits and hyphens, at most 10 bytes. Anything else could break out of the
// script string, so it is left out rather than escaped.
func validRegion(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
