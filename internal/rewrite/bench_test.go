package rewrite_test

import (
	"bytes"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/consentkit/consentkit/internal/rewrite"
	"github.com/consentkit/consentkit/internal/trackers"
)

// chunk is the size of the Writes in benchmarks: what a handler rendering a
// template through net/http's buffered writer produces.
const chunk = 4096

// benchPages returns the ~100 KB article page and a ~1 MB page made by
// repeating its article body.
func benchPages(tb testing.TB) (article, big []byte) {
	article = readPage(tb, "article.html")
	const startMark, endMark = `<div class="article-body">`, `</div>` + "\n" + `<div class="share">`
	s := string(article)
	i, j := strings.Index(s, startMark), strings.Index(s, endMark)
	require.True(tb, i > 0 && j > i, "article markers")
	var b strings.Builder
	b.WriteString(s[:j])
	for b.Len() < 1<<20-len(s) {
		b.WriteString(s[i+len(startMark) : j])
	}
	b.WriteString(s[j:])
	return article, []byte(b.String())
}

var benchCfg = rewrite.Config{
	Head:    []byte(`<script>window.ckDefaults={"analytics":"denied"}</script>`),
	BodyEnd: []byte(`<div id="ck-banner" role="dialog">…</div>`),
	// As in the middleware: every start tag before </body> is looked at
	// for the page's own settings control.
	Settings: []byte(`<a class="ck-settings" href="/consent/preferences?return=/">Cookie settings</a>`),
}

func writeChunks(w io.Writer, page []byte) error {
	for len(page) > 0 {
		n := min(chunk, len(page))
		if _, err := w.Write(page[:n]); err != nil {
			return err
		}
		page = page[n:]
	}
	return nil
}

// xnetStream is the baseline's rewriteStream: it takes the page in the same
// 4 KiB writes, gathered into buf (reused from page to page, as a careful
// middleware would pool it), and tokenizes what it gathered. x/net/html's
// tokenizer pulls from a reader, so a middleware has to collect the
// handler's writes for it; gathering the whole page is the cheapest way
// (reading the pieces one by one as they come costs the tokenizer more: it
// moves every long token to the front of its buffer at each refill).
func xnetStream(dst io.Writer, page []byte, tab *trackers.Table, buf *bytes.Buffer) error {
	buf.Reset()
	if err := writeChunks(buf, page); err != nil {
		return err
	}
	return xnetRewrite(dst, bytes.NewReader(buf.Bytes()), benchCfg, tab)
}

// chunkReader reads a page in the pieces writeChunks writes it in, one a
// Read: what a streaming middleware built on x/net/html's tokenizer reads
// from, the pieces reaching it as the handler writes them.
type chunkReader struct{ p []byte }

func (c *chunkReader) Read(b []byte) (int, error) {
	if len(c.p) == 0 {
		return 0, io.EOF
	}
	n := copy(b, c.p[:min(chunk, len(c.p))])
	c.p = c.p[n:]
	return n, nil
}

func rewriteStream(dst io.Writer, page []byte, cfg rewrite.Config) error {
	r := rewrite.Get(dst, cfg)
	defer r.Put()
	if err := writeChunks(r, page); err != nil {
		return err
	}
	return r.Close()
}

// xnetRewrite is the same rewrite done the usual way: x/net/html's Tokenizer,
// raw bytes for tokens that stay, re-serialised tokens for those that change.
// It does the same job as the rewriter (every fetching element, style
// attributes, style text, inline scripts, noscript content, a meta refresh,
// a link only when its rel fetches, the same MaxTagLen bound on what is held
// back) with the rewriter's own text and CSS scanners, so the two differ
// only in how they tokenize: TestBaselineAgreesOnCorpus holds that they
// block the same elements of every corpus page. It avoids z.Token() for tags
// that cannot change, as a careful user would.
func xnetRewrite(dst io.Writer, src io.Reader, cfg rewrite.Config, tab *trackers.Table) error {
	return xnetRun(dst, src, cfg, tab, rewrite.NewScanner(tab), false)
}

// xnetRun is xnetRewrite over a document, or, when fragment is set, over the
// content of a noscript element: x/net/html's tokenizer reads that content
// as text (it assumes scripting on), but a browser with scripting off parses
// it as markup and loads what it names, so it is tokenized again, as the
// rewriter does.
func xnetRun(dst io.Writer, src io.Reader, cfg rewrite.Config, tab *trackers.Table, sc *rewrite.Scanner, fragment bool) error {
	z := html.NewTokenizer(src)
	headDone, bodyDone := fragment, fragment
	var raw, held []byte // TagName and TagAttr lower-case the tokenizer's buffer in place
	var attrs []html.Attribute
	var heldTok html.Token
	inStyle, inNoscript := false, false
	write := func(b []byte) { _, _ = dst.Write(b) }
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if held != nil {
				write(held)
			}
			if !headDone {
				write(cfg.Head)
			}
			if !bodyDone {
				write(cfg.BodyEnd)
			}
			if err := z.Err(); err != io.EOF {
				return err
			}
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
			raw = append(raw[:0], z.Raw()...)
			name, hasAttr := z.TagName()
			if !headDone && string(name) != "html" && string(name) != "head" {
				headDone = true
				write(cfg.Head)
			}
			if string(name) == "head" {
				write(raw)
				if !headDone {
					headDone = true
					write(cfg.Head)
				}
				continue
			}
			inStyle, inNoscript = string(name) == "style", string(name) == "noscript"
			_, judged := xnetURLAttrs[string(name)]
			if !judged && bytes.IndexByte(raw, '(') < 0 && bytes.IndexByte(raw, '&') < 0 {
				write(raw)
				continue
			}
			tok := html.Token{Type: tt, Data: string(name)}
			attrs = attrs[:0]
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs = append(attrs, html.Attribute{Key: string(k), Val: string(v)})
			}
			tok.Attr = attrs
			if tok.Data == "script" && xnetInline(tok) {
				held, heldTok = append(held[:0], raw...), tok
				continue
			}
			if out, ok := xnetNeutralise(tok, sc, tab, ""); ok {
				write([]byte(out))
			} else {
				write(raw)
			}
			continue
		case html.TextToken:
			text := z.Raw()
			switch {
			case held != nil:
				// The rewriter holds a script back for at most MaxTagLen
				// bytes, tag and text, and lets a longer one through
				// unjudged: so does the baseline.
				if len(held)+len(text) > rewrite.MaxTagLen {
					write(held)
				} else if cat := sc.Script(text); cat != "" {
					heldTok.Attr = append([]html.Attribute(nil), heldTok.Attr...)
					out, _ := xnetNeutralise(heldTok, sc, tab, cat)
					write([]byte(out))
				} else {
					write(held)
				}
				held = nil
				write(text)
			case inStyle:
				out, _ := sc.CSS(text)
				write(out)
			case inNoscript && len(text) > rewrite.MaxTagLen:
				write(text) // past the rewriter's bound too
			case inNoscript:
				if err := xnetRun(dst, bytes.NewReader(text), cfg, tab, sc, true); err != nil {
					return err
				}
			default:
				write(text)
			}
			continue
		case html.EndTagToken:
			if held != nil {
				write(held)
				held = nil
			}
			inStyle, inNoscript = false, false
			raw = append(raw[:0], z.Raw()...)
			name, _ := z.TagName()
			if !headDone {
				headDone = true
				write(cfg.Head)
			}
			if string(name) == "body" && !bodyDone {
				bodyDone = true
				write(cfg.BodyEnd)
			}
			write(raw)
			continue
		}
		write(z.Raw())
	}
}

// xnetURLAttrs are the elements that fetch, with their URL attributes.
var xnetURLAttrs = map[string][]string{
	"script": {"src", "href", "xlink:href"}, "iframe": {"src"}, "img": {"src", "srcset"}, "image": {"src", "srcset", "href"},
	"link": {"href", "imagesrcset"}, "embed": {"src"}, "object": {"data"}, "video": {"src", "poster"}, "audio": {"src"},
	"source": {"src", "srcset"}, "track": {"src"}, "input": {"src"}, "body": {"background"}, "table": {"background"},
	"td": {"background"}, "th": {"background"}, "meta": {"content"},
}

// xnetFetchingLink reports whether a link start tag loads its href, by the
// rewriter's own list of the link types that fetch: a link of another type
// (canonical, alternate, author) only names a page.
func xnetFetchingLink(tok html.Token) bool {
	for _, a := range tok.Attr {
		if a.Key == "rel" {
			return rewrite.FetchingRel(a.Val)
		}
	}
	return false
}

// xnetInline reports whether a script start tag is an inline script to judge
// by its text.
func xnetInline(tok html.Token) bool {
	for _, a := range tok.Attr {
		switch a.Key {
		case "src", "href", "data-consent":
			return false
		case "type":
			t := strings.ToLower(strings.TrimSpace(a.Val))
			if t != "" && t != "text/javascript" && t != "application/javascript" && t != "module" {
				return false
			}
		}
	}
	return true
}

func xnetNeutralise(tok html.Token, sc *rewrite.Scanner, tab *trackers.Table, cat string) (string, bool) {
	styleCats, style := "", ""
	for _, a := range tok.Attr {
		switch a.Key {
		case "data-consent":
			if cat == "" {
				cat = strings.ToLower(strings.TrimSpace(a.Val))
			}
		case "style":
			if strings.Contains(a.Val, "(") {
				out, cats := sc.CSS([]byte(a.Val))
				style, styleCats = string(out), cats
			}
		}
	}
	if cat == "" && tok.Data == "meta" {
		// A meta fetches only as a refresh, whose content holds the URL
		// after a delay ("5; url=…").
		refresh := false
		for _, a := range tok.Attr {
			refresh = refresh || a.Key == "http-equiv" && strings.EqualFold(strings.TrimSpace(a.Val), "refresh")
		}
		for _, a := range tok.Attr {
			if refresh && a.Key == "content" && cat == "" {
				cat, _ = tab.LookupURL(rewrite.RefreshURL(a.Val))
			}
		}
	} else if cat == "" && (tok.Data != "link" || xnetFetchingLink(tok)) {
		for _, a := range tok.Attr {
			for _, name := range xnetURLAttrs[tok.Data] {
				if a.Key != name || cat != "" {
					continue
				}
				urls := []string{a.Val}
				if name == "srcset" || name == "imagesrcset" {
					urls = srcsetURLs(a.Val)
				}
				for _, u := range urls {
					if c, ok := tab.LookupURL(u); ok {
						cat = c
						break
					}
				}
			}
		}
	}
	if cat == "necessary" {
		cat = ""
	}
	if cat == "" && styleCats == "" {
		return "", false
	}
	attrs := []html.Attribute{{Key: "data-ck-blocked", Val: strings.TrimSpace(cat + " " + styleCats)}}
	if tok.Data == "script" && cat != "" {
		attrs = append(attrs, html.Attribute{Key: "type", Val: "text/plain"})
	}
	if styleCats != "" {
		attrs = append(attrs, html.Attribute{Key: "style", Val: style})
	}
	for _, a := range tok.Attr {
		switch {
		case a.Key == "style" && styleCats != "":
			a.Key = "data-ck-style"
		case cat != "" && slices.Contains(xnetURLAttrs[tok.Data], a.Key), cat != "" && a.Key == "type" && tok.Data == "script":
			a.Key = "data-ck-" + a.Key
		}
		attrs = append(attrs, a)
	}
	tok.Attr = attrs
	return tok.String(), true
}

func BenchmarkRewrite(b *testing.B) {
	benchEachPage(b, func(page []byte) error { return rewriteStream(io.Discard, page, benchCfg) })
}

func BenchmarkRewriteXNetHTML(b *testing.B) {
	tab := trackers.Default()
	var buf bytes.Buffer
	benchEachPage(b, func(page []byte) error { return xnetStream(io.Discard, page, tab, &buf) })
}

// benchEachPage runs rewrite on the 100 KB article and the 1 MB page, the
// contender and its baseline alike.
func benchEachPage(b *testing.B, rewrite func(page []byte) error) {
	article, big := benchPages(b)
	for _, page := range []struct {
		name string
		b    []byte
	}{{"article-100KB", article}, {"page-1MB", big}} {
		b.Run(page.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(page.b)))
			for b.Loop() {
				if err := rewrite(page.b); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBaselineAgrees keeps the benchmark honest: the x/net/html version does
// the same rewrite on the benchmark page (up to attribute order and quoting,
// which re-serialising changes), so the comparison is like for like.
// TestBaselineAgreesOnCorpus holds the same on the real pages.
func TestBaselineAgrees(t *testing.T) {
	t.Parallel()
	article, _ := benchPages(t)
	var ours, theirs bytes.Buffer
	require.NoError(t, rewriteStream(&ours, article, benchCfg))
	require.NoError(t, xnetStream(&theirs, article, trackers.Default(), new(bytes.Buffer)))
	for _, s := range []string{`data-ck-blocked="analytics"`, `data-ck-blocked="marketing"`, `type="text/plain"`, string(benchCfg.Head), string(benchCfg.BodyEnd)} {
		assert.Equal(t, strings.Count(theirs.String(), s), strings.Count(ours.String(), s), s)
	}
	assert.Positive(t, strings.Count(ours.String(), "data-ck-blocked"))
}

// TestSteadyStateAllocs checks the pooled path's promise: a reused Rewriter
// rewrites a whole page, trackers and noscript included, without allocating.
func TestSteadyStateAllocs(t *testing.T) {
	article, _ := benchPages(t)
	r := rewrite.Get(io.Discard, benchCfg)
	defer r.Put()
	run := func() {
		r.Reset(io.Discard, benchCfg)
		if err := writeChunks(r, article); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	run() // grow the buffers once
	assert.Zero(t, testing.AllocsPerRun(20, run))
}

// countingDiscard counts what it throws away.
type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// TestStreamingMemory streams 256 MiB of HTML through one Rewriter and checks
// that the heap never holds more than a bounded look-ahead.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 256 MiB")
	}
	article, _ := benchPages(t)
	const total = 256 << 20
	const limit = 16 << 20
	var out countingDiscard
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	peak := base
	r := rewrite.Get(&out, benchCfg)
	defer r.Put()
	written := 0
	for written < total {
		require.NoError(t, writeChunks(r, article))
		written += len(article)
		if written/len(article)%40 == 0 { // about every 4 MiB
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	require.NoError(t, r.Close())
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapAlloc)
	t.Logf("streamed %d MiB in, %d MiB out; heap before %.1f MiB, peak %.1f MiB",
		written>>20, out.n>>20, float64(base)/(1<<20), float64(peak)/(1<<20))
	assert.Less(t, peak, uint64(limit), "peak heap")
	assert.Greater(t, out.n, int64(written), "every byte went through, plus the neutralising attributes")
}

// TestHugeWriteIsNotCopied checks that the bound applies within one Write
// too: an unfinished script tag at the start of a large Write is let through
// rather than copied into the look-ahead buffer.
func TestHugeWriteIsNotCopied(t *testing.T) {
	big := append([]byte(`<script src="https://www.google-analytics.com/a.js" data-x="`), bytes.Repeat([]byte("x"), 8<<20)...)
	var out countingDiscard
	r := rewrite.Get(&out, rewrite.Config{})
	defer r.Put()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := r.Write(big)
	require.NoError(t, err)
	runtime.ReadMemStats(&after)
	require.NoError(t, r.Close())
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated by an 8 MiB Write")
	assert.Equal(t, int64(len(big)), out.n, "everything passed through unchanged")
}
