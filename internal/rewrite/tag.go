package rewrite

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/consentkit/consentkit/internal/trackers"
)

// attr locates one attribute inside a complete tag. vs is -1 when the
// attribute has no value.
type attr struct {
	ns, ne, vs, ve int
}

// parseTag splits a complete start tag (from '<' to '>') into its name's end
// and its attributes, with the same state rules as the streaming tokenizer.
// end is the index of the '>' that ends the tag, or len(tag) when there is
// none.
func parseTag(tag []byte, attrs []attr) (nameEnd, end int, _ []attr) {
	i := 1
	for i < len(tag) && !tagNameStop[tag[i]] {
		i++
	}
	nameEnd, end, attrs, _ = parseAttrs(tag, i, attrs)
	return nameEnd, end, attrs
}

// parseAttrs is parseTag for a tag whose name ends at nameEnd, such as one
// the tokenizer has read the name of: a second loop over the name would
// mispredict its exit once more. It also returns the mask scanAttrs would
// (see nameBit and asked), computed where the name is at hand: a second
// loop over the attributes cost attrsOnce about 40 instructions a tag.
func parseAttrs(tag []byte, nameEnd int, attrs []attr) (_, end int, _ []attr, seen uint64) {
	attrs = attrs[:0]
	i := nameEnd
	for i < len(tag) {
		c := gapClass[tag[i]]
		if c == gapEnd {
			break
		}
		if c == gapSpace {
			i++
			continue
		}
		a := attr{ns: i, vs: -1}
		// The first character is part of the name even when it is '='.
		// Four bytes a step, as scanAttrs reads names: most names are
		// shorter than eight, and a loop per byte mispredicted its exit
		// about once a name.
		i = attrNameEnd(tag, i+1)
		a.ne = i
		if l := uint(i - a.ns); asked(l, tag[a.ns]) { // as scanAttrs tests it
			seen |= nameBit(tag[a.ns], tag[i-1], int(l))
		}
		j := i
		// Most names end at their '=' and most values follow it in double
		// quotes: both tested before the loops over spaces and the
		// switch, which took as many instructions again.
		if j < len(tag) && tag[j] != '=' {
			for j < len(tag) && isSpace(tag[j]) {
				j++
			}
		}
		if j < len(tag) && tag[j] == '=' {
			j++
			if j < len(tag) && tag[j] == '"' {
				k := bytes.IndexByte(tag[j+1:], '"')
				if k < 0 {
					k = len(tag) - j - 1
				}
				a.vs, a.ve = j+1, j+1+k
				j = j + 1 + k + 1
				i = j
				attrs = append(attrs, a)
				continue
			}
			for j < len(tag) && isSpace(tag[j]) {
				j++
			}
			switch {
			case j == len(tag) || tag[j] == '>':
				a.vs, a.ve = j, j
			case tag[j] == '"' || tag[j] == '\'':
				k := bytes.IndexByte(tag[j+1:], tag[j])
				if k < 0 {
					k = len(tag) - j - 1
				}
				a.vs, a.ve = j+1, j+1+k
				j = j + 1 + k + 1
			default:
				k := j
				for k < len(tag) && !unquotedStop[tag[k]] {
					k++
				}
				a.vs, a.ve = j, k
				j = k
			}
		}
		i = j
		attrs = append(attrs, a)
	}
	return nameEnd, min(i, len(tag)), attrs, seen
}

// attrRec holds the attributes of the current start tag, found while it
// was first read, and the end of its name.
type attrRec struct {
	attrs   []attr
	nameEnd int
}

// tagAttrs returns the end of the name and the attributes of the current
// start tag, tag: as they were found when the tag was first read, if it was
// read by parseTag (a tag the rewriter judges, whole in one Write), or
// parsed now (a tag split across Writes, or an ordinary element with a
// style attribute).
func (r *Rewriter) tagAttrs(tag []byte) (int, []attr) {
	if r.recValid {
		return r.rec.nameEnd, r.rec.attrs
	}
	nameEnd, _, attrs := parseTag(tag, r.attrs)
	r.attrs = attrs
	return nameEnd, attrs
}

// nameIs reports whether the attribute's name is want (lower case).
func nameIs(tag []byte, a attr, want string) bool {
	return equalFold(tag[a.ns:a.ne], want)
}

// value returns the raw value of the first attribute named name; browsers
// ignore later duplicates.
func value(tag []byte, attrs []attr, name string) ([]byte, bool) {
	for _, a := range attrs {
		if nameIs(tag, a, name) {
			if a.vs < 0 {
				return nil, true
			}
			return tag[a.vs:a.ve], true
		}
	}
	return nil, false
}

// renamedMask has a bit per attrName, per element, for the attributes that
// would make the browser run or fetch something: a blocked element keeps
// them as data-ck-<name>. They are the attributes its URLs are read from
// (urlAttrs) and a type that names how to run it (script, embed, object),
// except for a meta refresh, whose content stays and whose http-equiv goes.
var renamedMask = func() (m [numElems]uint32) {
	for e, names := range urlAttrs {
		for _, id := range names {
			m[e] |= 1 << id
		}
	}
	for _, e := range []elem{elemScript, elemEmbed, elemObject} {
		m[e] |= 1 << anType
	}
	m[elemMeta] = 1 << anHTTPEquiv
	return m
}()

// placeholderAttr names, per element, the attribute a placeholder URL goes
// in (Config.Placeholder, Config.ObjectPlaceholder). The type of an embed
// or object is renamed with its URL, so that the browser shows the
// placeholder as the page it is and not through the plugin or viewer the
// type names.
var placeholderAttr = [numElems]attrName{elemIframe: anSrc, elemEmbed: anSrc, elemObject: anData}

// urlAttrs lists, per element, the attributes whose URLs are looked up in
// the tracker table. href on script is SVG's way to load one, and <image>
// is an img in HTML but SVG's image element inside <svg>. A frame (of a
// frameset) loads its src as an iframe does; SVG's feImage fetches its
// image as soon as it is parsed, used by a filter or not. Blink maps
// background to a background image on the body and on every table part
// (HTMLTablePartElement: the table, its sections, rows, cells, columns and
// column groups; not its caption). A link or an image map's area sends a
// POST to each URL of its ping (hyperlink auditing) when it is followed:
// a click on a link is not consent to the tracker it pings.
var urlAttrs = [numElems][]attrName{
	elemScript:   {anSrc, anHref, anXlinkHref},
	elemIframe:   {anSrc, anSrcdoc},
	elemFrame:    {anSrc},
	elemImg:      {anSrc, anSrcset},
	elemImage:    {anSrc, anSrcset, anHref, anXlinkHref},
	elemFeImage:  {anHref, anXlinkHref},
	elemLink:     {anHref, anImagesrcset},
	elemEmbed:    {anSrc},
	elemObject:   {anData},
	elemVideo:    {anSrc, anPoster},
	elemAudio:    {anSrc},
	elemSource:   {anSrc, anSrcset},
	elemTrack:    {anSrc},
	elemInput:    {anSrc},
	elemBody:     {anBackground},
	elemTable:    {anBackground},
	elemTd:       {anBackground},
	elemTh:       {anBackground},
	elemTr:       {anBackground},
	elemTbody:    {anBackground},
	elemThead:    {anBackground},
	elemTfoot:    {anBackground},
	elemCol:      {anBackground},
	elemColgroup: {anBackground},
	elemMeta:     {anContent},
	elemA:        {anPing},
	elemArea:     {anPing},
}

// needle is, for the elements whose URL attribute is rare, a word their tag
// must contain for it to matter, so that the common table cell or form
// field is not parsed for nothing. data-consent on those elements is not
// looked at without it either, as before the rewriter judged them at all.
// needleBit is the bit (nameBit) an attribute named so sets in the mask of
// the tag's attribute names, where the name is of a length the tokenizer
// hashes: a tag without it is passed over without searching it for the
// word.
var needle, needleBit = func() (w [numElems]string, b [numElems]uint64) {
	for _, e := range []elem{elemBody, elemTable, elemTd, elemTh, elemTr, elemTbody, elemThead, elemTfoot, elemCol, elemColgroup} {
		w[e], b[e] = "background", bitBackground
	}
	w[elemInput] = "src"
	w[elemMeta], b[elemMeta] = "refresh", bitHTTPEquiv // a meta only fetches as a refresh, which takes http-equiv
	w[elemA], b[elemA] = "ping", bitPing
	w[elemArea], b[elemArea] = "ping", bitPing
	return w, b
}()

// alwaysJudged marks the elements decide judges without a needle: one
// table load for the common script, img and link instead of three tests.
var alwaysJudged = func() (t [numElems]bool) {
	for e := range t {
		t[e] = urlAttrs[e] != nil && needle[e] == ""
	}
	return t
}()

// containsFold reports whether tag contains the lower-case ASCII word w in
// any letter case.
func containsFold(tag []byte, w string) bool {
	for _, first := range [2]byte{w[0], w[0] - 'a' + 'A'} {
		for i := 0; ; {
			j := bytes.IndexByte(tag[i:], first)
			if j < 0 {
				break
			}
			i += j
			if i+len(w) <= len(tag) && equalFold(tag[i:i+len(w)], w) {
				return true
			}
			i++
		}
	}
	return false
}

// decide returns the neutralised form of a start tag, or nil to keep it as
// it is: the element itself when it loads something from a tracker (or its
// data-consent says so) and the visitor has not granted the category, and
// any element's style attribute when it points at such a tracker. An SVG
// element's presentation attributes are decideSVG's, which finds them
// before calling decide: then r.paintCats is not empty.
func (r *Rewriter) decide(e elem, tag []byte) []byte {
	judged := alwaysJudged[e]
	if !judged && needle[e] != "" {
		judged = r.anames&needleBit[e] == needleBit[e] && containsFold(tag, needle[e])
	}
	// A style can only fetch through a function, url() or image-set(),
	// so a tag without '(' (or a reference that could stand for one)
	// needs no parsing for its style; nor does one too short to hold one
	// (tooShortToFetch).
	if !judged && !r.baseSeen && tooShortToFetch(len(tag), r.nameLen) && r.paintCats == "" {
		return nil
	}
	styled := r.anames&bitStyle != 0 && (bytes.IndexByte(tag, '(') >= 0 || bytes.IndexByte(tag, '&') >= 0)
	if !judged && !styled && r.paintCats == "" {
		return nil
	}
	nameEnd, attrs := r.tagAttrs(tag)
	var at attrIndex
	at.index(tag, attrs)
	styleCats := ""
	if styled {
		if v, ok := at.value(tag, attrs, anStyle); ok && len(v) > 0 {
			r.css, styleCats = r.sanitizeCSS(r.css[:0], r.decode(v))
			if styleCats != "" {
				r.report(e, styleCats)
			}
		}
	}
	cat := ""
	if judged {
		if cat = r.elementCategory(e, tag, attrs, &at); cat != "" {
			r.report(e, cat)
		}
	}
	if cat == "" && styleCats == "" && r.paintCats == "" {
		return nil
	}
	return r.neutralise(e, tag, nameEnd, attrs, cat, styleCats)
}

// decideSVG is decide for a start tag in foreign content, or an <svg> (read
// before its frame opens), whose presentation attributes may fetch through
// their url(): only a tag with '(' (or a reference that could stand for
// one), or an animation, needs reading for them. It is apart from decide so
// that the common tag does not pay for what only SVG needs.
func (r *Rewriter) decideSVG(e elem, tag []byte, foreign bool) []byte {
	// An animation sets its target's attribute, a URL or a presentation
	// attribute's url(), from its own values.
	anim := foreign && (e == elemSet || e == elemAnimate)
	if !anim && bytes.IndexByte(tag, '(') < 0 && bytes.IndexByte(tag, '&') < 0 {
		// Without '(' no style fetches either: only the elements
		// decide judges by their URLs are left to it (most SVG tags on
		// real pages, path data, are not).
		if alwaysJudged[e] || needle[e] != "" {
			return r.decide(e, tag)
		}
		return nil
	}
	_, attrs := r.tagAttrs(tag)
	r.paint, r.paintCats = r.paintCategories(tag, attrs, anim)
	if r.paintCats != "" {
		r.report(e, r.paintCats)
	}
	repl := r.decide(e, tag)
	r.paint, r.paintCats = 0, ""
	return repl
}

// paintCategories returns, for an SVG element's attributes, a bit per
// attribute (by its index, the first 64) for each presentation attribute
// whose url() loads from a tracker the visitor has not granted, and their
// categories. Blink parses these attributes as the CSS properties of the
// same names and fetches the documents their url() names (a paint server,
// a clip path, a mask, a marker, a cursor image) with the page; filter does
// not load another document, so it is not among them. An animation (anim:
// set, animate) puts its to, from, by and values into its target's
// attribute once it starts, with no user action: judged the same way, and
// as URLs when the attribute it animates is an href.
func (r *Rewriter) paintCategories(tag []byte, attrs []attr, anim bool) (mask uint64, cats string) {
	hrefAnim := false
	if anim {
		n, _ := value(tag, attrs, "attributename")
		n = bytes.TrimSpace(r.decode(n))
		hrefAnim = equalFold(n, "href") || equalFold(n, "xlink:href")
	}
	for k, a := range attrs[:min(len(attrs), 64)] {
		if a.vs < 0 {
			continue
		}
		name := tag[a.ns:a.ne]
		animValue := anim && animValueAttr(name)
		if !animValue && !paintAttr(name) {
			continue
		}
		v := r.decode(tag[a.vs:a.ve])
		if hrefAnim && animValue {
			// values is a list separated by ';', which no URL the
			// table matches holds before its host.
			for rest := v; len(rest) > 0; {
				var item []byte
				item, rest, _ = bytes.Cut(rest, []byte{';'})
				if cat := r.urlCategory(bytes.TrimSpace(item), false); cat != "" {
					mask |= 1 << k
					cats = r.joinCategories(cats, cat)
				}
			}
		}
		for i := 0; i < len(v); {
			start, cat, next := r.nextCSSTracker(v, 0, i, len(v))
			if start < 0 {
				break
			}
			mask |= 1 << k
			cats = r.joinCategories(cats, cat)
			i = next
		}
	}
	return mask, cats
}

// animValueAttr reports whether an attribute's name is one an SVG
// animation takes its target's values from.
func animValueAttr(n []byte) bool {
	switch len(n) {
	case 2:
		return equalFold(n, "to") || equalFold(n, "by")
	case 4:
		return equalFold(n, "from")
	case 6:
		return equalFold(n, "values")
	}
	return false
}

// paintAttr reports whether an attribute's name is one of SVG's
// presentation attributes that take a url() Blink fetches.
func paintAttr(n []byte) bool {
	switch len(n) {
	case 4:
		return equalFold(n, "fill") || equalFold(n, "mask")
	case 6:
		return equalFold(n, "stroke") || equalFold(n, "cursor")
	case 9:
		return equalFold(n, "clip-path")
	case 10:
		return equalFold(n, "marker-mid") || equalFold(n, "marker-end")
	case 12:
		return equalFold(n, "marker-start")
	}
	return false
}

// elementCategory returns the category that blocks the element, or "" when
// it loads nothing the visitor has not granted. at indexes attrs.
func (r *Rewriter) elementCategory(e elem, tag []byte, attrs []attr, at *attrIndex) string {
	// at[name] == 0 is at.value's answer "absent" without the call, for
	// the names most tags do not have.
	if at[anDataConsent] != 0 && e != elemMeta {
		if v, ok := at.value(tag, attrs, anDataConsent); ok {
			if cat := r.category(v); cat != "" {
				if r.allowed(cat) {
					return ""
				}
				r.hit(ReasonAttribute, nil)
				return cat
			}
		}
	}
	switch e {
	case elemLink:
		// A word of rel without '&' is the same word once references
		// are resolved (they hold no space, and the spaces around the
		// word stay): a rel that fetches as it is needs no decoding.
		rel, _ := at.value(tag, attrs, anRel)
		if !fetchingLink(rel) && (bytes.IndexByte(rel, '&') < 0 || !fetchingLink(r.decode(rel))) {
			return ""
		}
	case elemMeta:
		v, _ := at.value(tag, attrs, anHTTPEquiv)
		if !equalFold(bytes.TrimSpace(r.decode(v)), "refresh") {
			return ""
		}
		c, _ := at.value(tag, attrs, anContent)
		return r.urlCategory(refreshURL(r.decode(c)), false)
	}
	// Only documents (iframe, embed, object) load what a data: or
	// javascript: URL holds; an image or a video from one fetches nothing.
	doc := e == elemIframe || e == elemFrame || e == elemEmbed || e == elemObject
	for _, name := range urlAttrs[e] {
		if at[name] == 0 {
			continue
		}
		v, ok := at.value(tag, attrs, name)
		if !ok || len(v) == 0 {
			continue
		}
		var c string
		switch name {
		case anSrcset, anImagesrcset:
			v = r.decode(v)
			for i := 0; i < len(v) && c == ""; {
				var u []byte
				u, i = nextSrcsetURL(v, i)
				c = r.urlCategory(u, false)
			}
		case anSrcdoc:
			c = r.textCategory(r.decode(v))
		case anPing:
			// A list of URLs, each pinged.
			v = r.decode(v)
			for i := 0; i < len(v) && c == ""; {
				var u []byte
				u, i = nextWord(v, i)
				c = r.urlCategory(u, false)
			}
		default:
			c = r.rawURLCategory(v, doc)
			// A link's data: URL is a style sheet whose url()s and
			// @imports load, a script's one runs (Chromium fetches what
			// they name): judged by the hosts its text names, as a
			// document's.
			if c == "" && dataDoc[e] && mayBeData(v) {
				c = r.urlCategory(r.decode(v), true)
			}
		}
		if c != "" {
			return c
		}
	}
	return ""
}

// urlCategory returns the category of a URL the visitor has not granted, or
// "": absolute and protocol-relative URLs by their host, relative ones by
// the document's <base href> host, and data: and javascript: URLs by the
// hosts their content names (an iframe of a data: document holding a
// tracker's script loads it as surely as the tracker's own URL).
func (r *Rewriter) urlCategory(u []byte, doc bool) string {
	if len(u) == 0 {
		return ""
	}
	if c, ok := r.hosts.LookupURLBytes(r.tab, u); ok {
		if r.allowed(c) {
			return ""
		}
		r.hit(ReasonHost, u)
		return c
	}
	if !doc && r.baseLen == 0 {
		return "" // neither case below can apply: no need for the scheme
	}
	switch scheme := urlScheme(u); scheme {
	case "":
		if r.baseLen > 0 {
			if c, ok := r.lookupHost(r.base[:r.baseLen]); ok && !r.allowed(c) {
				r.hit(ReasonHost, r.base[:r.baseLen])
				return c
			}
		}
	case "data", "javascript":
		if doc {
			return r.textCategory(r.urlPayload(u, scheme == "data"))
		}
	}
	return ""
}

// rawURLCategory is urlCategory(r.decode(v), doc) for an attribute's raw
// value v, without resolving its character references when the answer
// cannot depend on them: nine URLs in ten name no tracker, and finding
// that out from the scheme and authority alone spares the search for '&'
// over the whole value. The quick lookup (HostCache.NoTracker) reads only
// the scheme and authority, which end at the first byte that is not a host
// byte ('&' is not), or the first two bytes of a relative URL: when those
// two are not '&', every byte it reads is the same in the decoded value.
// Without a document (doc) or a <base href>, urlCategory says "" for
// every URL the table does not match.
func (r *Rewriter) rawURLCategory(v []byte, doc bool) string {
	if !doc && r.baseLen == 0 && len(v) > 0 && v[0] != '&' && (len(v) < 2 || v[1] != '&') &&
		r.hosts.NoTracker(r.tab, v) {
		return ""
	}
	return r.urlCategory(r.decode(v), doc)
}

// urlScheme returns the lower-case scheme of a URL ("" for a relative or
// protocol-relative one, "other" for one too long to matter), ignoring the
// leading spaces and controls and the tabs and newlines a browser ignores.
func urlScheme(u []byte) string {
	var buf [12]byte
	n := 0
	i := 0
	for i < len(u) && u[i] <= ' ' {
		i++
	}
	for ; i < len(u); i++ {
		c := u[i]
		if c == '\t' || c == '\n' || c == '\r' {
			continue
		}
		if c == ':' {
			break
		}
		if !(isAlpha(c) || n > 0 && schemeChar(c)) {
			return ""
		}
		if n == len(buf) {
			return "other"
		}
		buf[n] = lower(c)
		n++
	}
	if i == len(u) || n == 0 {
		return ""
	}
	switch string(buf[:n]) {
	case "data":
		return "data"
	case "javascript":
		return "javascript"
	case "http", "https":
		return "http"
	}
	return "other"
}

// urlPayload returns what a data: or javascript: URL holds: after the first
// comma (data:, base64-decoded when it says ;base64) or after the colon,
// percent-decoded. The result lives in r.pay until the next call.
func (r *Rewriter) urlPayload(u []byte, data bool) []byte {
	k := bytes.IndexByte(u, ':') + 1
	b64 := false
	if data {
		c := bytes.IndexByte(u, ',')
		if c < 0 {
			return nil
		}
		meta := u[k:c]
		b64 = len(meta) >= 7 && equalFold(meta[len(meta)-7:], ";base64")
		k = c + 1
	}
	out := r.pay[:0]
	for i := k; i < len(u); i++ {
		c := u[i]
		if c == '%' && i+2 < len(u) && isHexDigit(u[i+1]) && isHexDigit(u[i+2]) {
			c = unhexDigit(u[i+1])<<4 | unhexDigit(u[i+2])
			i += 2
		}
		out = append(out, c)
	}
	if b64 {
		out = decodeBase64(out)
	}
	r.pay = out
	return out
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhexDigit(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// decodeBase64 decodes standard or URL-safe base64 in place, skipping
// whitespace and stopping at padding or the first byte that is neither.
func decodeBase64(b []byte) []byte {
	var acc uint32
	bits, n := 0, 0
	for _, c := range b {
		var v byte
		switch {
		case 'A' <= c && c <= 'Z':
			v = c - 'A'
		case 'a' <= c && c <= 'z':
			v = c - 'a' + 26
		case '0' <= c && c <= '9':
			v = c - '0' + 52
		case c == '+' || c == '-':
			v = 62
		case c == '/' || c == '_':
			v = 63
		case isSpace(c):
			continue
		default:
			return b[:n]
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			b[n] = byte(acc >> bits)
			n++
		}
	}
	return b[:n]
}

// refreshURL returns the URL of a meta refresh's content ("5; url=…"), or nil.
func refreshURL(c []byte) []byte {
	i := 0
	for i < len(c) && (isSpace(c[i]) || '0' <= c[i] && c[i] <= '9' || c[i] == '.') {
		i++
	}
	for i < len(c) && (isSpace(c[i]) || c[i] == ';' || c[i] == ',') {
		i++
	}
	if i+3 <= len(c) && equalFold(c[i:i+3], "url") {
		j := i + 3
		for j < len(c) && isSpace(c[j]) {
			j++
		}
		if j < len(c) && c[j] == '=' {
			i = j + 1
			for i < len(c) && isSpace(c[i]) {
				i++
			}
		}
	}
	u := c[i:]
	if len(u) > 0 && (u[0] == '"' || u[0] == '\'') {
		if k := bytes.IndexByte(u[1:], u[0]); k >= 0 {
			u = u[1 : 1+k]
		} else {
			u = u[1:]
		}
	}
	return u
}

// neutralise renames the attributes that load or run something and adds
// data-ck-blocked (and type="text/plain" for scripts, and a sanitised style)
// right after the tag name, where they win over any duplicate further on.
// cat blocks the element itself, styleCats only its style attribute, whose
// sanitised copy is in r.css, and the attributes of r.paint (for
// r.paintCats, see decideSVG).
func (r *Rewriter) neutralise(e elem, tag []byte, nameEnd int, attrs []attr, cat, styleCats string) []byte {
	out := append(r.out[:0], tag[:nameEnd]...)
	if e == elemScript && cat != "" {
		out = append(out, ` type="text/plain"`...)
	}
	out = append(out, ` data-ck-blocked="`...)
	blocked := cat
	if styleCats != "" {
		blocked = r.joinList(blocked, styleCats)
	}
	if r.paintCats != "" {
		blocked = r.joinList(blocked, r.paintCats)
	}
	out = appendEscaped(out, blocked)
	out = append(out, '"')
	if name := placeholderAttr[e]; name != anNone && cat != "" {
		ph := r.cfg.Placeholder
		if e != elemIframe {
			ph = r.cfg.ObjectPlaceholder
		}
		if ph != nil {
			src, _ := value(tag, attrs, attrNameSet.words[name])
			r.ph = ph(r.ph[:0], cat, r.decode(src))
			out = append(out, ' ')
			out = append(out, attrNameSet.words[name]...)
			out = append(out, `="`...)
			out = appendEscapedBytes(out, r.ph)
			out = append(out, '"')
		}
	}
	if styleCats != "" {
		out = append(out, ` style="`...)
		out = appendEscapedBytes(out, r.css)
		out = append(out, '"')
	}
	var mask uint32
	if cat != "" {
		mask = renamedMask[e]
	}
	if styleCats != "" {
		mask |= 1 << anStyle
	}
	prev := nameEnd
	if r.paint != 0 {
		out, prev = renamePaint(out, tag, prev, attrs, mask, r.paint)
	} else {
		for _, a := range attrs {
			if id := attrNameSet.find(tag[a.ns:a.ne]); mask>>id&1 != 0 {
				out = append(out, tag[prev:a.ns]...)
				out = append(out, "data-ck-"...)
				out = append(out, attrNameSet.words[id]...)
				prev = a.ne
			}
		}
	}
	out = append(out, tag[prev:]...)
	r.out = out
	return out
}

// renamePaint is neutralise's renaming for a tag with presentation
// attributes to rename (paint, see paintCategories) besides those of mask:
// a loop of its own, so that the common one stays as small as it was.
func renamePaint(out, tag []byte, prev int, attrs []attr, mask uint32, paint uint64) ([]byte, int) {
	for k, a := range attrs {
		id := attrNameSet.find(tag[a.ns:a.ne])
		if mask>>id&1 == 0 && (k >= 64 || paint>>k&1 == 0) {
			continue
		}
		out = append(out, tag[prev:a.ns]...)
		out = append(out, "data-ck-"...)
		if id != 0 && mask>>id&1 != 0 {
			out = append(out, attrNameSet.words[id]...)
		} else {
			// In lower case, as the names above.
			for _, c := range tag[a.ns:a.ne] {
				out = append(out, lower(c))
			}
		}
		prev = a.ne
	}
	return out, prev
}

// joinList adds the categories of the space-separated list to blocked.
func (r *Rewriter) joinList(blocked, list string) string {
	for rest := list; rest != ""; {
		w, after, _ := cutSpace(rest)
		blocked = r.joinCategories(blocked, w)
		rest = after
	}
	return blocked
}

// declaresCharset reports whether a meta start tag declares the document's
// character encoding.
func declaresCharset(tag []byte, r *Rewriter) bool {
	_, _, attrs := parseTag(tag, r.attrs)
	r.attrs = attrs
	if _, ok := value(tag, attrs, "charset"); ok {
		return true
	}
	v, _ := value(tag, attrs, "http-equiv")
	return equalFold(bytes.TrimSpace(v), "content-type")
}

// fetchingLink reports whether a link's rel makes the browser load its href.
func fetchingLink(rel []byte) bool {
	for i := 0; i < len(rel); {
		var w []byte
		w, i = nextWord(rel, i)
		if fetchingRels.find(w) != 0 {
			return true
		}
	}
	return false
}

// nextWord returns the space-separated word of v at or after v[i], empty at
// the end of v, and the index after it: the items of a rel or a ping.
func nextWord(v []byte, i int) ([]byte, int) {
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	j := spaceFrom(v, i)
	return v[i:j], j
}

// fetchingRels are the link types that make a browser load a link's href.
var fetchingRels = newWordSet([]string{"",
	"stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch",
	"prerender", "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "manifest",
	"compression-dictionary",
})

// nextSrcsetURL returns the URL of the image candidate starting at or after
// v[i] (the text up to its first whitespace) and the index where the next
// candidate starts; u is empty when there is none.
func nextSrcsetURL(v []byte, i int) (u []byte, next int) {
	for i < len(v) && (isSpace(v[i]) || v[i] == ',') {
		i++
	}
	start := i
	i = spaceFrom(v, i)
	u = v[start:i]
	for len(u) > 0 && u[len(u)-1] == ',' {
		u = u[:len(u)-1]
	}
	if len(u) < i-start {
		// The URL ended in a comma: no descriptors follow.
		return u, i
	}
	// Skip the descriptors up to the next comma outside parentheses.
	depth := 0
	for i < len(v) && (v[i] != ',' || depth > 0) {
		switch v[i] {
		case '(':
			depth++
		case ')':
			depth = max(depth-1, 0)
		}
		i++
	}
	return u, i
}

// spaceFrom returns the index of the first space (isSpace) in v at or after
// i, or len(v). It reads eight bytes a step, as srcset URLs are long: the
// lowest byte of a word below '!' is found exactly by (w - 0x21…) & ^w &
// 0x80… (a byte's borrow only spoils the bytes above it), and is a space
// or, rarely, another control byte, which is stepped over.
func spaceFrom(v []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i+8 <= len(v) {
		w := binary.LittleEndian.Uint64(v[i:])
		m := (w - ones*'!') &^ w & highs
		if m == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(m) / 8
		if isSpace(v[i]) {
			return i
		}
		i++
	}
	for i < len(v) && !isSpace(v[i]) {
		i++
	}
	return i
}

// equalFold reports whether b equals the lower-case ASCII string s, ignoring
// the case of b.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for k := range len(s) {
		if lower(b[k]) != s[k] {
			return false
		}
	}
	return true
}

// category normalises a data-consent value to a lower-case category name,
// reusing the strings of earlier calls so that the usual names cost no
// allocation.
func (r *Rewriter) category(v []byte) string {
	v = bytes.TrimSpace(r.decode(v))
	if len(v) == 0 {
		return ""
	}
	for _, c := range wellKnown {
		if equalFold(v, c) {
			return c
		}
	}
	for _, c := range r.cats {
		if equalFold(v, c) {
			return c
		}
	}
	low := make([]byte, len(v))
	for k := range v {
		low[k] = lower(v[k])
	}
	c := string(low)
	if len(r.cats) < 32 {
		r.cats = append(r.cats, c)
	}
	return c
}

var wellKnown = [...]string{Necessary, trackers.Analytics, trackers.Marketing, "preferences", "functional", "statistics"}

// Necessary is the category that is always granted.
const Necessary = "necessary"

func (r *Rewriter) allowed(cat string) bool {
	if cat == Necessary {
		return true
	}
	return r.cfg.Consent != nil && r.cfg.Consent.Allowed(cat)
}

func (r *Rewriter) notify(e elem, tag []byte) {
	if r.onTag != nil && (e == elemScript || e == elemIframe) {
		r.onTag(elemNames[e], tag)
	}
}

// appendEscaped appends s to out as the value of a double-quoted attribute.
// A category name needs no escaping, so s is searched first and appended in
// one copy when it holds no byte to escape: appending byte by byte through
// the switch cost four times as much. It takes bytes too (the sanitised
// style, a placeholder), so that the two callers share one body.
func appendEscaped[S string | []byte](out []byte, s S) []byte {
	k := 0
	for k < len(s) && !attrEscaped[s[k]] {
		k++
	}
	out = append(out, s[:k]...)
	for ; k < len(s); k++ {
		switch c := s[k]; c {
		case '&':
			out = append(out, "&amp;"...)
		case '"':
			out = append(out, "&quot;"...)
		case '<':
			out = append(out, "&lt;"...)
		default:
			out = append(out, c)
		}
	}
	return out
}

// rewriteNoscript rewrites the content of a noscript element the way a
// browser with scripting disabled parses it: as markup, where an img or an
// iframe loads. With scripting enabled that content is inert text, so the
// change is invisible there.
func (r *Rewriter) rewriteNoscript(content []byte) {
	c := r.child
	if c == nil {
		c = new(Rewriter)
		r.child = c
	}
	c.Reset(r.dst, Config{Consent: r.cfg.Consent, Trackers: r.tab, Report: r.cfg.Report})
	c.headPending, c.bodyPending, c.bodyStartPending = false, false, false
	c.scriptingOff = true
	c.maxTag = r.maxTag
	c.run(content)
	_ = c.Close()
	if c.err != nil && r.err == nil {
		r.err = c.err
	}
}

// attrEscaped marks the bytes appendEscaped and appendEscapedBytes escape.
var attrEscaped = [256]bool{'&': true, '"': true, '<': true}

// appendEscapedBytes is appendEscaped for bytes.
func appendEscapedBytes(out, s []byte) []byte { return appendEscaped(out, s) }
