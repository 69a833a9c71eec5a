// Package banner renders consentkit's visitor-facing markup: the head snippet
// (Google Consent Mode v2 defaults, the runtime guard's host set and the
// loader), the first-layer banner, the preferences dialog, the "Cookie
// settings" control that reopens them, the placeholder page of a blocked
// iframe, embed or object, and the embedded CSS and JavaScript served under
// the consent prefix.
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
// The loader (ck.<hash>.js) intercepts the decision forms and posts them as
// JSON, removes the banner, re-activates the elements the rewriter
// neutralised (in document order, external scripts chained so they run in
// order, nonce copied; every data-ck-<name> attribute back to <name>, a
// media element reloaded for its source and track, the marker
// //[ck=<category>] dropped from <style> text), sends
// gtag('consent','update', …) with the consent_mode of the answer, and fires
// a "consent:change" DOM event. It exposes window.consentkit = {allowed(cat),
// granted(), open(), onChange(fn)}. Choose and Cookie settings fetch
// {prefix}/preferences?fragment=1 and open it with showModal. When a decision
// withdraws a category that was granted, the loader reloads the page after
// saving: scripts that already run cannot be stopped, and only a fresh page
// is rendered without them. Once every category is granted it is loaded with
// defer; before that, synchronously, with its runtime guard.
//
// # The runtime guard
//
// The rewriter neutralises what the markup names; scripts insert more once
// they run (createElement and src, new Image() pixels, document.write of ad
// tags, innerHTML). While some category is refused, Head puts two
// synchronous, nonce'd scripts right after <head>, before every script of the
// page: the host set (Data.Hosts, HostsFile: the Manager's tracker table as
// sets of 32-bit FNV-1a host hashes, a file of its own because it depends on
// the table and is cached for a year) and the loader, whose first part is
// the guard. A URL points at a tracker when its host, or
// the nearest parent domain listed, is in a set; it is held when the visitor
// has not granted that set's category. The guard holds:
//
//   - what is assigned to the URL properties of every HTML element's
//     prototype (script, iframe, embed, track, input and media src, img and
//     source src and srcset, link href and imageSrcset, video poster, object
//     data, a and area ping, whose list of URLs the browser posts to as the
//     link is followed), so createElement, new Image() and any wrapper of
//     createElement, installed before or after the guard, are covered
//     alike, and the same names through setAttribute and
//     setAttributeNS(null, …). The value is
//     kept as data-ck-<name> with data-ck-blocked, the rewriter's form, on
//     the same element, which gets it back on grant: a script inserted
//     without src has not started, so it runs then and its onload fires; an
//     image loads and fires its onload, inserted or not;
//   - markup passed to document.write and writeln, innerHTML and outerHTML
//     (of elements and shadow roots), insertAdjacentHTML and
//     Range.createContextualFragment: an element with a held URL is written
//     in the rewriter's form. A written script (or one of a fragment) loads
//     and runs in document order on grant; one inserted through innerHTML
//     never runs, as without the guard. Chrome therefore never sees a
//     cross-site script written during parsing, which its intervention for
//     slow connections would block;
//   - whatever else is added to the document (parser-inserted elements the
//     rewriter let through, nodes imported from a DOMParser document,
//     templates): a MutationObserver holds its URL attributes the same way,
//     skipping elements marked with data-consent, which the rewriter judged;
//   - fetch (rejected), XMLHttpRequest (open notes it, send sends nothing) and
//     navigator.sendBeacon (false) to a held tracker: refused, never
//     replayed.
//
// Limits. The observer runs after the code that added an element, so it only
// catches what the browser had not fetched yet. Chromium 156 fetches before
// it sees them: in the page's own markup, whatever the preload scanner found
// (the observer still keeps such a script from running), and among nodes
// imported from a DOMParser document, iframes, embeds and stylesheet links
// (images, video posters and image inputs it catches). Not intercepted at all: dynamic
// import() and module imports, workers, WebSocket and EventSource, URLs in
// CSS set through the CSSOM, SVG's href, Attr nodes (setAttributeNode,
// attr.value), setHTMLUnsafe, a tag split across several document.write
// calls, and same-origin child frames, which have prototypes of their own.
// On a page that enforces Trusted Types a held script URL cannot be given
// back as a string. A script that started before consent keeps running; a
// withdrawal reloads the page.
//
// # Hooks and theming
//
// The ids and classes site stylesheets and tests may rely on, the theme's
// custom properties and the reasoning behind the stylesheet (an id-specific
// all: revert reset, px sizes) are documented for users in the consent
// package ("Stable hooks", "Styling"); keep them in step with the templates
// and ck.css. What only the preferences dialog and the embed placeholder
// need is in ck.d.css, which a first visit does not download; the code that
// fetches and shows the dialog is the module ck.<hash>.p.js (ck.p.js), which
// the loader imports the first time the visitor opens the preferences.
//
// # Vendor signals and advanced Consent Mode
//
// Pages get, unless the site turns vendor signals off (Data.Signals false), a second loader,
// ck.js with the hook of ck.v.js, under a hash of its own with copies of the
// stylesheet names it derives from its own. The hook imports the module
// ck.<hash>.s.js, which tells Meta, UET, Clarity and Tag Manager the
// visitor's Consent Mode state, only on a page where one of their globals
// exists; the plain loader only calls self.ckS, which the module defines.
// Under advanced Consent Mode the Manager's host set gets self.ckX
// (GoogleTagHostsFile), through which the guard lets the Google tag's own
// URL and pings pass.
package banner
