package auditlog

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/consent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

func TestNewReviewHandlerNeedsAuthorizer(t *testing.T) {
	t.Parallel()
	l := openLog(t, sqliteBackend, sqliteBackend.fresh(t), Options{})
	_, err := NewReviewHandler(l, ReviewOptions{})
	assert.ErrorIs(t, err, ErrNoAuthorizer)
	_, err = NewReviewHandler(nil, ReviewOptions{Authorize: BasicAuth("a", "b")})
	assert.Error(t, err)
}

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	auth := BasicAuth("dpo", "s3cret")
	cases := []struct {
		name       string
		user, pass string
		set        bool
		want       bool
	}{
		{"right", "dpo", "s3cret", true, true},
		{"wrong password", "dpo", "s3cret!", true, false},
		{"wrong user", "dp0", "s3cret", true, false},
		{"swapped", "s3cret", "dpo", true, false},
		{"empty", "", "", true, false},
		{"no header", "", "", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.set {
				r.SetBasicAuth(tc.user, tc.pass)
			}
			assert.Equal(t, tc.want, auth(r))
		})
	}
	t.Run("empty configuration accepts nobody", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.SetBasicAuth("", "")
		assert.False(t, BasicAuth("", "")(r))
	})
}

// reviewEnv is a review handler over a log of n test records.
func reviewEnv(t *testing.T, be backend, n int, opts ReviewOptions) (*Log, http.Handler) {
	t.Helper()
	l := openLog(t, be, be.fresh(t), Options{CheckpointEvery: 5})
	fill(t, l, 0, n)
	if opts.Authorize == nil {
		opts.Authorize = BasicAuth("dpo", "pw")
	}
	h, err := NewReviewHandler(l, opts)
	require.NoError(t, err)
	return l, h
}

func get(t *testing.T, h http.Handler, target string, authed bool) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if authed {
		r.SetBasicAuth("dpo", "pw")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// recordLinks lists the record positions a list page links to.
func recordLinks(body string) []int64 {
	var out []int64
	for _, part := range strings.Split(body, `<td class="num"><a href="record?seq=`)[1:] {
		var n int64
		_, _ = fmt.Sscan(part[:strings.IndexByte(part, '"')], &n)
		out = append(out, n)
	}
	return out
}

func TestReviewHandler(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		_, h := reviewEnv(t, be, 12, ReviewOptions{PageSize: 5})
		t.Run("unauthorized", func(t *testing.T) {
			w := get(t, h, "/?format=csv", false)
			assert.Equal(t, http.StatusUnauthorized, w.Code)
			assert.Contains(t, w.Header().Get("WWW-Authenticate"), `Basic realm="Consent log"`)
			assert.NotContains(t, w.Body.String(), testRecord(0).ConsentID)
		})
		t.Run("method", func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.SetBasicAuth("dpo", "pw")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
		})
		pages := []struct {
			name, target string
			status       int
			want         []string
			seqs         []int64
		}{
			{"first page", "/", 200, []string{"Older records", "before=8"}, []int64{12, 11, 10, 9, 8}},
			{"second page", "/?before=8", 200, []string{"before=3"}, []int64{7, 6, 5, 4, 3}},
			{"last page", "/?before=3", 200, nil, []int64{2, 1}},
			{"outcome filter", "/?outcome=reject_all", 200, nil, []int64{11, 8, 5, 2}},
			{"category filter", "/?category=marketing&state=denied&language=es", 200, nil, []int64{11, 8, 5, 2}},
			{"category granted", "/?category=analytics&language=de", 200, nil, []int64{12, 9, 6, 3}},
			{"consent id filter", "/?id=" + testRecord(3).ConsentID, 200, nil, []int64{11, 4}},
			{"date filter", "/?from=2026-03-02&to=2026-03-02", 200, nil, []int64{6, 5, 4}},
			{"mounted under a prefix", "/audit/records?method=gpc", 200, nil, []int64{12, 8, 4}},
			{"record", "/record?seq=3", 200, []string{"We use cookies.", "Analytics: counts visits (de)",
				"matches the record's contents", "matches the recorded text hash"}, nil},
			{"counts", "/counts", 200, []string{"2026-03-01", "<td class=\"num\">12</td>", "marketing"}, nil},
			{"verify", "/verify", 200, []string{"The chain verifies: 12 records", "periodic"}, nil},
			{"bad filter", "/?outcome=maybe", 400, []string{"outcome must be"}, nil},
			{"bad seq", "/record?seq=x", 400, nil, nil},
			{"missing record", "/record?seq=99", 404, nil, nil},
			{"unknown page", "/nope", 404, nil, nil},
			{"bad format", "/export?format=xml", 400, nil, nil},
		}
		for _, tc := range pages {
			t.Run(tc.name, func(t *testing.T) {
				w := get(t, h, tc.target, true)
				require.Equal(t, tc.status, w.Code, w.Body.String())
				assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
				body := w.Body.String()
				for _, s := range tc.want {
					assert.Contains(t, body, s)
				}
				if tc.seqs != nil {
					assert.Equal(t, tc.seqs, recordLinks(body))
				}
			})
		}
	})
}

func TestReviewVerifyShowsBreak(t *testing.T) {
	t.Parallel()
	loc := sqliteBackend.fresh(t)
	l := openLog(t, sqliteBackend, loc, Options{})
	fill(t, l, 0, 4)
	sqliteBackend.raw(t, loc, `UPDATE consent_records SET outcome = 'accept_all' WHERE seq = 2`)
	h, err := NewReviewHandler(l, ReviewOptions{Authorize: BasicAuth("dpo", "pw")})
	require.NoError(t, err)
	body := get(t, h, "/verify", true).Body.String()
	assert.Contains(t, body, "The chain is broken: modified at position 2")
	body = get(t, h, "/record?seq=2", true).Body.String()
	assert.Contains(t, body, "does not match the record's contents")
}

// hostile puts markup into every string field a visitor or site can
// influence, each marked with the field's name.
func hostile(i int) consent.Record {
	rec := testRecord(i)
	x := func(field string) string {
		return `<script>alert("` + field + `")</script><img src=x onerror=alert(1)>`
	}
	rec.Revision = x("revision")
	rec.PolicyVersion = x("policy_version")
	rec.PolicyURL = "javascript:alert(1)"
	rec.Decisions = []consent.CategoryDecision{{Category: x("category"), Granted: true}, {Category: x("denied"), Granted: false}}
	rec.Withdrawn = []string{x("withdrawn")}
	rec.Outcome = consent.Outcome(x("outcome"))
	rec.Method = consent.Method(x("method"))
	rec.Language = x("language")
	rec.BannerVersion = x("banner_version")
	rec.TextHash = x("text_hash")
	rec.BannerText = x("banner_text")
	rec.PageURL = x("page_url")
	rec.IPPrefix = x("ip_prefix")
	rec.UserAgent = x("user_agent")
	return rec
}

// scriptFree parses body as a browser would and fails on any script
// element, event handler attribute or javascript: URL.
func scriptFree(t *testing.T, body string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	require.NoError(t, err)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			assert.NotEqual(t, "script", n.Data, "a stored field became a script element")
			assert.NotEqual(t, "img", n.Data, "a stored field became an element")
			for _, a := range n.Attr {
				assert.False(t, strings.HasPrefix(a.Key, "on"), "event handler attribute %s", a.Key)
				assert.False(t, strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:"), "%s=%q", a.Key, a.Val)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func TestReviewEscapesStoredFields(t *testing.T) {
	t.Parallel()
	l := openLog(t, sqliteBackend, sqliteBackend.fresh(t), Options{})
	rec := hostile(0)
	require.NoError(t, l.Record(context.Background(), rec))
	h, err := NewReviewHandler(l, ReviewOptions{Authorize: BasicAuth("dpo", "pw")})
	require.NoError(t, err)
	for _, target := range []string{"/", "/record?seq=1", "/counts", "/verify"} {
		t.Run(target, func(t *testing.T) {
			w := get(t, h, target, true)
			require.Equal(t, http.StatusOK, w.Code)
			body := w.Body.String()
			scriptFree(t, body)
			assert.NotContains(t, body, "<script>")
		})
	}
	t.Run("every field is shown escaped", func(t *testing.T) {
		body := get(t, h, "/record?seq=1", true).Body.String()
		for _, field := range []string{"revision", "policy_version", "category", "denied", "withdrawn", "outcome",
			"method", "language", "banner_version", "text_hash", "banner_text", "page_url", "ip_prefix", "user_agent"} {
			assert.Contains(t, body, `&lt;script&gt;alert(&#34;`+field+`&#34;)&lt;/script&gt;`, field)
		}
	})
	t.Run("visitor history", func(t *testing.T) {
		w := httptest.NewRecorder()
		HistoryHandler(l).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/?id="+rec.ConsentID, nil))
		require.Equal(t, http.StatusOK, w.Code)
		scriptFree(t, w.Body.String())
	})
}

func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l, h := reviewEnv(t, be, 9, ReviewOptions{})
		odd := testRecord(9)
		odd.UserAgent = "=HYPERLINK(\"http://x\")"
		odd.PageURL = "-2+3"
		odd.Withdrawn = []string{"analytics", "marketing"}
		require.NoError(t, l.Record(context.Background(), odd))
		all, err := l.collect(context.Background(), Filter{})
		require.NoError(t, err)

		t.Run("csv", func(t *testing.T) {
			w := get(t, h, "/export?format=csv", true)
			require.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, "text/csv; charset=utf-8", w.Header().Get("Content-Type"))
			assert.Contains(t, w.Header().Get("Content-Disposition"), "attachment")
			rows, err := csv.NewReader(w.Body).ReadAll()
			require.NoError(t, err)
			require.Len(t, rows, len(all)+1)
			assert.Equal(t, CSVHeader(), rows[0])
			col := func(row []string, name string) string {
				for i, h := range CSVHeader() {
					if h == name {
						return row[i]
					}
				}
				t.Fatalf("no column %s", name)
				return ""
			}
			for i, e := range all {
				row := rows[i+1]
				assert.Equal(t, fmt.Sprint(e.Seq), col(row, "seq"))
				assert.Equal(t, e.ConsentID, col(row, "consent_id"))
				assert.Equal(t, e.Time.Format("2006-01-02T15:04:05.999999Z07:00"), col(row, "time"))
				assert.Equal(t, string(e.Outcome), col(row, "outcome"))
				assert.Equal(t, strings.Join(e.Granted(), " "), col(row, "granted"))
				assert.Equal(t, e.Hash, col(row, "hash"))
			}
			last := rows[len(rows)-1]
			assert.Equal(t, `'=HYPERLINK("http://x")`, col(last, "user_agent"), "formulas are defused")
			assert.Equal(t, `'-2+3`, col(last, "page_url"))
			assert.Equal(t, "analytics marketing", col(last, "withdrawn"))
		})
		t.Run("jsonl", func(t *testing.T) {
			w := get(t, h, "/?format=jsonl", true)
			require.Equal(t, http.StatusOK, w.Code)
			var got []Entry
			sc := bufio.NewScanner(w.Body)
			sc.Buffer(nil, 1<<20)
			prev := GenesisHash
			for sc.Scan() {
				var e Entry
				require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
				// The export alone re-verifies.
				hash, err := HashRecord(e.Seq, &e.Record, prev)
				require.NoError(t, err)
				assert.Equal(t, e.Hash, hash)
				prev = e.Hash
				got = append(got, e)
			}
			require.NoError(t, sc.Err())
			assert.Equal(t, all, got)
		})
		t.Run("filtered", func(t *testing.T) {
			w := get(t, h, "/export?format=jsonl&outcome=custom&before=9", true)
			require.Equal(t, http.StatusOK, w.Code)
			var seqs []int64
			dec := json.NewDecoder(w.Body)
			for {
				var e Entry
				if err := dec.Decode(&e); err == io.EOF {
					break
				} else {
					require.NoError(t, err)
				}
				assert.Equal(t, consent.OutcomeCustom, e.Outcome)
				seqs = append(seqs, e.Seq)
			}
			assert.Equal(t, []int64{3, 6}, seqs)
		})
	})
}

func TestHistoryHandler(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{})
		fill(t, l, 0, 10)
		h := HistoryHandler(l)
		id := testRecord(1).ConsentID // records 1 and 8 (seq 2 and 9)
		cases := []struct {
			name, target string
			status       int
		}{
			{"found", "/?id=" + id, 200},
			{"json", "/?format=json&id=" + id, 200},
			{"malformed", "/?id=xyz", 400},
			{"upper case", "/?id=" + strings.Repeat("A", 32), 400},
			{"unknown", "/?id=" + strings.Repeat("e", 32), 404},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.target, nil))
				require.Equal(t, tc.status, w.Code, w.Body.String())
				body := w.Body.String()
				assert.NotContains(t, body, "203.0.113", "no network shown to visitors")
				assert.NotContains(t, body, "Mozilla", "no user agent shown to visitors")
				if tc.status != 200 {
					return
				}
				if strings.Contains(tc.target, "json") {
					var got []VisitorEntry
					require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
					require.Len(t, got, 2)
					assert.Equal(t, []int64{9, 2}, []int64{got[0].Seq, got[1].Seq}, "newest first")
					assert.Equal(t, testRecord(1).Outcome, got[1].Outcome)
					return
				}
				assert.Contains(t, body, id)
				assert.Equal(t, 2, strings.Count(body, `<tr><td dir="ltr">`))
			})
		}
	})
}
