// Package banner renders consentkit's visitor-facing markup: the head snippet
// (Google Consent Mode v2 defaults and the loader), the first-layer banner, the
// preferences dialog, the "Cookie settings" link, and the embedded CSS and
// JavaScript served under the consent prefix.
//
// The package takes plain data ([Data]) and imports neither consent nor
// locales, so that every state can be rendered and tested in isolation; the
// consent package fills [Data] from its configuration, the visitor's state and
// the message catalogs. All texts pass through html/template, because a
// developer can override any catalog message and none of it is trusted.
//
// # Without JavaScript
//
// Every control is a real form or link: Accept all and Reject all are submit
// buttons of a POST form to {prefix}/decision carrying hidden "return" and
// "lang" fields; Choose and Cookie settings are links to
// {prefix}/preferences?return=…, a full server-rendered page; the language
// switcher is a POST form to {prefix}/language.
//
// # With JavaScript
//
// The loader (ck.<hash>.js, loaded with defer) intercepts the decision forms
// and posts them as JSON, removes the banner, re-activates the elements the
// rewriter neutralised (in document order, external scripts chained so they
// run in order, nonce copied), sends gtag('consent','update', …) with the
// consent_mode of the answer, and fires a "consent:change" DOM event. It
// exposes window.consentkit = {allowed(cat), granted(), open(), onChange(fn)}.
// Choose and Cookie settings fetch {prefix}/preferences?fragment=1 and open it
// with showModal. When a decision withdraws a category that was granted, the
// loader reloads the page after saving: scripts that already run cannot be
// stopped, and only a fresh page is rendered without them.
//
// # Stable hooks
//
// Browser tests and site stylesheets may rely on these ids and classes:
//
//	#ck-banner      the first layer, a role="region" (class ck ck-banner)
//	#ck-title       the banner's heading
//	#ck-prefs       the preferences <dialog> (class ck ck-prefs)
//	#ck-prefs-title the dialog's heading, its aria-labelledby
//	#ck-css         the stylesheet <link> (added by the loader when absent)
//	.ck             every root element the package renders; theme variables live here
//	.ck-d           a decision form (intercepted by the loader)
//	.ck-btn         the equal-weight buttons, with one of:
//	.ck-accept .ck-reject .ck-choose .ck-save
//	.ck-close       the dialog's close link (returns to the page, writes nothing)
//	.ck-cat         one category row in the dialog; its checkbox is input[name=category]
//	.ck-on          the "Always on" note of a locked category
//	.ck-gpc         the Global Privacy Control notice
//	.ck-receipt     the consent ID receipt and history link
//	.ck-lang        the language switcher form
//	.ck-policy      the privacy policy link
//	.ck-settings    the "Cookie settings" link (hidden while the banner shows)
//	.ck-sr          visually hidden text for screen readers
//
// # Theming
//
// Colours and shapes are CSS custom properties with defaults of zero
// specificity, so a site overrides them with any rule, for example
// .ck{--ck-accent:#7a1f5c}: --ck-bg, --ck-fg, --ck-accent, --ck-accent-fg,
// --ck-border, --ck-radius, --ck-font, --ck-z. Dark defaults follow
// prefers-color-scheme.
package banner
