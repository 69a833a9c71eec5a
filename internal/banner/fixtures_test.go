package banner

// English texts as in internal/locales/messages/en.json, copied so that the
// package's tests do not depend on the catalogs.
var enTexts = Texts{
	Title:      "Cookies on this site",
	Text:       "We use cookies that are strictly necessary to run this site. With your consent we would also use cookies to remember your preferences, measure visits and show relevant advertising. You can change your mind at any time from \u201cCookie settings\u201d.",
	AcceptAll:  "Accept all",
	RejectAll:  "Reject all",
	Choose:     "Choose",
	Policy:     "Privacy policy",
	Language:   "Language",
	GPC:        "Your browser sent a Global Privacy Control signal: we honour it and do not sell or share your data.",
	PrefsTitle: "Cookie preferences",
	PrefsText:  "Choose which kinds of cookies you allow. Necessary cookies are always on, because the site cannot work without them.",
	Save:       "Save choices",
	Close:      "Close",
	AlwaysOn:   "Always on",
	Receipt:    "Your consent ID",
	History:    "See the record of my choices",
	Saved:      "Your choices have been saved.",
	Settings:   "Cookie settings",
}

// enCategories are the four default categories; granted marks the optional
// ones the visitor granted.
func enCategories(granted ...string) []Category {
	cats := []Category{
		{ID: "necessary", Title: "Necessary", Description: "Needed for the site to work and to remember your cookie choices. They cannot be switched off.", Locked: true, Granted: true},
		{ID: "preferences", Title: "Preferences", Description: "Remember choices such as your language or region to give you a more personal experience."},
		{ID: "analytics", Title: "Analytics", Description: "Help us understand how visitors use the site by collecting anonymous statistics."},
		{ID: "marketing", Title: "Marketing", Description: "Used by advertising partners to show ads that are relevant to you and to measure their effect."},
	}
	for i := range cats {
		for _, g := range granted {
			if cats[i].ID == g {
				cats[i].Granted = true
			}
		}
	}
	return cats
}

// modeFor maps the default categories to Consent Mode types the way the
// consent package's defaults do.
func modeFor(cats []Category, decided bool) []ModeType {
	on := map[string]bool{}
	for _, c := range cats {
		on[c.ID] = c.Locked || (decided && c.Granted)
	}
	return []ModeType{
		{"ad_storage", on["marketing"]},
		{"ad_user_data", on["marketing"]},
		{"ad_personalization", on["marketing"]},
		{"analytics_storage", on["analytics"]},
		{"functionality_storage", on["preferences"]},
		{"personalization_storage", on["preferences"]},
		{"security_storage", true},
	}
}

const testNonce = "rAnd0mN0nce+/base64=="

// testHosts names a host set, as consent's Manager would.
const testHosts = "ck-hosts.0123abcd.js"

// undecided is a first visit: English, a CSP nonce, two languages, Consent
// Mode with wait_for_update, the bar layout and the reopen control in the
// start corner.
func undecided() *Data {
	cats := enCategories()
	return &Data{
		Lang: "en", Dir: "ltr", Texts: enTexts, Categories: cats,
		Prefix: "/consent", Return: "/news/2024/05/city-council-votes?page=2",
		PolicyURL: "/privacy", Nonce: testNonce, Hosts: testHosts,
		Languages:   []Language{{Tag: "en", Name: "English", Selected: true}, {Tag: "es", Name: "Español"}},
		ConsentMode: modeFor(cats, false), WaitForUpdate: 500,
		Corner: "start", // the default Config.ReopenCorner
	}
}

// decided is a returning visitor who granted analytics.
func decided() *Data {
	d := undecided()
	d.Decided = true
	d.Categories = enCategories("analytics")
	d.ConsentMode = modeFor(d.Categories, true)
	d.ConsentID = "0123456789abcdef0123456789abcdef"
	return d
}

// allGranted is a returning visitor who granted every category: no guard.
func allGranted() *Data {
	d := decided()
	d.Categories = enCategories("preferences", "analytics", "marketing")
	d.ConsentMode = modeFor(d.Categories, true)
	return d
}

// gpc is a first visit from a browser sending Sec-GPC: 1.
func gpc() *Data {
	d := undecided()
	d.GPC = true
	return d
}

// rtl is an Arabic-like first visit.
func rtl() *Data {
	d := undecided()
	d.Lang, d.Dir = "ar", "rtl"
	d.Texts.Title = "ملفات تعريف الارتباط على هذا الموقع"
	d.Texts.AcceptAll, d.Texts.RejectAll, d.Texts.Choose = "قبول الكل", "رفض الكل", "اختيار"
	d.Languages = []Language{{Tag: "en", Name: "English"}, {Tag: "ar", Name: "العربية", Selected: true}}
	return d
}

// optOutHonored is a California visitor whose GPC signal was honoured:
// no banner, everything but marketing granted by default, the
// "Do Not Sell or Share" link and the status (consent.Regions).
func optOutHonored() *Data {
	d := decided()
	d.GPC, d.OptOut, d.Honored = true, true, true
	d.Categories = enCategories("preferences", "analytics")
	d.ConsentMode = modeFor(d.Categories, true)
	d.Texts.OptOut = "Do Not Sell or Share My Personal Information"
	d.Texts.Honored = "Opt-out request honored"
	d.Texts.OptOutText = "You can opt out of the sale or sharing of your personal information."
	d.Texts.OptOutSubmit = "Opt out"
	return d
}

// notice is a visitor in a notice-only region: a non-blocking notice, and
// unknown-region Consent Mode defaults per region.
func notice() *Data {
	d := decided()
	d.ConsentID = ""
	d.Notice = true
	d.Categories = enCategories("preferences", "analytics", "marketing")
	d.Texts.Notice = "This site uses cookies to work, to measure visits and for advertising."
	return d
}

// unplaced is a first visit the server could not locate under
// consent.Regions: the banner, and Consent Mode defaults per region.
func unplaced() *Data {
	d := undecided()
	d.RegionModes = []RegionMode{{Regions: []string{"US-CA", "bad\"region"}, Types: modeFor(enCategories("preferences", "analytics", "marketing"), true)}}
	return d
}
