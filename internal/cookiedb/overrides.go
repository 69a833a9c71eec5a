package cookiedb

// This file is the reviewed correction layer on top of the Open Cookie
// Database (cookies_gen.go, Apache 2.0). It is hand-written and MIT licensed
// like the rest of the repository; tests fail when the data makes a
// correction stale or redundant.

// correction re-categorises every row of a name (as the generated data
// spells it, so a prefix entry is written without its wildcard).
type correction struct {
	name, category, reason string
}

var corrections = []correction{
	// Hotjar: the database files most of Hotjar's session cookies as
	// Functional, but only Hotjar's own script sets them, and it runs only
	// with analytics consent: calling them necessary would let them through
	// and mislabel them in the cookie declaration.
	{"_hjSessionUser_", analytics, "Hotjar's user ID for the site, kept a year"},
	{"_hjSession_", analytics, "Hotjar's current session data"},
	{"_hjFirstSeen", analytics, "marks a new Hotjar user's first session"},
	{"_hjAbsoluteSessionInProgress", analytics, "detects a Hotjar user's first page view"},
	{"_hjIncludedInSessionSample", analytics, "whether Hotjar samples the session"},
	{"_hjIncludedInPageviewSample", analytics, "whether Hotjar samples the page view"},
	{"_hjSessionTooLarge", analytics, "Hotjar stops recording an oversized session"},
	{"_hjSessionRejected", analytics, "Hotjar's server refused the session"},
	{"_hjSessionResumed", analytics, "Hotjar resumed a recording"},
	{"_hjUserAttributesHash", analytics, "Hotjar's user attributes"},
	{"_hjptid", analytics, "Hotjar's page view ID"},
	{"hjViewportId", analytics, "Hotjar's viewport ID"},
	{"_hjTLDTest", analytics, "Hotjar's cookie-domain probe"},
	{"_hjLocalStorageTest", analytics, "Hotjar's storage probe"},
	{"_hjSessionStorageTest", analytics, "Hotjar's storage probe"},
	{"_hjCookieTest", analytics, "Hotjar's cookie probe"},
	// Other trackers' identifiers filed as Functional.
	{"YSC", marketing, "YouTube's session ID, which tracks the videos a visitor watches"},
	{"ai_user", analytics, "Azure Application Insights' user ID, used to count users"},
	{"ai_session", analytics, "Azure Application Insights' session ID"},
	{"li_fat_id", marketing, "LinkedIn's member ID for conversion tracking and retargeting (LinkedIn files it as advertising)"},
	{"lms_analytics", marketing, "LinkedIn's ID of members off LinkedIn (LinkedIn files it as advertising)"},
	{"li_giant", marketing, "LinkedIn's group ID for conversion tracking (LinkedIn files it as advertising)"},
	// Meta's own cookie policy files locale under site features; the
	// database's Marketing would also mislabel every site's own locale cookie.
	{"locale", preferences, "the display language, a preference"},
	// Cookies that record a consent or opt-out choice are necessary: they are
	// how the visitor's choice sticks.
	{"mtm_consent", necessary, "Matomo's record of consent"},
	{"mtm_consent_removed", necessary, "Matomo's record of withdrawn consent"},
	{"mtm_cookie_consent", necessary, "Matomo's record of cookie consent"},
	{"ppms_privacy_", necessary, "Piwik PRO's record of consent"},
	{"ppms_privacy_bar_", necessary, "Piwik PRO's record of a closed consent reminder"},
	{"_stg_optout", necessary, "Piwik PRO's opt-out flag"},
	{"_tracking_consent", necessary, "Shopify's record of consent"},
	{"FCCDCF", necessary, "Google's consent management (Funding Choices) record"},
	{"optimizelyOptOut", necessary, "Optimizely's opt-out flag"},
}
