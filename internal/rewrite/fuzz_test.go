package rewrite_test

import (
	"bytes"
	"hash/fnv"
	"io"
	"testing"

	"golang.org/x/net/html"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// fuzzSeeds are inputs where tokenizers usually go wrong.
var fuzzSeeds = []string{
	`<footer><a href="/consent/preferences" data-ck-settings>c</a></footer></body><a data-ck-settings>`,
	`<script src="https://www.google-analytics.com/a.js"></script>`,
	`<!--><script src=//doubleclick.net/x></script>`,
	`<!---><iframe src=https://youtube.com/embed/x>`,
	`<!-- --!><script>`, `<!-- --!-><script>-->`, `<!-- -- ><script>-->`,
	`<? <script> ?><script>`, `</ <script>><script>`, `</><script>`, `<!x<script>><iframe>`,
	`<![CDATA[<script>]]><script>`, `<!DOCTYPE html SYSTEM "<script>"><script>`,
	`<style><script></style ><script>`, `<style></stylex><script></style/><iframe>`,
	`<textarea><script></textarea><script>`, `<title><iframe></title><iframe>`,
	`<xmp><script></xmp><script>`, `<noembed><script></noembed>`, `<noframes><iframe></noframes><iframe>`,
	`<noscript><script src=x></noscript><script src=y>`, `<noscript><img src=https://facebook.com/tr></noscript>`,
	`<iframe><script></iframe><script>`, `<plaintext><script>`,
	`<script><!--<script></script><script src=x></script>--></script><script>`,
	`<script><!--<script></script>--><iframe>`, `<script><!--a < b <script></script>--></script><iframe>`,
	`<script><!-<script></script><script>`, `<script><!--<SCRIPT/></SCRIPT ><iframe>`,
	`<script><!-- --!></script><iframe>`, `<script></scriptx></script\f><script>`,
	`<p title="a>b"><script>`, `<p title='a>b'><script>`, `<p a=b"c><script>`, `<p a"b="c><script>"><iframe>`,
	`<p ="x><script>`, `<p a =  ><script>`, `<p a/=b><script>`, `<p/a><script/src=x>`, "<script\x00><script >",
	`<SCRIPT SRC=//www.googletagmanager.com/gtag/js></SCRIPT><IFRAME SRC=x>`, `<<script>`, `< script><script>`,
	`<script src=a src=b type=module data-consent=analytics>`, `<img srcset="a 1x, //bat.bing.com/x 2x"><link rel=preload href=//x.com>`,
	`<svg><image href=//doubleclick.net/x/><image href="y"/><image href=z /><image/x=y></svg><img src=a/><iframe src= />`,
	`<head><body></body></html>`, `<script data-consent="&#97;nalytics" src="https:&#x2F;&#x2F;doubleclick.net">`,
}

// xnetStartTags returns the raw script and iframe start tags x/net/html's
// tokenizer finds in in.
func xnetStartTags(in []byte) [][]byte {
	z := html.NewTokenizer(bytes.NewReader(in))
	var tags [][]byte
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tags
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if string(name) == "script" || string(name) == "iframe" {
				tags = append(tags, bytes.Clone(z.Raw()))
			}
		}
	}
}

// tokenShape is the sequence of token types and tag names of a document:
// what rewriting must never change.
func tokenShape(in []byte) []string {
	z := html.NewTokenizer(bytes.NewReader(in))
	var shape []string
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return shape
		}
		name, _ := z.TagName()
		shape = append(shape, tt.String()+" "+string(name))
	}
}

// splits cuts in into up to three pieces at positions derived from its
// content, so that the fuzzer also exercises Write boundaries.
func splits(in []byte) [][]byte {
	if len(in) < 2 {
		return [][]byte{in}
	}
	h := fnv.New32a()
	_, _ = h.Write(in)
	s := h.Sum32()
	a := int(s % uint32(len(in)))
	b := int((s >> 16) % uint32(len(in)))
	if a > b {
		a, b = b, a
	}
	return [][]byte{in[:a], in[a:b], in[b:]}
}

func FuzzDifferential(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > rewrite.MaxTagLen {
			t.Skip("longer than the look-ahead bound, where the rewriter lets tags through on purpose")
		}
		// Everything granted, no snippets: the output is the input, and the
		// rewriter saw exactly the tags x/net/html sees. The input is also
		// written followed by white space, so that every tag ends 64 bytes
		// or more before the end of the Write and is read by the vector
		// reading of tags where the processor has it (tagscan_amd64.s);
		// short inputs are read by the attribute states.
		padded := append(bytes.Clone(in), bytes.Repeat([]byte(" "), 80)...)
		for _, pieces := range [][][]byte{{in}, splits(in), {padded}} {
			in := in
			if len(pieces) == 1 && len(pieces[0]) != len(in) {
				in = padded
			}
			want := xnetStartTags(in)
			var out bytes.Buffer
			var got [][]byte
			r := rewrite.Get(&out, rewrite.Config{Consent: all{}})
			r.EmulateXNetHTML()
			r.SetCheckRecorded()
			r.SetTagHook(func(_ string, raw []byte) { got = append(got, bytes.Clone(raw)) })
			for _, p := range pieces {
				if _, err := r.Write(p); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			r.Put()
			if !bytes.Equal(out.Bytes(), in) {
				t.Fatalf("granted output differs from input:\n in: %q\nout: %q", in, out.Bytes())
			}
			if len(got) != len(want) {
				t.Fatalf("rewriter saw %d script/iframe tags, x/net/html %d:\n in: %q\nrewriter: %q\n   x/net: %q", len(got), len(want), in, got, want)
			}
			for k := range got {
				if !bytes.Equal(got[k], want[k]) {
					t.Fatalf("tag %d differs:\nrewriter: %q\n   x/net: %q", k, got[k], want[k])
				}
			}
		}

		// Snippets go in exactly once each, in order, and nothing else
		// changes. The settings control goes in at most once, right after
		// the body snippet, and only a page naming data-ck-settings (in
		// any case, as attribute names are) may lose it.
		const head, start, body, settings = "<!--ck:head-->", "<!--ck:start-->", "<!--ck:body-->", "<!--ck:settings-->"
		if !bytes.Contains(in, []byte("<!--ck:")) {
			var out bytes.Buffer
			r := rewrite.Get(&out, rewrite.Config{Head: []byte(head), BodyStart: []byte(start), BodyEnd: []byte(body), Settings: []byte(settings), Consent: all{}})
			for _, p := range splits(in) {
				_, _ = r.Write(p)
			}
			_ = r.Close()
			r.Put()
			got := out.Bytes()
			switch n := bytes.Count(got, []byte(settings)); {
			case n > 1, n == 1 && !bytes.Contains(got, []byte(body+settings)),
				n == 0 && !bytes.Contains(bytes.ToLower(in), []byte(rewrite.SettingsAttr)):
				t.Fatalf("settings control misplaced (%d):\n in: %q\nout: %q", n, in, got)
			}
			got = bytes.Replace(got, []byte(settings), nil, 1)
			if bytes.Count(got, []byte(head)) != 1 || bytes.Count(got, []byte(start)) != 1 || bytes.Count(got, []byte(body)) != 1 {
				t.Fatalf("snippets not inserted once each:\n in: %q\nout: %q", in, got)
			}
			if !(bytes.Index(got, []byte(head)) < bytes.Index(got, []byte(start)) && bytes.Index(got, []byte(start)) < bytes.Index(got, []byte(body))) {
				t.Fatalf("snippets out of order:\n in: %q\nout: %q", in, got)
			}
			for _, s := range []string{head, start, body} {
				got = bytes.Replace(got, []byte(s), nil, 1)
			}
			if !bytes.Equal(got, in) {
				t.Fatalf("inserting snippets changed the document:\n in: %q\nout: %q", in, out.Bytes())
			}
		}

		// Nothing granted: neutralising changes attributes, never the
		// document's token structure.
		var out bytes.Buffer
		r := rewrite.Get(&out, rewrite.Config{})
		r.EmulateXNetHTML()
		r.SetCheckRecorded()
		for _, p := range splits(in) {
			_, _ = r.Write(p)
		}
		_ = r.Close()
		r.Put()
		a, b := tokenShape(in), tokenShape(out.Bytes())
		if len(a) != len(b) {
			t.Fatalf("token count changed from %d to %d:\n in: %q\nout: %q", len(a), len(b), in, out.Bytes())
		}
		for k := range a {
			if a[k] != b[k] {
				t.Fatalf("token %d changed from %s to %s:\n in: %q\nout: %q", k, a[k], b[k], in, out.Bytes())
			}
		}
	})
}

// TestXNetDeviation pins the one place where the rewriter follows the WHATWG
// standard instead of x/net/html: "<" followed by neither "/" nor a letter
// inside an escaped script keeps the escaped state.
func TestXNetDeviation(t *testing.T) {
	t.Parallel()
	in := []byte(`<script><!--a < b; <script></script><iframe src=x></iframe>--></script>`)
	count := func(emulate bool) int {
		n := 0
		r := rewrite.Get(io.Discard, rewrite.Config{Consent: all{}})
		defer r.Put()
		if emulate {
			r.EmulateXNetHTML()
		}
		r.SetTagHook(func(name string, _ []byte) { n++ })
		_, _ = r.Write(in)
		_ = r.Close()
		return n
	}
	if got := count(false); got != 1 {
		t.Errorf("standard tokenizer: only the outer script is a tag, the iframe is script text; saw %d tags", got)
	}
	if got, want := count(true), len(xnetStartTags(in)); got != want || want != 2 {
		t.Errorf("emulating x/net/html: saw %d tags, x/net/html %d", got, want)
	}
}
