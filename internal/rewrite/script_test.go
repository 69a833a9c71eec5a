package rewrite

import (
	"strings"
	"testing"
)

// TestInlineScript holds inlineScript, which looks its attribute names up
// through attrIndex, to the rule it implements: no src, data-consent, href
// or xlink:href in any letter case, including after an attribute whose name
// shares one of theirs' slot, and a type a browser runs, or none.
func TestInlineScript(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		tag  string
		want bool
	}{
		{`<script>`, true},
		{`<script async defer>`, true},
		{`<script src=/a.js>`, false},
		{`<script SRC="/a.js">`, false},
		{`<script id=x src>`, false},
		{`<script data-consent=marketing>`, false},
		{`<script DATA-CONSENT>`, false},
		{`<script href=/a.js>`, false},
		{`<script id=a HREF=/a.js>`, false},
		{`<script xlink:href=/a.js>`, false},
		{`<script XLink:Href=/a.js>`, false},
		// The same slots as src, href and type: not those names.
		{`<script sxc=1 hxxf=2>`, true},
		{`<script sxc=1 src=/a.js>`, false},
		{`<script tyxe=text/plain>`, true},
		{`<script tyxe=1 type=text/plain>`, false},
		{`<script type=module>`, true},
		{`<script TYPE=" Text/JavaScript ; charset=utf-8">`, true},
		{`<script type="">`, true},
		{`<script type>`, true},
		{`<script type=text/plain>`, false},
		{`<script type=application/ld+json>`, false},
		{`<script type=speculationrules>`, true},
		{`<script type=text/plain type=module>`, false}, // the first counts
		{`<script type="&#116;ext/javascript">`, true},
		{`<script type=TEXT/JavaScript>`, true},
		{`<script type=application/X-ECMAScript>`, true},
		{`<script type=text/javascript1.6>`, false},
		{`<script type=text/jxvascript>`, false}, // text/javascript's slot
		{`<script type=text/javascripx>`, false},
		{`<script type=application/x-javascripx>`, false},
		{`<script type="text/javascript1.5 ">`, true},
	} {
		var r Rewriter
		if got := r.inlineScript([]byte(c.tag)); got != c.want {
			t.Errorf("inlineScript(%s) = %v, want %v", c.tag, got, c.want)
		}
	}
	// The script types a browser runs and speculation rules, each as
	// written (isJSType's fast path) and with capitals, spaces and a
	// parameter (the slow path), and with its last byte changed.
	for _, typ := range []string{
		"text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript",
		"application/x-javascript", "application/x-ecmascript", "text/x-javascript", "text/x-ecmascript",
		"text/jscript", "text/livescript", "text/javascript1.0", "text/javascript1.1", "text/javascript1.2",
		"text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "speculationrules",
	} {
		var r Rewriter
		for _, tag := range []string{`<script type=` + typ + `>`, `<script type=" ` + strings.ToUpper(typ) + `; x">`} {
			if !r.inlineScript([]byte(tag)) {
				t.Errorf("inlineScript(%s) = false, want true", tag)
			}
		}
		for _, tag := range []string{`<script type=` + typ[:len(typ)-1] + `>`, `<script type=` + typ + `x>`, `<script type=x` + typ + `>`} {
			if r.inlineScript([]byte(tag)) {
				t.Errorf("inlineScript(%s) = true, want false", tag)
			}
		}
	}
}

// TestReadOnceNeverPasses holds attrsOnce's short cut, which finishes the
// tags it reads without asking passes or watchSettings: passes is true only
// of elemOther and the elems from elemBreakout on, and watchSettings looks
// only at <a> (elemA, among those) and <button> (elemOther); readOnce must
// mark none of them.
func TestReadOnceNeverPasses(t *testing.T) {
	t.Parallel()
	for e := range numElems {
		if readOnce[e] && e-1 >= elemBreakout-1 {
			t.Errorf("readOnce marks %d (%q), whose tags may pass", e, elemNames[e])
		}
	}
}
