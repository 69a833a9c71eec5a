package consent

import (
	"net/http"
	"strings"
)

// xmlDocCSP confines an XML document to its own origin. Chromium renders
// application/xhtml+xml, text/xml, application/xml, image/svg+xml and any
// other +xml type as a document and loads what its XHTML or SVG elements
// name (an <img src>, a <script src>, an <image href>), but the rewriter
// reads HTML, whose rules for <script/> and CDATA differ, and the banner
// would have to be well-formed XML: such a page is not rewritten. For a
// visitor who has not granted every category it goes out with this policy
// beside its own (a page obeys every policy it gets, so this only takes
// away): nothing off the site's origin is fetched, trackers or not, which
// fails closed. Inline scripts and styles still work; what a third party
// serves (a CDN's script too) waits until the visitor has granted
// everything on an HTML page of the site.
const xmlDocCSP = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:"

// rendersXML reports whether Chromium renders a body of media type t as an
// XML document (Blink's MIMETypeRegistry::IsXMLMIMEType, and XSL).
func rendersXML(t string) bool {
	n := len(t)
	if n < len("+xml") || t[n-1]|0x20 != 'l' { // most types: one byte compared
		return false
	}
	t = strings.ToLower(t)
	return strings.HasSuffix(t, "+xml") || t == "text/xml" || t == "application/xml" || t == "text/xsl"
}

// confineXMLDoc adds xmlDocCSP to an XML document's headers unless st grants
// every category.
func (m *Manager) confineXMLDoc(h http.Header, st *State) {
	if st != nil && st.set != nil && st.granted|1 == st.set.allMask {
		return
	}
	h.Add("Content-Security-Policy", xmlDocCSP)
	addVary(h, "Cookie")
}
