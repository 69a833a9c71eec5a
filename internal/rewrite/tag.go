package rewrite

import (
	"bytes"

	"github.com/consentkit/consentkit/internal/trackers"
)

// attr locates one attribute inside a complete tag. vs is -1 when the
// attribute has no value.
type attr struct {
	ns, ne, vs, ve int
}

// parseTag splits a complete start tag (from '<' to '>') into its name's end
// and its attributes, with the same state rules as the streaming tokenizer.
func parseTag(tag []byte, attrs []attr) (nameEnd int, _ []attr) {
	attrs = attrs[:0]
	i := 1
	for i < len(tag) && !tagNameStop[tag[i]] {
		i++
	}
	nameEnd = i
	for i < len(tag) {
		c := tag[i]
		if c == '>' {
			break
		}
		if isSpace(c) || c == '/' {
			i++
			continue
		}
		a := attr{ns: i, vs: -1}
		i++ // the first character is part of the name even when it is '='
		for i < len(tag) && !attrNameStop[tag[i]] {
			i++
		}
		a.ne = i
		j := i
		for j < len(tag) && isSpace(tag[j]) {
			j++
		}
		if j < len(tag) && tag[j] == '=' {
			j++
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

// renamed lists, per element, the attributes that would make the browser run
// or fetch something. A blocked element keeps them as data-ck-<name>.
var renamed = [...][]string{
	elemScript: {"src", "type", "href", "xlink:href"},
	elemIframe: {"src", "srcdoc"},
	elemImg:    {"src", "srcset"},
	elemLink:   {"href", "imagesrcset"},
}

// urlAttrs lists, per element, the attributes whose URLs are looked up in
// the tracker table. href on script is SVG's way to load one.
var urlAttrs = [...][]string{
	elemScript: {"src", "href", "xlink:href"},
	elemIframe: {"src"},
	elemImg:    {"src", "srcset"},
	elemLink:   {"href", "imagesrcset"},
}

// decide returns the neutralised form of a script, iframe, img or link start
// tag, or nil to keep it as it is.
func (r *Rewriter) decide(e elem, tag []byte) []byte {
	r.notify(e, tag)
	nameEnd, attrs := parseTag(tag, r.attrs)
	r.attrs = attrs
	cat := ""
	if v, ok := value(tag, attrs, "data-consent"); ok {
		cat = r.category(v)
	}
	if cat == "" {
		if e == elemLink && !fetchingLink(r.decode(valueOrNil(tag, attrs, "rel"))) {
			return nil
		}
		cat = r.trackerCategory(e, tag, attrs)
	}
	if cat == "" || r.allowed(cat) {
		return nil
	}
	return r.neutralise(e, tag, nameEnd, attrs, cat)
}

func valueOrNil(tag []byte, attrs []attr, name string) []byte {
	v, _ := value(tag, attrs, name)
	return v
}

// trackerCategory returns the category of the first URL of the tag that
// points to a tracker the visitor did not grant, or of the first tracker at
// all when every one is granted (which then keeps the tag), or "".
func (r *Rewriter) trackerCategory(e elem, tag []byte, attrs []attr) string {
	found := ""
	for _, name := range urlAttrs[e] {
		v, ok := value(tag, attrs, name)
		if !ok || len(v) == 0 {
			continue
		}
		v = r.decode(v)
		if name == "srcset" || name == "imagesrcset" {
			for i := 0; i < len(v); {
				var u []byte
				u, i = nextSrcsetURL(v, i)
				if c, ok := r.tab.LookupURLBytes(u); ok {
					if !r.allowed(c) {
						return c
					}
					found = c
				}
			}
			continue
		}
		if c, ok := r.tab.LookupURLBytes(v); ok {
			if !r.allowed(c) {
				return c
			}
			found = c
		}
	}
	return found
}

// neutralise renames the attributes that load or run something and adds
// data-ck-blocked (and type="text/plain" for scripts) right after the tag
// name, where they win over any duplicate further on.
func (r *Rewriter) neutralise(e elem, tag []byte, nameEnd int, attrs []attr, cat string) []byte {
	out := append(r.out[:0], tag[:nameEnd]...)
	if e == elemScript {
		out = append(out, ` type="text/plain"`...)
	}
	out = append(out, ` data-ck-blocked="`...)
	out = appendEscaped(out, cat)
	out = append(out, '"')
	prev := nameEnd
	for _, a := range attrs {
		for _, name := range renamed[e] {
			if nameIs(tag, a, name) {
				out = append(out, tag[prev:a.ns]...)
				out = append(out, "data-ck-"...)
				out = append(out, name...)
				prev = a.ne
				break
			}
		}
	}
	out = append(out, tag[prev:]...)
	r.out = out
	return out
}

// declaresCharset reports whether a meta start tag declares the document's
// character encoding.
func declaresCharset(tag []byte, r *Rewriter) bool {
	_, attrs := parseTag(tag, r.attrs)
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
		for i < len(rel) && isSpace(rel[i]) {
			i++
		}
		start := i
		for i < len(rel) && !isSpace(rel[i]) {
			i++
		}
		for _, kw := range fetchingRels {
			if equalFold(rel[start:i], kw) {
				return true
			}
		}
	}
	return false
}

var fetchingRels = [...]string{
	"stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch",
	"prerender", "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "manifest",
}

// nextSrcsetURL returns the URL of the image candidate starting at or after
// v[i] (the text up to its first whitespace) and the index where the next
// candidate starts; u is empty when there is none.
func nextSrcsetURL(v []byte, i int) (u []byte, next int) {
	for i < len(v) && (isSpace(v[i]) || v[i] == ',') {
		i++
	}
	start := i
	for i < len(v) && !isSpace(v[i]) {
		i++
	}
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

func appendEscaped(out []byte, s string) []byte {
	for k := 0; k < len(s); k++ {
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
	c.Reset(r.dst, Config{Consent: r.cfg.Consent, Trackers: r.tab})
	c.headPending, c.bodyPending = false, false
	c.scriptingOff = true
	c.maxTag = r.maxTag
	c.run(content)
	_ = c.Close()
	if c.err != nil && r.err == nil {
		r.err = c.err
	}
}
