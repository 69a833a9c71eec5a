package rewrite

import (
	"bytes"
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

// TestInlineScriptTextEnd holds where script() says an inline script's text
// ends (r.ltAbs, the '<' of its end tag) to the byte: a text of exactly
// maxSnippetScan bytes is searched for snippets and one a byte longer is
// not, and a host that ends the text is read to its last letter. The end
// tag follows in the script data state and in its escaped states (after
// "<!--", and after "<!-- ... --"), which each set r.ltAbs; the input is
// split into two Writes at every position, and written a byte at a time.
func TestInlineScriptTextEnd(t *testing.T) {
	t.Parallel()
	const snippet = "fbq('init','1');"
	pad := func(head, tail string, n int) string {
		return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
	}
	for _, c := range []struct {
		name, text string
		blocked    bool
	}{
		{"snippet, longest searched", pad(snippet, "", maxSnippetScan), true},
		{"snippet, a byte too long", pad(snippet, "", maxSnippetScan+1), false},
		{"escaped, longest searched", pad("<!--"+snippet, "", maxSnippetScan), true},
		{"escaped, a byte too long", pad("<!--"+snippet, "", maxSnippetScan+1), false},
		{"after dashes, longest searched", pad("<!--"+snippet, "--", maxSnippetScan), true},
		{"after dashes, a byte too long", pad("<!--"+snippet, "--", maxSnippetScan+1), false},
		{"host at the end", "x='//www.google-analytics.com", true},
		{"escaped host at the end", "<!--x='//www.google-analytics.com", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := []byte("<p>a</p><script>" + c.text + "</script><p>b</p>")
			want := string(in)
			if c.blocked {
				if strings.Contains(c.text, "google") {
					want = `<p>a</p><script type="text/plain" data-ck-blocked="analytics">` + c.text + "</script><p>b</p>"
				} else {
					want = `<p>a</p><script type="text/plain" data-ck-blocked="marketing">` + c.text + "</script><p>b</p>"
				}
			}
			write := func(pieces ...[]byte) string {
				var out bytes.Buffer
				r := Get(&out, Config{})
				defer r.Put()
				for _, p := range pieces {
					if _, err := r.Write(p); err != nil {
						t.Fatal(err)
					}
				}
				if err := r.Close(); err != nil {
					t.Fatal(err)
				}
				return out.String()
			}
			for k := 0; k <= len(in); k++ {
				if got := write(in[:k], in[k:]); got != want {
					t.Fatalf("split at %d: got %.200q..., want %.200q...", k, got, want)
				}
			}
			bytewise := make([][]byte, len(in))
			for k := range in {
				bytewise[k] = in[k : k+1]
			}
			if got := write(bytewise...); got != want {
				t.Fatalf("one-byte writes: got %.200q..., want %.200q...", got, want)
			}
		})
	}
}

// TestReadOnceNeverPasses holds attrsOnce's short cut, which finishes the
// tags it reads without asking passes or watchSettings: passes is true only
// of elemOther and elemBreakout, and watchSettings looks only at <a> and
// <button>, which are elemOther; readOnce must mark neither.
func TestReadOnceNeverPasses(t *testing.T) {
	t.Parallel()
	for e := range numElems {
		if readOnce[e] && e-1 >= elemBreakout-1 {
			t.Errorf("readOnce marks %d (%q), whose tags may pass", e, elemNames[e])
		}
	}
}

// TestRawTextStartTags holds tagDone's table of the start tags that switch
// the tokenizer out of text (startSpecial): after each raw text element's
// start tag a tracker's script tag is text, left as it is, and after its
// end tag one is a tag again, neutralised (style text and noscript content
// are judged, and held to it by TestCSS and TestNoscript).
func TestRawTextStartTags(t *testing.T) {
	t.Parallel()
	const script = `<script src="https://www.google-analytics.com/analytics.js"></script>`
	const blocked = `<script type="text/plain" data-ck-blocked="analytics" data-ck-src="https://www.google-analytics.com/analytics.js"></script>`
	for _, name := range []string{"xmp", "iframe", "noembed", "noframes", "textarea", "title"} {
		in := "<p>a</p><" + name + ">" + script + "</" + name + ">" + script
		want := "<p>a</p><" + name + ">" + script + "</" + name + ">" + blocked
		var out bytes.Buffer
		r := Get(&out, Config{})
		if _, err := r.Write([]byte(in)); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		r.Put()
		if got := out.String(); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	// Plaintext never ends.
	var out bytes.Buffer
	r := Get(&out, Config{})
	in := "<p>a</p><plaintext>" + script + "</plaintext>" + script
	if _, err := r.Write([]byte(in)); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r.Put()
	if got := out.String(); got != in {
		t.Errorf("plaintext:\n got %s\nwant %s", got, in)
	}
}
