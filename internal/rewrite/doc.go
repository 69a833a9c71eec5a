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
// Like golang.org/x/net/html's Tokenizer, it does not build a tree, so it does
// not know about foreign content: inside <svg> or <math>, a <style> or
// <script> is taken as raw text as it would be in HTML, and <![CDATA[ as a
// bogus comment. A page relying on such markup to hide or reveal a tag may
// see a tag judged differently from the browser. It deviates from x/net/html
// in one place, where x/net/html deviates from the standard: after "<" inside
// an escaped script ("<!-- ... <"), a character that is neither '/' nor a
// letter keeps the escaped state, as browsers do.
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
// Each is inserted exactly once. A document that ends inside a tag or a
// comment swallows a snippet written at Close, as it would anything else.
//
// Category names are compared in lower case: data-consent="Analytics" asks
// [Consent] about "analytics".
//
// A script, iframe, img or link start tag is judged by its category: the
// value of its data-consent attribute (kept as it is), or else the category
// the tracker table gives the host of its URL attributes (src, and href and
// xlink:href for SVG scripts; iframe src; img src and srcset; link href and
// imagesrcset, for a link whose rel loads something: stylesheet, preload,
// modulepreload, prefetch, preconnect, dns-prefetch, prerender, icons,
// manifest). An inline script or an iframe without data-consent and without
// a tracker URL is necessary and left alone, as is everything with category
// "necessary". Character references in values are decoded before the
// lookup. A granted element is left byte for byte as it was.
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
//	data-ck-blocked="<category>"  added to every neutralised element
//	type="text/plain"             added to a script, so that it neither runs nor loads
//	data-ck-type                  a script's original type; absent means JavaScript
//	data-ck-src                   script, iframe and img src
//	data-ck-href, data-ck-xlink:href  script href (SVG)
//	data-ck-srcdoc                iframe srcdoc
//	data-ck-srcset                img srcset
//	data-ck-href                  link href
//	data-ck-imagesrcset           link imagesrcset
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
// # Bounds
//
// Look-ahead is limited to one tag (or one noscript content) of at most
// MaxTagLen bytes. Past that, the bytes are passed through unchanged: the
// start of the tag has already been sent, so the rewriter cannot add
// attributes before a src it has not seen, and holding without bound would
// let a response exhaust memory. This fails open for a single pathological
// tag, a choice made because the rewriter protects visitors from the site's
// own third parties, not from hostile markup, and a 64 KiB script tag is not
// something a site writes by accident. Tokenization stays exact past the
// bound, so the following bytes are judged correctly.
package rewrite
