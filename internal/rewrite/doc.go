// Package rewrite is the streaming HTML rewriter of the consent middleware.
// In one pass over the bytes a handler writes, it inserts a head snippet and
// a body-end snippet and neutralises the elements that would run or fetch
// something from a category the visitor has not granted. Bytes it does not
// change pass through unchanged and, apart from a bounded look-ahead, without
// being buffered.
//
// # Tokenization
//
// The rewriter runs the WHATWG tokenizer's state machine far enough to know
// where every tag, comment and raw text run ends: tag names and attributes
// (quoted values may contain '>'), comments including "<!-->", "<!--->" and
// "--!>", bogus comments ("<?", "</ ", "<!x", CDATA outside foreign content),
// DOCTYPE, RAWTEXT (style, xmp, iframe, noembed, noframes, and noscript as
// with scripting enabled), RCDATA (title, textarea), plaintext, and script
// data with its escaped and double-escaped states. Tag names are matched
// without regard to case, and any token may be split across Writes.
//
// It knows enough of the tree builder for foreign content (see foreign.go):
// inside <svg> and <math> no element switches to raw text, so markup hidden
// in an SVG <style>, <title> or <plaintext> is judged like any other, while
// the HTML integration points (foreignObject, desc, title in SVG; mi, mo,
// mn, ms, mtext and HTML annotation-xml in MathML) and the start tags that
// break out of foreign content bring the HTML rules back. Where its small
// model could differ from a browser's tree builder it errs toward foreign
// content, which can only neutralise something inert. It deviates from
// x/net/html's Tokenizer in one more place, where x/net/html deviates from
// the standard: after "<" inside an escaped script ("<!-- ... <"), a
// character that is neither '/' nor a letter keeps the escaped state, as
// browsers do.
//
// # What changes
//
// Head is inserted right before the first tag other than <html> and <head>
// (start or end tag): right after the <head> start tag and the whitespace or
// comments following it, or where the head begins when there is no <head>
// tag, so that it precedes every script of the page. When that tag is a
// <meta> declaring the charset (charset=, or http-equiv=content-type), Head
// goes after it instead: browsers look for the declaration only in the first
// 1024 bytes, and a large snippet would push it out. At Close when no tag
// came. BodyEnd is inserted right before the first </body> end tag outside
// raw text (the first, because a browser puts whatever follows it into the
// body anyway, and waiting for the last would mean buffering), or at Close.
// BodyStart is inserted right after the first <body> start tag outside raw
// text and foreign content (the banner then comes first in keyboard order),
// or right before BodyEnd when no such tag came. Each is inserted exactly
// once. A document that ends inside a tag or a
// comment swallows a snippet written at Close, as it would anything else.
//
// Category names are compared in lower case: data-consent="Analytics" asks
// [Consent] about "analytics".
//
// Every element that fetches by itself is judged by its category: the value
// of its data-consent attribute (kept as it is), or else the category the
// tracker table gives the host of its URL attributes: script src (and href,
// xlink:href for SVG scripts), iframe src, srcdoc (by the hosts its HTML
// names), img and image src and srcset (href for SVG's image), link href and
// imagesrcset for a link whose rel loads something (stylesheet, preload,
// modulepreload, prefetch, preconnect, dns-prefetch, prerender, icons,
// manifest, compression dictionaries), embed src, object data, video src
// and poster, audio src, source src and srcset, track src, input src, frame
// src, the background of the body and of every table part (table, thead,
// tbody, tfoot, tr, td, th, col, colgroup), SVG's feImage href, and a meta
// refresh's URL. SVG elements are also judged by the url() of their
// presentation attributes (fill, stroke, clip-path, mask, marker-start,
// marker-mid, marker-end, cursor), and SVG's set and animate by the values
// they give their target (to, from, by, values: URLs when the target is an
// href). Relative URLs are judged by the host of the
// document's first <base href>; data: and javascript: URLs by the hosts
// their content names. Character references in values are decoded and
// hosts are normalised as a browser's URL parser does before the lookup.
// Everything with category "necessary" is left alone, and a granted element
// is left byte for byte as it was.
//
// Any element's style attribute, and the text of style elements, are read
// as CSS: a URL (absolute or protocol-relative, in url(), @import, image-set
// or anywhere a URL token may stand) whose host is a tracker the visitor has
// not granted gets the marker //[ck=<category>] before it, which turns it
// into a URL the browser's URL parser refuses (an unclosed IPv6 host), so it
// is neither fetched nor checked against a Content-Security-Policy. A style attribute is then
// rewritten with the marker and its original kept in data-ck-style. The
// text of an SVG style element, a style sheet to the browser though the
// parser reads it as markup, is read the same way (see foreignstyle.go),
// and so are the CSS escapes, line continuations, tabs and backslashes
// that still make a URL (see cssurl.go). A link's data: URL is judged by
// the hosts its text names, as a document's.
//
// An inline script (no src, a type a browser runs, or speculation rules)
// is held up to its end tag and judged by its text: it is neutralised like a
// tracker's <script src> when the text names a tracker host (a URL, or a bare
// host such as the ".google-analytics.com/ga.js" of Google's older snippet),
// or, in scripts up to 8 KiB, has the shape of a well-known tracker call that
// names no host (the gtag, analytics.js, Facebook, Matomo, Twitter, Bing,
// TikTok, Pinterest, LinkedIn, Clarity, Hotjar, comScore, Quantcast, Baidu and
// Segment globals). data-consent still wins, and inline scripts that name no
// tracker stay necessary. JSON, templates and other non-script types are
// never judged.
//
// The content of a noscript element is text to a browser running scripts but
// markup to one that does not, where an img or iframe inside it loads: it is
// held (up to MaxTagLen) and rewritten as markup, which changes nothing a
// scripting browser sees.
//
// # The contract with the loader
//
// A neutralised element keeps every attribute value exactly as written,
// quotes and references included. Only attribute names change, and a few
// attributes are added right after the tag name, where they take precedence
// over duplicates:
//
//	data-ck-blocked="<categories>"  added to every neutralised element (space-separated)
//	type="text/plain"             added to a script, so that it neither runs nor loads
//	src="<placeholder>"           added to an iframe when Config.Placeholder is set,
//	                              and to an embed when Config.ObjectPlaceholder is
//	data="<placeholder>"          added to an object when Config.ObjectPlaceholder is set
//	data-ck-type                  a script's original type (absent means JavaScript),
//	                              an embed's or object's type
//	data-ck-src                   script, iframe, frame, img, embed, video, audio, source, track, input src
//	data-ck-href, data-ck-xlink:href  SVG script, image and feImage href
//	data-ck-srcdoc                iframe srcdoc
//	data-ck-srcset                img and source srcset
//	data-ck-href                  link href
//	data-ck-imagesrcset           link imagesrcset
//	data-ck-data                  object data
//	data-ck-poster                video poster
//	data-ck-background            body and table parts' background
//	data-ck-<attribute>           an SVG presentation attribute (fill, stroke, clip-path,
//	                              mask, marker-*, cursor) or animation value (to, from,
//	                              by, values) holding a tracker's URL; an animation that
//	                              has started takes it back from the next page on
//	data-ck-http-equiv            a meta refresh's http-equiv (never re-activated)
//	data-ck-style                 the original style attribute; the added style
//	                              carries the marker before each tracker URL
//
// In style elements, whose start tag has already gone out when their text
// is read, the marker itself is the contract: the loader removes
// "//[ck=<category>]" once the category is granted.
//
// To re-activate an element once its category is granted, the loader moves
// every data-ck-<name> attribute back to <name>, removes the added type (and
// restores data-ck-type) and data-ck-blocked; a script must be replaced by a
// fresh element for the browser to run it. async, defer, nonce, integrity
// and the rest are kept untouched: they are harmless on a text/plain script
// and needed again after re-activation. Renaming covers every occurrence of
// an attribute, since a browser would otherwise fall back to a later
// duplicate.
//
// # Reporting
//
// A [Reporter] in Config hears each neutralisation as it happens: the
// element, the category and the [Reason] (data-consent, tracker host, inline
// script naming a host, inline snippet shape, CSS URL), with what matched.
// The middleware uses it for its warnings on every response and for its
// development diagnosis; without one the rewriter pays a nil check per
// neutralised element, and with one it still allocates nothing.
//
// # Bounds
//
// Look-ahead is limited to one tag, one inline script (start tag and
// text), one noscript content or one CSS URL token, of at most MaxTagLen
// bytes. Past that, the bytes are passed through unchanged: the start of the
// element has already been sent, so the rewriter cannot add attributes
// before a src it has not seen, and holding without bound would let a
// response exhaust memory. This fails open for a single pathological tag,
// and for inline scripts over 64 KiB, which on real pages are the site's
// own bundles rather than loader snippets (the runtime guard in the loader
// holds what they insert). Tokenization stays exact past the bound, so the
// following bytes are judged correctly.
package rewrite
