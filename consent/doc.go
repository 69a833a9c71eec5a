// Package consent is net/http middleware for cookie consent that regulators
// accept: a signed consent cookie, a decision endpoint that logs every
// decision before acknowledging it, Global Privacy Control, and the
// visitor's choice in every request's context.
//
// Wrap a handler:
//
//	cm, err := consent.New(consent.Config{Keys: []consent.KeyPair{{HashKey: key}}})
//	if err != nil { ... }
//	http.ListenAndServe(addr, cm.Handler(mux))
//
// and ask, in any handler below it:
//
//	if consent.FromRequest(r).Allowed("analytics") { ... }
//
// A visitor without a valid cookie is undecided: only the necessary category
// is allowed. A forged, expired, oversized or outdated cookie is treated the
// same way; it is never an error page.
//
// Decisions are posted to Config.Prefix + "/decision" (default
// /consent/decision) as an HTML form or as JSON. The middleware refuses
// cross-origin posts, validates the body, hands an audit Record to the
// configured Store, and only when the Store has kept it sets the cookie.
//
// # The banner on the page
//
// For an undecided visitor the first layer is inserted right after the
// <body> start tag as the response streams by (before </body> on a page
// without one), so it is the first thing a keyboard or screen reader user
// reaches: a region named by its title, with Accept all, Reject all and
// Choose in that order. It is fixed to the bottom edge, as a bar
// (LayoutBar) or as a box in the end corner (LayoutBox, Config.BannerLayout).
// After a decision a small "Cookie settings" control floats in a bottom
// corner of every page (Config.ReopenCorner), a link to
// {prefix}/preferences that the loader opens as a dialog: withdrawing takes
// two activations, like deciding, with or without JavaScript. With
// CornerNone it is a plain link at the end of the page instead, for sites
// that place their own (the consentSettingsLink template helper).
//
// A blocked iframe shows, in its place and size, {prefix}/embed: a page in
// the visitor's language that names the provider and the category, with
// "Load this once" (navigates only that frame to the embed, a signed URL)
// and "Always allow <category>" (a decision like any other, posted to the
// top window: it keeps what the visitor granted and adds the category; an
// undecided visitor thereby refuses the others, as Save with one box ticked
// would). Pages whose Content-Security-Policy does not let them frame
// their own origin ('self' in frame-src, child-src or default-src) keep
// blocked iframes empty instead.
//
// # Styling
//
// The page's stylesheets cannot reach into the banner: every rule of
// consentkit's carries an id, and a reset (all: revert) on #ck-banner,
// #ck-prefs and #ck-open and their descendants takes whatever a page's rule
// without an id set back to the browser's default. Sizes are in px, or in
// em of a root of max(16px, 1rem): a root font size of 62.5% shrinks
// nothing, and a larger default font size chosen by the visitor still
// counts. Text sizes are !important too, against a page's own !important
// rule on p or button. Light and dark follow prefers-color-scheme; every
// property is logical, so right-to-left languages mirror the layout.
//
// Theme it through custom properties, whose defaults have zero
// specificity, so that any rule of the site overrides them, for example
// .ck{--ck-accent:#7a1f5c}:
//
//	--ck-bg, --ck-fg          background and text
//	--ck-accent, --ck-accent-fg  buttons and links, and the buttons' text
//	--ck-border               borders
//	--ck-radius               corner radius of buttons and boxes
//	--ck-font                 font family
//	--ck-width                the box layout's width (400px)
//	--ck-z                    z-index of the banner and the reopen control
//
// Keep the contrast of the defaults (4.5:1 for text, 3:1 for borders): the
// package's tests measure it for the defaults only.
//
// # Stable hooks
//
// Site stylesheets, scripts and browser tests may rely on these ids and
// classes; they change only with a major version:
//
//	#ck-banner      the first layer, role="region" named by #ck-title (class ck ck-banner, plus ck-box)
//	#ck-title       the banner's heading
//	#ck-prefs       the preferences <dialog> (class ck ck-prefs)
//	#ck-prefs-title the dialog's heading, its aria-labelledby
//	#ck-open        the floating reopen control (class ck ck-settings, plus ck-end)
//	#ck-css         the stylesheet <link> (added by the loader when absent)
//	#ck-dcss        the dialog's stylesheet <link>, loaded when the dialog opens
//	#ck-ph          the embed placeholder's content, inside the blocked iframe, embed or object
//	.ck             every root element the package renders; theme variables live here
//	.ck-d           a decision form (intercepted by the loader)
//	.ck-btn         the equal-weight buttons, with one of:
//	.ck-accept .ck-reject .ck-choose .ck-save (and .ck-once .ck-always in a placeholder)
//	.ck-close       the dialog's close link (returns to the page, writes nothing)
//	.ck-cat         one category row in the dialog; its checkbox is input[name=category]
//	.ck-on          the "Always on" note of a locked category
//	.ck-gpc         the Global Privacy Control notice
//	.ck-receipt     the consent ID receipt and history link
//	.ck-lang        the language switcher form
//	.ck-policy      the privacy policy link
//	.ck-settings    the "Cookie settings" link or control (hidden while the banner shows)
//	.ck-sr          visually hidden text for screen readers
package consent
