package banner

// Category is one consent category as the visitor sees it.
type Category struct {
	// ID is the category's identifier, such as "analytics"; it is the value
	// of the category checkbox and of data-ck-blocked in the rewritten page.
	ID string
	// Title and Description are the localized texts shown in preferences.
	Title, Description string
	// Granted reports whether the visitor has granted the category. It is
	// ignored while the visitor is undecided: no box is ever pre-ticked.
	Granted bool
	// Locked marks a category that cannot be refused (necessary): shown on,
	// disabled, with the "Always on" note.
	Locked bool
}

// Texts holds every message the banner shows, already localized. The consent
// package fills it from the catalogs; each field names its catalog key.
type Texts struct {
	Title     string // banner.title
	Text      string // banner.text
	AcceptAll string // banner.accept_all
	RejectAll string // banner.reject_all
	Choose    string // banner.choose
	Policy    string // banner.policy: the privacy policy link text
	Language  string // banner.language: the switcher's label
	// LanguageSubmit labels the switcher's submit button, which only
	// matters without JavaScript; when empty, Language is used.
	LanguageSubmit string
	GPC            string // banner.gpc: the Global Privacy Control notice
	PrefsTitle     string // prefs.title
	PrefsText      string // prefs.text
	Save           string // prefs.save
	Close          string // prefs.close
	AlwaysOn       string // prefs.always_on
	Receipt        string // prefs.receipt: the label of the consent ID
	History        string // prefs.history: the link to the consent history; "" leaves the link out
	Saved          string // prefs.saved: announced to screen readers after a choice
	Settings       string // settings.link
	// The placeholder of a blocked embed; EmbedBlocked names the provider
	// and EmbedAlways the category, each where its %s stands.
	EmbedBlocked string // embed.blocked
	EmbedOnce    string // embed.once
	EmbedAlways  string // embed.always
	// The opt-out and notice models (consent.Regions).
	OptOut       string // optout.link: "Do Not Sell or Share My Personal Information"
	OptOutText   string // optout.text: what opting out does, on the opt-out page
	OptOutSubmit string // optout.submit: the opt-out page's button
	Honored      string // optout.honored: "Opt-out request honored"
	Notice       string // notice.text: the notice-only model's notice
}

// Embed describes the iframe, embed or object a placeholder stands for.
type Embed struct {
	// Category is the ID of the category that blocks it.
	Category string
	// Provider names where it comes from, such as "youtube.com".
	Provider string
	// Load is the element's own URL, for "Load this once", which navigates
	// the placeholder's frame there; "" leaves the button out.
	Load string
}

// Language is one entry of the language switcher.
type Language struct {
	// Tag is the BCP 47 tag posted as lang, such as "pt-BR".
	Tag string
	// Name is the language's name in itself, such as "Português".
	Name string
	// Selected marks the language the banner is shown in.
	Selected bool
}

// ModeType is one Google Consent Mode v2 type and its state.
type ModeType struct {
	// Name is one of ad_storage, ad_user_data, ad_personalization,
	// analytics_storage, functionality_storage, personalization_storage,
	// security_storage. Other names are left out of the snippet.
	Name string
	// Granted reports whether the type is granted.
	Granted bool
}

// Data is everything one rendering needs. The consent package builds one per
// request; the package never keeps or modifies it.
type Data struct {
	// Lang is the BCP 47 tag of Texts; it becomes the lang attribute of
	// every root element.
	Lang string
	// Dir is "ltr" or "rtl"; anything else renders as "ltr".
	Dir string
	// Texts are the localized messages.
	Texts Texts
	// Categories are in configuration order, necessary first.
	Categories []Category
	// Decided reports whether the visitor has made a choice.
	Decided bool
	// GPC reports whether the browser sent Sec-GPC: 1; the banner and the
	// preferences then show the GPC notice.
	GPC bool
	// ConsentID is shown in preferences as a receipt when Decided.
	ConsentID string
	// Prefix is where the consent endpoints are served, such as "/consent".
	Prefix string
	// Return is the current path and query, already validated as a
	// same-origin path.
	Return string
	// PolicyURL is the privacy policy; the link is left out when empty.
	PolicyURL string
	// Nonce is the CSP nonce of the response; "" when there is none.
	Nonce string
	// Hosts is the name of the host set (HostsFile), served under
	// {Prefix}/assets/. While some category is not granted, the head
	// snippet loads it and makes the loader a synchronous script, so that
	// the runtime guard runs before any script of the page; "" leaves the
	// guard out.
	Hosts string
	// Languages fill the language switcher; with fewer than two there is none.
	Languages []Language
	// ConsentMode is the server-known Consent Mode v2 state for the head
	// snippet; when empty, no Consent Mode snippet is rendered.
	ConsentMode []ModeType
	// WaitForUpdate is Consent Mode's wait_for_update in milliseconds,
	// sent only while the visitor is undecided (a decided state is final
	// from the first byte); 0 leaves it out.
	WaitForUpdate int
	// Layout places the first layer: "box" in a bottom corner; anything
	// else is a bar along the bottom edge.
	Layout string
	// Corner is where the control that reopens the preferences floats
	// after a decision: "start" or "end" of the bottom edge (mirrored in
	// right-to-left languages); "" renders it as a plain link at the end
	// of the page, for sites that place their own.
	Corner string
	// Signals makes the head load the loader that also tells Meta, Microsoft
	// UET, Clarity and Tag Manager the visitor's state, importing the
	// signals module (ck.<hash>.s.js) only on a page where one of them is.
	// Off, the page gets the plain loader, which is smaller.
	Signals bool
	// Regions optionally restricts the Consent Mode defaults to ISO 3166-2
	// regions such as "ES" or "US-CA"; malformed entries are left out.
	Regions []string
	// RegionModes are Consent Mode defaults for named regions, sent
	// before the general default, for a visitor the server could not
	// place: Google's tag applies the one of the visitor's region.
	RegionModes []RegionMode
	// OptOut puts the "Do Not Sell or Share My Personal Information" link
	// at the end of the page (the opt-out model); Honored adds the
	// "Opt-out request honored" status beside it and in the preferences.
	OptOut, Honored bool
	// Notice puts the notice-only model's non-blocking notice at the end
	// of the page.
	Notice bool
}

// RegionMode is the Consent Mode v2 default state of a set of regions.
type RegionMode struct {
	// Regions are ISO 3166-1 or 3166-2 codes, such as "US-CA".
	Regions []string
	// Types are the Consent Mode types and their state there.
	Types []ModeType
}

// dir returns the text direction, "ltr" unless d asks for "rtl".
func (d *Data) dir() string {
	if d.Dir == "rtl" {
		return "rtl"
	}
	return "ltr"
}

// granted lists the categories the page may use now, space-separated, in
// configuration order: the locked ones always, the others once decided. all
// reports whether that is every category.
func (d *Data) granted() (list string, all bool) {
	n := 0
	buf := make([]byte, 0, 64)
	for _, c := range d.Categories {
		if c.Locked || (d.Decided && c.Granted) {
			if n > 0 {
				buf = append(buf, ' ')
			}
			buf = append(buf, c.ID...)
			n++
		}
	}
	return string(buf), n == len(d.Categories)
}
