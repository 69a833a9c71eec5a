package corpustest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Finding is one live element of a page that would fetch or run a tracker.
type Finding struct {
	Kind     string // what fetches: "script src", "img srcset", "inline script", "style element", "link stylesheet", …
	Element  string // the start tag, shortened
	URL      string // the tracker URL; for an inline script or a data: document, an excerpt around the first mention
	Host     string // the tracker host
	By       string // which list knows the host: "table", "own list only" or "table+own"
	NoScript bool   // inside <noscript>: live only for a browser without JavaScript
	Size     int    // the length of an inline script or style text, 0 otherwise
}

func (f Finding) String() string {
	where := ""
	if f.NoScript {
		where = " (in noscript)"
	}
	size := ""
	if f.Size > 0 {
		size = fmt.Sprintf(" [%d bytes]", f.Size)
	}
	return fmt.Sprintf("%s%s%s: %s [host %s, %s] in %s", f.Kind, where, size, f.URL, f.Host, f.By, f.Element)
}

// Check parses a page and returns every live element that would fetch or
// run a tracker, as a browser would see it both with JavaScript (where
// <noscript> content is text) and without (where it is markup): the union of
// the two parses, an element found in both counted once. pageURL is the
// address the page is served at; relative URLs resolve against the page's
// <base href> when it has one, else against pageURL.
//
// "Live" follows the data-ck contract of internal/rewrite: an attribute that
// was renamed to data-ck-<name> no longer fetches, a script whose type is not
// JavaScript (text/plain once neutralised) neither runs nor fetches, and a
// CSS URL a browser cannot parse goes nowhere: the rewriter's
// "//[ck=<category>]" prefix (an invalid IPv6 host), as the earlier
// "about:invalid#ck=" did. Contents of <template> are inert and skipped.
func Check(doc []byte, pageURL string) []Finding {
	base, _ := url.Parse(pageURL)
	return check(doc, base, 0)
}

// check runs both parses of doc, whose base URL is docURL unless it has a
// <base href> of its own.
func check(doc []byte, docURL *url.URL, depth int) []Finding {
	var out []Finding
	seen := map[string]int{}
	mentions := map[string]mention{} // script texts appear in both parses
	for _, scripting := range []bool{true, false} {
		root, err := html.ParseWithOptions(bytes.NewReader(doc), html.ParseOptionEnableScripting(scripting))
		if err != nil {
			continue
		}
		c := &checker{base: baseURL(root, docURL), depth: depth, mentions: mentions}
		c.walk(root, false)
		this := map[string]int{}
		for _, f := range c.out {
			k := f.Kind + "\x00" + f.URL + "\x00" + f.Element
			this[k]++
			if this[k] > seen[k] {
				seen[k] = this[k]
				out = append(out, f)
			}
		}
	}
	return out
}

// baseURL returns the document's base URL: the first <base href>, resolved
// against the document's address.
func baseURL(root *html.Node, docURL *url.URL) *url.URL {
	for n := range root.Descendants() {
		if n.Type == html.ElementNode && n.Namespace == "" && n.Data == "base" {
			if h, ok := attr(n, "", "href"); ok {
				ref, err := url.Parse(strings.ReplaceAll(cleanURL(h), `\`, "/"))
				switch {
				case err != nil:
					return docURL
				case docURL != nil:
					return docURL.ResolveReference(ref)
				case ref.IsAbs():
					return ref
				}
				return nil
			}
		}
	}
	return docURL
}

type checker struct {
	base     *url.URL
	depth    int
	out      []Finding
	mentions map[string]mention
}

// mention is what MentionedTrackers found in a script text.
type mention struct {
	hosts []string
	at    int
}

func (c *checker) walk(n *html.Node, noscript bool) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type != html.ElementNode {
			continue
		}
		if ch.Namespace == "" && ch.Data == "template" {
			continue // inert contents
		}
		c.element(ch, noscript)
		c.walk(ch, noscript || (ch.Namespace == "" && ch.Data == "noscript"))
	}
}

// fetchingRels are link relations that make a browser fetch or connect.
var fetchingRels = map[string]bool{
	"stylesheet": true, "preload": true, "modulepreload": true, "prefetch": true, "preconnect": true,
	"dns-prefetch": true, "prerender": true, "icon": true, "apple-touch-icon": true,
	"apple-touch-icon-precomposed": true, "apple-touch-startup-image": true, "mask-icon": true,
	"fluid-icon": true, "manifest": true, "import": true, "compression-dictionary": true,
}

// svgURLAttrs are SVG's presentation attributes whose url() Chromium
// fetches with the page (a paint server, clip path, mask, marker or cursor
// in another document).
var svgURLAttrs = []string{"fill", "stroke", "clip-path", "mask", "marker-start", "marker-mid", "marker-end", "cursor"}

func (c *checker) element(n *html.Node, noscript bool) {
	tag := n.Data
	if n.Namespace == "svg" {
		switch tag {
		case "script":
			if scriptExecutable(n) {
				external := false
				for _, a := range []struct{ ns, key string }{{"", "href"}, {"xlink", "href"}} {
					if v, ok := attr(n, a.ns, a.key); ok {
						external = true
						c.url(n, noscript, "svg script "+qual(a.ns, a.key), v)
					}
				}
				if !external {
					c.script(n, noscript, "svg inline script", text(n))
				}
			}
		case "image", "feImage", "use":
			for _, a := range []struct{ ns, key string }{{"", "href"}, {"xlink", "href"}} {
				if v, ok := attr(n, a.ns, a.key); ok {
					c.url(n, noscript, "svg "+tag+" "+qual(a.ns, a.key), v)
				}
			}
		case "style":
			c.css(n, noscript, "style element", text(n))
		}
		if n.Namespace == "svg" {
			for _, key := range svgURLAttrs {
				if v, ok := attr(n, "", key); ok {
					c.css(n, noscript, "svg "+key, v)
				}
			}
			if tag == "set" || tag == "animate" {
				// An animation puts these values into its target's
				// attribute when it starts: a URL for an href.
				target, _ := attr(n, "", "attributeName")
				target = strings.TrimSpace(target)
				for _, key := range []string{"to", "from", "by", "values"} {
					v, ok := attr(n, "", key)
					if !ok {
						continue
					}
					if strings.EqualFold(target, "href") || strings.EqualFold(target, "xlink:href") {
						for _, u := range strings.Split(v, ";") {
							c.url(n, noscript, "svg "+tag+" "+key, strings.TrimSpace(u))
						}
					} else {
						c.css(n, noscript, "svg "+tag+" "+key, v)
					}
				}
			}
		}
		c.styleAttr(n, noscript)
		return
	}
	if n.Namespace != "" {
		c.styleAttr(n, noscript)
		return
	}
	switch tag {
	case "script":
		if scriptExecutable(n) {
			if v, ok := attr(n, "", "src"); ok {
				if data, isData := dataURL(v); isData {
					c.script(n, noscript, "script data: URL", string(data))
				} else {
					c.url(n, noscript, "script src", v)
				}
			} else {
				c.script(n, noscript, "inline script", text(n))
			}
		}
	case "img":
		c.attrURL(n, noscript, "img", "src")
		c.attrSrcset(n, noscript, "img", "srcset")
	case "iframe", "frame":
		if v, ok := attr(n, "", "src"); ok {
			if data, isData := dataURL(v); isData {
				c.document(n, noscript, tag+" data: document", data)
			} else {
				c.url(n, noscript, tag+" src", v)
			}
		}
		if tag == "iframe" {
			if v, ok := attr(n, "", "srcdoc"); ok {
				c.document(n, noscript, "iframe srcdoc", []byte(v))
			}
		}
	case "embed", "object":
		key := "src"
		if tag == "object" {
			key = "data"
		}
		if v, ok := attr(n, "", key); ok {
			if data, isData := dataURL(v); isData {
				c.document(n, noscript, tag+" data: document", data)
			} else {
				c.url(n, noscript, tag+" "+key, v)
			}
		}
	case "link":
		rel, _ := attr(n, "", "rel")
		var fetching []string
		for _, r := range strings.Fields(strings.ToLower(rel)) {
			if fetchingRels[r] {
				fetching = append(fetching, r)
			}
		}
		if len(fetching) > 0 {
			kind := "link " + strings.Join(fetching, " ")
			c.attrURL(n, noscript, kind, "href")
			c.attrSrcset(n, noscript, kind, "imagesrcset")
		}
	case "video":
		c.attrURL(n, noscript, "video", "src")
		c.attrURL(n, noscript, "video", "poster")
	case "audio":
		c.attrURL(n, noscript, "audio", "src")
	case "source":
		c.attrURL(n, noscript, "source", "src")
		c.attrSrcset(n, noscript, "source", "srcset")
	case "track":
		c.attrURL(n, noscript, "track", "src")
	case "input":
		if t, _ := attr(n, "", "type"); strings.EqualFold(strings.TrimSpace(t), "image") {
			c.attrURL(n, noscript, "input type=image", "src")
		}
	case "body", "table", "td", "th", "tr", "tbody", "thead", "tfoot", "col", "colgroup":
		c.attrURL(n, noscript, tag, "background")
	case "a", "area":
		// Hyperlink auditing: each URL of the list is pinged as the link
		// is followed.
		if v, ok := attr(n, "", "ping"); ok {
			for _, u := range strings.Fields(v) {
				c.url(n, noscript, tag+" ping", u)
			}
		}
	case "meta":
		if h, _ := attr(n, "", "http-equiv"); strings.EqualFold(strings.TrimSpace(h), "refresh") {
			if v, ok := attr(n, "", "content"); ok {
				if u := refreshURL(v); u != "" {
					c.url(n, noscript, "meta refresh", u)
				}
			}
		}
	case "style":
		c.css(n, noscript, "style element", text(n))
	}
	c.styleAttr(n, noscript)
}

func qual(ns, key string) string {
	if ns == "" {
		return key
	}
	return ns + ":" + key
}

func (c *checker) attrURL(n *html.Node, noscript bool, kind, key string) {
	if v, ok := attr(n, "", key); ok {
		c.url(n, noscript, kind+" "+key, v)
	}
}

func (c *checker) attrSrcset(n *html.Node, noscript bool, kind, key string) {
	if v, ok := attr(n, "", key); ok {
		for _, u := range srcsetURLs(v) {
			c.url(n, noscript, kind+" "+key, u)
		}
	}
}

func (c *checker) styleAttr(n *html.Node, noscript bool) {
	if v, ok := attr(n, "", "style"); ok {
		c.css(n, noscript, "style attribute", v)
	}
}

// url records raw when it leads to a tracker host.
func (c *checker) url(n *html.Node, noscript bool, kind, raw string) {
	host, abs := c.resolve(raw)
	j := Judge(host)
	if !j.Tracker() {
		return
	}
	c.out = append(c.out, Finding{Kind: kind, Element: render(n), URL: cut(abs, 200), Host: host, By: j.By(), NoScript: noscript})
}

// css records every tracker URL of a style sheet or declaration list.
func (c *checker) css(n *html.Node, noscript bool, kind, text string) {
	for _, u := range CSSURLs(text) {
		host, abs := c.resolve(u)
		j := Judge(host)
		if !j.Tracker() {
			continue
		}
		f := Finding{Kind: kind, Element: render(n), URL: cut(abs, 200), Host: host, By: j.By(), NoScript: noscript}
		if kind == "style element" {
			f.Size = len(text)
		}
		c.out = append(c.out, f)
	}
}

// script records an executable script whose text mentions a tracker host.
func (c *checker) script(n *html.Node, noscript bool, kind, text string) {
	m, ok := c.mentions[text]
	if !ok {
		m.hosts, m.at = MentionedTrackers(text)
		c.mentions[text] = m
	}
	hosts, at := m.hosts, m.at
	if len(hosts) == 0 {
		return
	}
	j := Judge(hosts[0])
	lo, hi := max(0, at-60), min(len(text), at+100)
	excerpt := strings.Join(strings.Fields(text[lo:hi]), " ")
	c.out = append(c.out, Finding{Kind: kind, Element: render(n), URL: excerpt, Host: strings.Join(hosts, ","), By: j.By(), NoScript: noscript, Size: len(text)})
}

// document records an iframe srcdoc or data: document that holds a live
// tracker itself.
func (c *checker) document(n *html.Node, noscript bool, kind string, doc []byte) {
	if c.depth >= 3 {
		return
	}
	base := c.base // an iframe srcdoc document inherits its parent's base URL
	if kind != "iframe srcdoc" {
		base = nil // a data: document has an opaque origin: relative URLs go nowhere
	}
	inner := check(doc, base, c.depth+1)
	if len(inner) == 0 {
		return
	}
	f := inner[0]
	c.out = append(c.out, Finding{Kind: kind, Element: render(n), URL: "holds " + f.Kind + " " + f.URL, Host: f.Host, By: f.By, NoScript: noscript})
}

// resolve returns the host a browser would contact for raw, and the URL
// made absolute where that is possible (for reports). It follows the
// browser's URL parser where it matters: surrounding spaces and C0 controls
// are trimmed, tabs and newlines removed, and in http(s) and relative URLs
// a backslash is a slash.
func (c *checker) resolve(raw string) (host, abs string) {
	s := cleanURL(raw)
	if s == "" {
		return "", ""
	}
	scheme, rest := splitScheme(s)
	baseScheme, baseHost := "", ""
	if c.base != nil {
		baseScheme, baseHost = strings.ToLower(c.base.Scheme), strings.ToLower(c.base.Hostname())
	}
	switch scheme {
	case "":
		if len(rest) >= 2 && isSlash(rest[0]) && isSlash(rest[1]) {
			if baseScheme == "" {
				baseScheme = "https"
			}
			return authorityHost(rest), baseScheme + ":" + rest
		}
		if c.base == nil {
			return "", s
		}
		if u, err := c.base.Parse(strings.ReplaceAll(s, `\`, "/")); err == nil {
			return baseHost, u.String()
		}
		return baseHost, s
	case "http", "https", "ws", "wss":
		if len(rest) > 0 && isSlash(rest[0]) {
			return authorityHost(rest), s
		}
		if scheme == baseScheme {
			// "http:foo" is relative to a base of the same scheme.
			return baseHost, s
		}
		return authorityHost(rest), s
	}
	return "", s
}

// cleanURL trims what a browser trims from a URL attribute.
func cleanURL(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}
	return s
}

// splitScheme returns the lower-case scheme of s (or "" when s is
// relative) and what follows its colon.
func splitScheme(s string) (string, string) {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z':
		case i > 0 && ('0' <= ch && ch <= '9' || ch == '+' || ch == '-' || ch == '.'):
		case i > 0 && ch == ':':
			return strings.ToLower(s[:i]), s[i+1:]
		default:
			return "", s
		}
	}
	return "", s
}

func isSlash(c byte) bool { return c == '/' || c == '\\' }

// authorityHost returns the lower-case host of "//user@host:port/path".
func authorityHost(s string) string {
	s = strings.TrimLeft(s, `/\`)
	if i := strings.IndexAny(s, `/\?#`); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "[") {
		return ""
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	if strings.Contains(s, "%") {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	return strings.TrimRight(strings.ToLower(s), ".")
}

// dataURL decodes a data: URL's payload; ok is false for other URLs.
func dataURL(raw string) ([]byte, bool) {
	s := cleanURL(raw)
	scheme, rest := splitScheme(s)
	if scheme != "data" {
		return nil, false
	}
	meta, payload, found := strings.Cut(rest, ",")
	if !found {
		return nil, true
	}
	if strings.HasSuffix(strings.ToLower(strings.TrimSpace(meta)), ";base64") {
		clean := strings.Map(func(r rune) rune {
			if r <= ' ' {
				return -1
			}
			return r
		}, payload)
		if b, err := base64.StdEncoding.DecodeString(strings.TrimRight(clean, "=") + strings.Repeat("=", (4-len(strings.TrimRight(clean, "="))%4)%4)); err == nil {
			return b, true
		}
		if u, err := url.PathUnescape(clean); err == nil {
			if b, err := base64.StdEncoding.DecodeString(u); err == nil {
				return b, true
			}
		}
		return nil, true
	}
	if u, err := url.PathUnescape(payload); err == nil {
		return []byte(u), true
	}
	return []byte(payload), true
}

// scriptExecutable reports whether a script element's type makes a browser
// run (and fetch) it: the HTML standard's rules for the type and language
// attributes, with "module" counted as JavaScript.
func scriptExecutable(n *html.Node) bool {
	typ, hasType := attr(n, "", "type")
	lang, hasLang := attr(n, "", "language")
	var t string
	switch {
	case hasType && typ == "":
		return true
	case !hasType && (!hasLang || lang == ""):
		return true
	case hasType:
		t = typ
	default:
		t = "text/" + lang
	}
	t = strings.ToLower(strings.Trim(t, " \t\n\f\r"))
	return t == "module" || jsMIME[t]
}

// jsMIME are the JavaScript MIME type essences of the MIME Sniffing
// standard.
var jsMIME = map[string]bool{
	"application/ecmascript": true, "application/javascript": true, "application/x-ecmascript": true,
	"application/x-javascript": true, "text/ecmascript": true, "text/javascript": true,
	"text/javascript1.0": true, "text/javascript1.1": true, "text/javascript1.2": true,
	"text/javascript1.3": true, "text/javascript1.4": true, "text/javascript1.5": true,
	"text/jscript": true, "text/livescript": true, "text/x-ecmascript": true, "text/x-javascript": true,
}

// attr returns the first attribute of n with that namespace and key, as a
// browser keeps the first of duplicates.
func attr(n *html.Node, ns, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == ns && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.TextNode {
			b.WriteString(ch.Data)
		}
	}
	return b.String()
}

// render shows n's start tag with shortened attribute values.
func render(n *html.Node) string {
	var b strings.Builder
	b.WriteString("<" + n.Data)
	for _, a := range n.Attr {
		b.WriteString(" " + qual(a.Namespace, a.Key))
		if a.Val != "" {
			b.WriteString(`="` + cut(a.Val, 80) + `"`)
		}
	}
	b.WriteString(">")
	return cut(b.String(), 240)
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// srcsetURLs returns the URLs of a srcset (or imagesrcset) value.
func srcsetURLs(s string) []string {
	var out []string
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
	i := 0
	for i < len(s) {
		for i < len(s) && (isSpace(s[i]) || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			break
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		u := s[i:j]
		trimmed := strings.TrimRight(u, ",")
		out = append(out, trimmed)
		i = j
		if len(trimmed) < len(u) {
			continue // no descriptors
		}
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '(':
				depth++
			case ')':
				if depth > 0 {
					depth--
				}
			case ',':
				if depth == 0 {
					i++
					goto next
				}
			}
			i++
		}
	next:
	}
	return out
}

// refreshURL returns the URL of a meta refresh content value, "" when it
// only reloads.
func refreshURL(content string) string {
	ws := " \t\n\f\r"
	s := strings.TrimLeft(content, ws)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 {
		return ""
	}
	s = strings.TrimLeft(s[i:], ws)
	if s == "" {
		return ""
	}
	if s[0] == ';' || s[0] == ',' {
		s = strings.TrimLeft(s[1:], ws)
	}
	if len(s) >= 3 && strings.EqualFold(s[:3], "url") {
		t := strings.TrimLeft(s[3:], ws)
		if strings.HasPrefix(t, "=") {
			s = strings.TrimLeft(t[1:], ws)
		}
	}
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		q := s[0]
		s = s[1:]
		if j := strings.IndexByte(s, q); j >= 0 {
			s = s[:j]
		}
	}
	return s
}

// isHostByte reports whether c can be part of a host name as scripts
// write them (letters, digits, '-', '.').
func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}

// MentionedTrackers returns the distinct tracker hosts (by either list) that
// a script's text names, in order of first mention, and the offset of the
// first: every dotted run of host characters is looked up.
func MentionedTrackers(text string) ([]string, int) {
	var hosts []string
	first := -1
	var seen map[string]bool
	for i := 0; i < len(text); {
		if !isHostByte(text[i]) {
			i++
			continue
		}
		start, end := i, i
		for end < len(text) && isHostByte(text[end]) {
			end++
		}
		i = end
		if start > 0 && text[start-1] == '\\' {
			// "https:\u002F\u002Fwww.facebook.com" or "\x2F\x2Fhost": the
			// escape's letters and digits are no part of the host.
			start += escapeLen(text[start:end])
		}
		cand := strings.Trim(text[start:end], ".-")
		if strings.IndexByte(cand, '.') < 0 {
			continue
		}
		h := strings.ToLower(cand)
		if seen[h] {
			continue
		}
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[h] = true
		if Judge(h).Tracker() {
			if first < 0 {
				first = start
			}
			hosts = append(hosts, h)
		}
	}
	return hosts, first
}

// escapeLen is the length of a JavaScript \uXXXX or \xXX escape's letters
// at the start of s (the backslash before it), 0 when there is none.
func escapeLen(s string) int {
	hex := func(t string) bool {
		for i := 0; i < len(t); i++ {
			if !isHexDigit(t[i]) {
				return false
			}
		}
		return true
	}
	switch {
	case len(s) > 5 && (s[0] == 'u' || s[0] == 'U') && hex(s[1:5]):
		return 5
	case len(s) > 3 && (s[0] == 'x' || s[0] == 'X') && hex(s[1:3]):
		return 3
	}
	return 0
}

// CSSURLs returns every URL a style sheet or declaration list refers to:
// url(…) tokens (quoted or not), @import strings, and the strings of
// image-set(). Comments are skipped and CSS escapes decoded.
func CSSURLs(css string) []string {
	var out []string
	var stack []string
	importPending := false
	top := func() string {
		if len(stack) == 0 {
			return ""
		}
		return stack[len(stack)-1]
	}
	i := 0
	for i < len(css) {
		ch := css[i]
		switch {
		case ch == '/' && i+1 < len(css) && css[i+1] == '*':
			end := strings.Index(css[i+2:], "*/")
			if end < 0 {
				i = len(css)
			} else {
				i += 2 + end + 2
			}
		case ch == '"' || ch == '\'':
			s, n := cssString(css[i:])
			i += n
			if t := top(); importPending || t == "url" || t == "src" || strings.HasSuffix(t, "image-set") {
				out = append(out, s)
			}
		case ch == '@':
			name, n := cssName(css[i+1:])
			i += 1 + n
			if strings.EqualFold(name, "import") {
				importPending = true
			}
		case ch == '\\' || ch == '-' || ch == '_' || ch >= 0x80 || 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z':
			name, n := cssName(css[i:])
			if n == 0 {
				i++
				continue
			}
			i += n
			if i < len(css) && css[i] == '(' {
				i++
				fn := strings.ToLower(name)
				if fn == "url" {
					j := i
					for j < len(css) && isCSSSpace(css[j]) {
						j++
					}
					if j < len(css) && (css[j] == '"' || css[j] == '\'') {
						stack = append(stack, fn)
						continue
					}
					u, n := cssUnquotedURL(css[j:])
					out = append(out, u)
					i = j + n
					continue
				}
				stack = append(stack, fn)
			}
		case ch == '(':
			stack = append(stack, "")
			i++
		case ch == ')':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			i++
		case ch == ';' || ch == '{' || ch == '}':
			importPending = false
			i++
		default:
			i++
		}
	}
	return out
}

func isCSSSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// cssEscape decodes the escape at s[0] == '\\' and returns its text and
// length.
func cssEscape(s string) (string, int) {
	if len(s) < 2 {
		return "", len(s)
	}
	j := 1
	for j < len(s) && j < 7 && isHexDigit(s[j]) {
		j++
	}
	if j == 1 {
		if s[1] == '\n' {
			return "", 2
		}
		return s[1:2], 2
	}
	v, _ := strconv.ParseUint(s[1:j], 16, 32)
	r := rune(v)
	if j < len(s) && isCSSSpace(s[j]) {
		j++
	}
	if r == 0 || r > 0x10FFFF {
		r = 0xFFFD
	}
	return string(r), j
}

// cssName reads an identifier (with escapes) at the start of s.
func cssName(s string) (string, int) {
	var b strings.Builder
	i := 0
	for i < len(s) {
		ch := s[i]
		switch {
		case ch == '\\':
			t, n := cssEscape(s[i:])
			b.WriteString(t)
			i += n
		case ch == '-' || ch == '_' || ch >= 0x80 || 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9':
			b.WriteByte(ch)
			i++
		default:
			return b.String(), i
		}
	}
	return b.String(), i
}

// cssString reads a quoted string at the start of s.
func cssString(s string) (string, int) {
	q := s[0]
	var b strings.Builder
	i := 1
	for i < len(s) {
		ch := s[i]
		switch {
		case ch == q:
			return b.String(), i + 1
		case ch == '\n':
			return b.String(), i // unterminated: a bad string ends at the newline
		case ch == '\\':
			t, n := cssEscape(s[i:])
			b.WriteString(t)
			i += n
		default:
			b.WriteByte(ch)
			i++
		}
	}
	return b.String(), i
}

// cssUnquotedURL reads the rest of url( without quotes, up to and
// including the closing parenthesis.
func cssUnquotedURL(s string) (string, int) {
	var b strings.Builder
	i := 0
	for i < len(s) {
		ch := s[i]
		switch {
		case ch == ')':
			return strings.TrimRight(b.String(), " \t\n\r\f"), i + 1
		case ch == '\\':
			t, n := cssEscape(s[i:])
			b.WriteString(t)
			i += n
		default:
			b.WriteByte(ch)
			i++
		}
	}
	return strings.TrimRight(b.String(), " \t\n\r\f"), i
}
