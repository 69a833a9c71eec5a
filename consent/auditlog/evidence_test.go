package auditlog

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// site is one configuration of a site behind the middleware, writing to a
// shared log.
type site struct {
	t *testing.T
	m *consent.Manager
	h http.Handler
}

const sitePage = `<!doctype html><html><head><title>News</title></head><body><p>News</p></body></html>`

func newSite(t *testing.T, l *Log, title string, cookies []consent.CookieSpec) *site {
	t.Helper()
	m, err := consent.New(consent.Config{
		Keys:      []consent.KeyPair{{HashKey: []byte("0123456789abcdef0123456789abcdef")}},
		Store:     l,
		Languages: []string{"en", "es"},
		Messages:  map[string]map[string]string{"en": {"banner.title": title}},
		Cookies:   cookies,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	return &site{t: t, m: m, h: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, sitePage)
	}))}
}

func (s *site) do(method, target, cookie string, form url.Values) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.Header.Set("Accept-Language", "en")
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// served is what the middleware served an undecided visitor of "/": the
// first layer, the preferences dialog the loader fetches, and both
// stylesheets.
type served struct{ firstLayer, dialog, css, dialogCSS string }

var cssLink = regexp.MustCompile(`href="(/consent/assets/ck\.[0-9a-f]+\.css)"`)

func (s *site) served(cookie string) (served, bool) {
	t := s.t
	page := s.do(http.MethodGet, "/", cookie, nil).Body.String()
	start := strings.Index(page, "<body>") + len("<body>")
	end := strings.Index(page, "<p>News</p>")
	require.True(t, start > 0 && end >= start, page)
	var out served
	out.firstLayer = page[start:end]
	if !strings.Contains(out.firstLayer, `id="ck-banner"`) {
		return out, false
	}
	out.dialog = s.do(http.MethodGet, "/consent/preferences?fragment=1&return=/", cookie, nil).Body.String()
	require.Contains(t, out.dialog, `<dialog id="ck-prefs"`)
	require.Contains(t, out.firstLayer, `<select name="lang">`, "the switcher is part of what is compared")
	m := cssLink.FindStringSubmatch(page)
	require.NotNil(t, m, page)
	out.css = s.do(http.MethodGet, m[1], "", nil).Body.String()
	out.dialogCSS = s.do(http.MethodGet, strings.TrimSuffix(m[1], ".css")+".d.css", "", nil).Body.String()
	require.NotEmpty(t, out.css)
	require.NotEmpty(t, out.dialogCSS)
	return out, true
}

// decide posts a decision from the banner's form and returns the consent
// cookie as a Cookie header.
func (s *site) decide(action, cookie string) string {
	w := s.do(http.MethodPost, "/consent/decision", cookie, url.Values{"action": {action}, "return": {"/"}, "lang": {"en"}})
	require.Equal(s.t, http.StatusSeeOther, w.Code, w.Body.String())
	for _, c := range w.Result().Cookies() {
		if strings.HasSuffix(c.Name, "consent") && c.Value != "" {
			return c.Name + "=" + c.Value
		}
	}
	s.t.Fatal("no consent cookie set")
	return ""
}

// The end-to-end check: a decision on banner version A; the text
// and the provider list change; the visitor is asked again when providers
// changed, not when only the wording did; the auditor's page shows version
// A for the first record and B for the second, byte for byte what was
// served.
func TestEvidenceOfWhatWasShown(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		l := openLog(t, be, be.fresh(t), Options{})
		ga := consent.CookieSpec{Name: "_ga", Category: "analytics", Provider: "Google Analytics",
			Purpose: map[string]string{"en": "Counts visits"}, Lifetime: 1}
		fbp := consent.CookieSpec{Name: "_fbp", Category: "marketing", Provider: "Meta",
			Purpose: map[string]string{"en": "Ads"}, Lifetime: 1}

		a := newSite(t, l, "Cookies, version A", []consent.CookieSpec{ga})
		shownA, ok := a.served("")
		require.True(t, ok, "an undecided visitor sees the banner")
		cookie := a.decide("accept_all", "")

		// Only the wording changes: same revision, not asked again.
		reworded := newSite(t, l, "Cookies, version B", []consent.CookieSpec{ga})
		assert.Equal(t, a.m.Revision(), reworded.m.Revision())
		_, asked := reworded.served(cookie)
		assert.False(t, asked, "a change of wording does not ask again")

		// A new third party: asked again.
		b := newSite(t, l, "Cookies, version B", []consent.CookieSpec{ga, fbp})
		assert.NotEqual(t, a.m.Revision(), b.m.Revision())
		shownB, asked := b.served(cookie)
		require.True(t, asked, "a new provider asks every visitor again")
		b.decide("reject_all", cookie)

		review, err := NewReviewHandler(l, ReviewOptions{Authorize: func(*http.Request) bool { return true }})
		require.NoError(t, err)
		get := func(target string) *httptest.ResponseRecorder {
			w := httptest.NewRecorder()
			review.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
			return w
		}
		rep, err := l.Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK, "%+v", rep)
		for seq, want := range map[int64]served{1: shownA, 2: shownB} {
			e, err := l.Get(context.Background(), seq)
			require.NoError(t, err)
			assert.Equal(t, HashVersion, e.HashVersion)
			require.NotEmpty(t, e.ShownHash)
			w := get("/shown?seq=" + itoa(seq))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Contains(t, w.Header().Get("Content-Security-Policy"), "sandbox;")
			assert.Contains(t, w.Header().Get("Content-Security-Policy"), "default-src 'none'")
			doc := w.Body.String()
			assert.NotContains(t, doc, "<script")
			// Byte for byte what the middleware served, in order.
			assert.Equal(t, "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\"><head>", doc[:len("<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\"><head>")])
			iCSS, iDCSS := strings.Index(doc, "<style>"+want.css+"</style>"), strings.Index(doc, "<style>"+want.dialogCSS+"</style>")
			iFirst, iDialog := strings.Index(doc, want.firstLayer), strings.Index(doc, want.dialog)
			assert.True(t, iCSS > 0 && iDCSS > iCSS && iFirst > iDCSS && iDialog > iFirst,
				"record %d: css %d, dialog css %d, first layer %d, dialog %d", seq, iCSS, iDCSS, iFirst, iDialog)
			s, err := l.Shown(context.Background(), e.ShownHash)
			require.NoError(t, err)
			assert.Equal(t, doc, s.HTML)
		}
		first, second := get("/shown?seq=1").Body.String(), get("/shown?seq=2").Body.String()
		assert.Contains(t, first, "Cookies, version A")
		assert.NotContains(t, first, "version B")
		assert.Contains(t, second, "Cookies, version B")

		// The record page frames the snapshot, sandboxed, and names the
		// providers of its time.
		rec1, rec2 := get("/record?seq=1"), get("/record?seq=2")
		assert.Contains(t, rec1.Body.String(), `<iframe class="shown" sandbox="" src="shown?seq=1"`)
		assert.Contains(t, rec1.Header().Get("Content-Security-Policy"), "frame-src 'self'")
		assert.Contains(t, rec1.Body.String(), "Google Analytics")
		assert.NotContains(t, rec1.Body.String(), "Meta")
		assert.Contains(t, rec2.Body.String(), "Meta")
	})
}

// A snapshot changed in the database is refused, not shown as evidence,
// and a record cannot be stored with a snapshot under another's hash.
func TestShownAlteredIsRefused(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		l := openLog(t, be, loc, Options{})
		ctx := context.Background()
		s := &consent.Shown{HTML: "<p>A</p>", Providers: []consent.CategoryProviders{{Category: "analytics", Providers: []string{"X"}}}}
		rec := testRecord(0)
		rec.Shown, rec.ShownHash = s, strings.Repeat("0", 64)
		require.ErrorIs(t, l.Record(ctx, rec), ErrInvalidRecord)
		rec.ShownHash = ""
		require.NoError(t, l.Record(ctx, rec))
		e, err := l.Get(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, s.Hash(), e.ShownHash)
		got, err := l.Shown(ctx, e.ShownHash)
		require.NoError(t, err)
		assert.Equal(t, *s, got)
		be.raw(t, loc, `UPDATE banner_snapshots SET html = '<p>B</p>'`)
		_, err = l.Shown(ctx, e.ShownHash)
		assert.ErrorIs(t, err, ErrShownAltered)
		_, err = l.Shown(ctx, strings.Repeat("1", 64))
		assert.ErrorIs(t, err, ErrNotFound)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
