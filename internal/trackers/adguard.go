package trackers

import "strings"

// adguardTracker is one line of adguardData.
type adguardTracker struct {
	id, category string // AdGuard's tracker ID and category name
	domains      string // space-separated
}

// eachAdguardTracker calls fn for every tracker of the generated data. The
// strings are slices of the data constant, so keeping them costs no memory.
func eachAdguardTracker(fn func(adguardTracker)) {
	data := adguardData
	for data != "" {
		line, rest, _ := strings.Cut(data, "\n")
		data = rest
		id, line, _ := strings.Cut(line, " ")
		cat, domains, _ := strings.Cut(line, " ")
		fn(adguardTracker{id: id, category: adguardCategories[cat], domains: domains})
	}
}

// eachDomain calls fn for every domain of a space-separated list.
func eachDomain(domains string, fn func(string)) {
	for domains != "" {
		d, rest, _ := strings.Cut(domains, " ")
		domains = rest
		fn(d)
	}
}

// dataCategory is the consent category the data alone gives a tracker: its
// AdGuard category mapped by adguardCategoryMap, or the category of
// trackerCorrections when one is listed.
func dataCategory(tr adguardTracker, corrections map[string]string) string {
	if c, ok := corrections[tr.id]; ok {
		return c
	}
	return adguardCategoryMap[tr.category]
}

// builtinHosts builds the default host map: every domain of the generated
// data whose tracker maps onto a category other than necessary, then the
// host corrections on top.
func builtinHosts() map[string]string {
	corrections := make(map[string]string, len(trackerCorrections))
	for _, c := range trackerCorrections {
		corrections[c.key] = c.category
	}
	hosts := make(map[string]string, 5000)
	eachAdguardTracker(func(tr adguardTracker) {
		c := dataCategory(tr, corrections)
		if c == necessary {
			return
		}
		eachDomain(tr.domains, func(d string) { hosts[d] = c })
	})
	for _, c := range hostCorrections {
		if c.category == necessary {
			delete(hosts, c.key)
		} else {
			hosts[c.key] = c.category
		}
	}
	return hosts
}
