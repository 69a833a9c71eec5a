package consent_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/internal/corpustest"
	"github.com/consentkit/consentkit/internal/rewrite"
)

// corpusStore is a consent log that keeps nothing.
type corpusStore struct{}

func (corpusStore) Record(context.Context, consent.Record) error { return nil }

// corpusProbe is served instead of the page when the request carries
// X-Corpus-Probe, so that the snippets the middleware inserts for that very
// request (same path, same cookie) can be read off a page whose every byte
// is known.
const corpusProbe = `<!doctype html><html><head><title>probe</title></head><body><p>probe</p></body></html>`

// corpusSite serves /page/{name} from the corpus as a site would: HTML in
// 4 KiB writes.
func corpusSite(pages map[string][]byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := pages[strings.TrimPrefix(r.URL.Path, "/page/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("X-Corpus-Probe") != "" {
			b = []byte(corpusProbe)
		}
		w.Header().Set("Content-Type", "text/html")
		for len(b) > 0 {
			n := min(4096, len(b))
			if _, err := w.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
		}
	})
}

// maxScriptTag is the room a script start tag may take of the look-ahead
// bound, which holds the start tag and the text together.
const maxScriptTag = 1 << 10

// corpusGet fetches path through h with the given Cookie header (or none).
func corpusGet(t *testing.T, h http.Handler, path, cookie string, probe bool) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	if probe {
		req.Header.Set("X-Corpus-Probe", "1")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, "GET %s", path)
	return rec.Body.String()
}

// corpusAcceptAll decides "accept all" through the decision endpoint and
// returns the consent cookie as a Cookie header value.
func corpusAcceptAll(t *testing.T, h http.Handler) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/consent/decision", strings.NewReader("action=accept_all"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusSeeOther, rec.Code, "accept_all: %s", rec.Body.String())
	for _, c := range rec.Result().Cookies() {
		if c.Name == "__Host-consent" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("accept_all set no consent cookie: %v", rec.Result().Cookies())
	return ""
}

// corpusSnippets reads the head and body-end snippets the middleware
// inserts for this request off the probe page.
func corpusSnippets(t *testing.T, h http.Handler, path, cookie string) (head, bodyEnd string) {
	t.Helper()
	out := corpusGet(t, h, path, cookie, true)
	const a, b, c, d = "<head>", "<title>", "<p>probe</p>", "</body>"
	i, j := strings.Index(out, a), strings.Index(out, b)
	k, l := strings.Index(out, c), strings.Index(out, d)
	require.True(t, i >= 0 && j > i && k > j && l > k, "probe page came back in an unexpected shape: %q", out)
	head, bodyEnd = out[i+len(a):j], out[k+len(c):l]
	require.Equal(t, corpusProbe, out[:i+len(a)]+out[j:k+len(c)]+out[l:], "the probe page is the snippets and nothing else")
	require.NotEmpty(t, head, "a head snippet")
	return head, bodyEnd
}

// corpusDiff describes where two documents first differ.
func corpusDiff(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("first difference at byte %d of %d (got %d bytes)\nwant: %q\ngot:  %q",
		i, len(want), len(got), want[lo:min(len(want), i+120)], got[lo:min(len(got), i+120)])
}

// corpusTally counts findings across the corpus.
type corpusTally struct {
	mu       sync.Mutex
	findings map[string]int // by kind
	pages    map[string]map[string]bool
	by       map[string]int // by which list knows the host
	noscript int
	total    int
}

func (c *corpusTally) add(page string, fs []corpustest.Finding) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.findings == nil {
		c.findings, c.pages, c.by = map[string]int{}, map[string]map[string]bool{}, map[string]int{}
	}
	for _, f := range fs {
		c.total++
		c.findings[f.Kind]++
		if c.pages[f.Kind] == nil {
			c.pages[f.Kind] = map[string]bool{}
		}
		c.pages[f.Kind][page] = true
		c.by[f.By]++
		if f.NoScript {
			c.noscript++
		}
	}
}

func (c *corpusTally) pagesWith(kind string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pages[kind])
}

func (c *corpusTally) count(kind string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.findings[kind]
}

func (c *corpusTally) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "%d live tracker elements (%d inside noscript); by list: %v\n", c.total, c.noscript, c.by)
	for _, k := range slices.Sorted(maps.Keys(c.findings)) {
		fmt.Fprintf(&b, "  %-32s %5d on %3d pages\n", k, c.findings[k], len(c.pages[k]))
	}
	return b.String()
}

// TestCorpusNothingBeforeConsent serves the real-page corpus
// (../shared/corpus/pages, see its README) through the middleware and checks
// with golang.org/x/net/html that, for an undecided visitor, no live element
// of any page fetches or runs a tracker (by the generated table or by the
// independent list of internal/corpustest), and that for a visitor who
// accepted everything the page is left byte for byte as the site wrote it,
// apart from the two inserted snippets. It skips when the corpus is absent;
// CONSENT_CORPUS_REPORT names a file that gets every finding as a JSON line.
func TestCorpusNothingBeforeConsent(t *testing.T) {
	t.Parallel()
	start := time.Now()
	pages, err := corpustest.Load()
	if errors.Is(err, corpustest.ErrNoCorpus) {
		t.Skipf("real-page corpus absent, skipping: %v", err)
	}
	require.NoError(t, err)
	byName := make(map[string][]byte, len(pages))
	for _, p := range pages {
		byName[p.Name] = p.HTML
	}
	m, err := consent.New(consent.Config{
		Keys:   []consent.KeyPair{{HashKey: []byte("corpus-test-key-0123456789abcdef-32")}},
		Store:  corpusStore{},
		Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	h := m.Handler(corpusSite(byName))
	cookie := corpusAcceptAll(t, h)

	var raw, undecided corpusTally
	var mu sync.Mutex
	var leakingPages, changedPages, beyondBound []string
	t.Run("pages", func(t *testing.T) {
		for _, p := range pages {
			t.Run(corpustest.Short(p.Name), func(t *testing.T) {
				t.Parallel()
				path := "/page/" + p.Name
				pageURL := "http://127.0.0.1" + path
				input := string(p.HTML)

				// The checker must see the trackers of the page as the site
				// wrote it, or it proves nothing about the rewritten one.
				before := corpustest.Check(p.HTML, pageURL)
				raw.add(p.Name, before)

				// (a) An undecided visitor.
				out := corpusGet(t, h, path, "", false)
				require.Contains(t, out, `id="ck-banner"`, "the middleware rewrote the page")
				after := corpustest.Check([]byte(out), pageURL)
				// An inline script longer than the rewriter's look-ahead
				// bound goes out as written, by design (rewrite's package
				// documentation): on these pages they are the sites' own
				// bundles and state, and the runtime guard holds what they
				// insert, which the browser corpus test checks request by
				// request. They are counted apart, not excused silently.
				after = slices.DeleteFunc(after, func(f corpustest.Finding) bool {
					if f.Kind == "inline script" && f.Size > rewrite.MaxTagLen-maxScriptTag {
						mu.Lock()
						beyondBound = append(beyondBound, p.Name+": "+f.String())
						mu.Unlock()
						return true
					}
					return false
				})
				undecided.add(p.Name, after)
				for _, f := range after {
					_ = corpustest.Report(map[string]any{"test": "static", "page": p.Name, "mode": "undecided", "finding": f})
				}
				if len(after) > 0 {
					mu.Lock()
					leakingPages = append(leakingPages, p.Name)
					mu.Unlock()
					var b strings.Builder
					for i, f := range after {
						if i == 25 {
							fmt.Fprintf(&b, "\n  … and %d more", len(after)-i)
							break
						}
						b.WriteString("\n  " + f.String())
					}
					t.Errorf("%s.html.gz: %d live tracker elements for an undecided visitor (the page had %d):%s", p.Name, len(after), len(before), b.String())
				}

				// (b) A visitor who accepted everything: the page as written,
				// plus the two snippets.
				head, bodyEnd := corpusSnippets(t, h, path, cookie)
				out = corpusGet(t, h, path, cookie, false)
				assert.NotContains(t, out, `id="ck-banner"`, "no banner once decided")
				ok := assert.Equal(t, 1, strings.Count(out, head), "%s.html.gz: the head snippet is inserted once", p.Name)
				if bodyEnd != "" {
					ok = assert.Equal(t, 1, strings.Count(out, bodyEnd), "%s.html.gz: the body-end snippet is inserted once", p.Name) && ok
				}
				if !ok {
					return
				}
				stripped := strings.Replace(strings.Replace(out, head, "", 1), bodyEnd, "", 1)
				if stripped != input {
					mu.Lock()
					changedPages = append(changedPages, p.Name)
					mu.Unlock()
					t.Errorf("%s.html.gz: accepted visitor's page differs from the input beyond the snippets: %s", p.Name, corpusDiff(input, stripped))
				}
			})
		}
	})

	t.Logf("as written (%d pages): %s", len(pages), raw.String())
	t.Logf("undecided visitor, through the middleware: %s", undecided.String())
	t.Logf("pages with a live tracker for an undecided visitor: %d of %d; accepted pages changed beyond the snippets: %d; in %s",
		len(leakingPages), len(pages), len(changedPages), time.Since(start).Round(time.Millisecond))
	t.Logf("inline scripts over the look-ahead bound, left to the runtime guard: %d", len(beyondBound))
	for _, b := range beyondBound {
		t.Logf("  %.300s", b)
	}
	// The bound is a bound, not a loophole: such scripts are few on real
	// pages (19 on 17 of these 181 when this was written).
	assert.LessOrEqual(t, len(beyondBound), 30, "inline scripts naming a tracker beyond the look-ahead bound")

	// Not vacuous: the corpus README counts about 316 tracker <script src>
	// on 111 pages and 780 tracker-loading inline scripts on 167 pages; the
	// checker must find most of them on the pages as written.
	assert.GreaterOrEqual(t, raw.count("script src"), 250, "the checker finds the pages' tracker <script src>")
	assert.GreaterOrEqual(t, raw.pagesWith("script src"), 90, "on most of the pages that have one")
	assert.GreaterOrEqual(t, raw.count("inline script"), 500, "the checker finds the pages' tracker inline scripts")
	assert.GreaterOrEqual(t, raw.pagesWith("inline script"), 130, "on most of the pages that have one")
}
