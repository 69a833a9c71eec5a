package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFirstVisitIsUndecided(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.state(t, f.c)
	assert.False(t, s.Decided)
	assert.Equal(t, []string{Necessary}, s.Granted)
	assert.Empty(t, s.ID)
}

func TestDecisions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		form    url.Values
		granted []string
		outcome Outcome
	}{
		{"accept all", url.Values{"action": {"accept_all"}}, []string{"necessary", "preferences", "analytics", "marketing"}, OutcomeAcceptAll},
		{"reject all", url.Values{"action": {"reject_all"}}, []string{"necessary"}, OutcomeRejectAll},
		{"custom", url.Values{"action": {"save"}, "category": {"analytics"}}, []string{"necessary", "analytics"}, OutcomeCustom},
		{"save nothing", url.Values{"action": {"save"}}, []string{"necessary"}, OutcomeRejectAll},
		{"save necessary only", url.Values{"action": {"save"}, "category": {"necessary"}}, []string{"necessary"}, OutcomeRejectAll},
		{"reject from a ticked form", url.Values{"action": {"reject_all"}, "category": {"analytics", "marketing"}}, []string{"necessary"}, OutcomeRejectAll},
		{"accept from a partly ticked form", url.Values{"action": {"accept_all"}, "category": {"analytics"}}, []string{"necessary", "preferences", "analytics", "marketing"}, OutcomeAcceptAll},
		{"save everything", url.Values{"action": {"save"}, "category": {"preferences", "analytics", "marketing"}}, []string{"necessary", "preferences", "analytics", "marketing"}, OutcomeAcceptAll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			form := tt.form
			form.Set("return", "/article/1?x=2")
			resp := f.post(t, f.c, form, "User-Agent", "test-agent", "Referer", f.srv.URL+"/article/1?x=2")
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			assert.Equal(t, "/article/1?x=2", resp.Header.Get("Location"))
			ck := consentCookie(resp, hostConsent)
			require.NotNil(t, ck)
			assert.True(t, ck.Secure)
			assert.True(t, ck.HttpOnly)
			assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
			assert.Equal(t, "/", ck.Path)
			assert.Equal(t, int(defaultLifetime/time.Second), ck.MaxAge)

			s := f.state(t, f.c)
			assert.True(t, s.Decided)
			assert.Equal(t, tt.granted, s.Granted)
			assert.Len(t, s.ID, 32)
			assert.Equal(t, "form", s.Method)
			assert.Equal(t, f.m.Revision(), s.Revision)

			recs := f.store.all()
			require.Len(t, recs, 1)
			rec := recs[0]
			assert.Equal(t, s.ID, rec.ConsentID)
			assert.Equal(t, tt.outcome, rec.Outcome)
			assert.Equal(t, tt.granted, rec.Granted())
			assert.Len(t, rec.Decisions, 4)
			assert.Equal(t, "127.0.0.0/24", rec.IPPrefix)
			assert.Equal(t, "test-agent", rec.UserAgent)
			assert.Equal(t, "/article/1?x=2", rec.PageURL)
			assert.Equal(t, MethodForm, rec.Method)
			assert.Equal(t, f.clock.Now(), rec.Time)
			assert.Equal(t, "1", rec.PolicyVersion)
			assert.Empty(t, rec.Withdrawn)
		})
	}
}

func TestJSONDecision(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp, body := f.postJSON(t, f.c, `{"action":"save","categories":["analytics","preferences"],"lang":"es","js":true}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Contains(t, string(body), `"granted":["necessary","preferences","analytics"]`)
	s := f.state(t, f.c)
	assert.Equal(t, []string{"necessary", "preferences", "analytics"}, s.Granted)
	assert.Equal(t, "banner", s.Method)
	assert.Contains(t, string(body), s.ID)
}

// TestDecisionMethod: the log tells the banner's loader (JSON marked
// "js":true), its no-JavaScript form and the site's own code (JSON
// without the mark) apart, as Method's documentation says. Every JSON post
// used to be recorded as MethodBanner, and MethodAPI never.
func TestDecisionMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		post func(f *fixture, c *http.Client) *http.Response
		want Method
	}{
		{"form", func(f *fixture, c *http.Client) *http.Response {
			return f.post(t, c, url.Values{"action": {"accept_all"}})
		}, MethodForm},
		{"loader JSON", func(f *fixture, c *http.Client) *http.Response {
			resp, _ := f.postJSON(t, c, `{"action":"accept_all","js":true}`)
			return resp
		}, MethodBanner},
		{"site JSON", func(f *fixture, c *http.Client) *http.Response {
			resp, _ := f.postJSON(t, c, `{"action":"accept_all"}`)
			return resp
		}, MethodAPI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			resp := tt.post(f, f.c)
			require.Less(t, resp.StatusCode, 400)
			recs := f.store.all()
			require.Len(t, recs, 1)
			assert.Equal(t, tt.want, recs[0].Method)
			assert.Equal(t, string(tt.want), f.state(t, f.c).Method)
		})
	}
}

func TestWithdrawalKeepsIDAndRecordsWithdrawn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.c, url.Values{"action": {"accept_all"}})
	first := f.state(t, f.c)
	f.clock.Add(time.Hour)
	f.post(t, f.c, url.Values{"action": {"save"}, "category": {"preferences"}})
	second := f.state(t, f.c)
	assert.Equal(t, first.ID, second.ID, "one browser keeps one consent ID")
	assert.Equal(t, []string{"necessary", "preferences"}, second.Granted)
	recs := f.store.all()
	require.Len(t, recs, 2)
	assert.Equal(t, []string{"analytics", "marketing"}, recs[1].Withdrawn)
	assert.Equal(t, OutcomeCustom, recs[1].Outcome)
}

func TestRevisionChangeAsksAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.c, url.Values{"action": {"accept_all"}})
	old := f.state(t, f.c)
	require.True(t, old.Decided)

	for name, mod := range map[string]func(*Config){
		"policy version": func(c *Config) { c.PolicyVersion = "2" },
		"new category":   func(c *Config) { c.Categories = append(DefaultCategories(), Category{ID: "social"}) },
		"flag changed":   func(c *Config) { c.Categories = []Category{{ID: "preferences"}, {ID: "analytics"}, {ID: "marketing"}} },
	} {
		cfg := Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: f.store, Now: f.clock.Now}
		mod(&cfg)
		m2, err := New(cfg)
		require.NoError(t, err)
		assert.NotEqual(t, f.m.Revision(), m2.Revision(), name)
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		for _, c := range f.c.Jar.Cookies(mustURL(f.srv.URL)) {
			req.AddCookie(c)
		}
		st := stateThrough(m2, req)
		assert.False(t, st.Decided(), name)
		prev, current := m2.previous(req.Header)
		require.NotNil(t, prev, name)
		assert.False(t, current, name)
		assert.Equal(t, old.ID, prev.ID(), "a new decision keeps the consent ID")
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.Lifetime = 30 * 24 * time.Hour })
	f.post(t, f.c, url.Values{"action": {"accept_all"}})
	f.clock.Add(30*24*time.Hour - time.Second)
	assert.True(t, f.state(t, f.c).Decided)
	f.clock.Add(2 * time.Second)
	assert.False(t, f.state(t, f.c).Decided, "expired consent asks again")
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.post(t, f.c, url.Values{"action": {"accept_all"}})
	oldCookie := f.c.Jar.Cookies(mustURL(f.srv.URL))[0].Value

	rotated, err := New(Config{Keys: []KeyPair{{HashKey: testKey2}, {HashKey: testKey1}}, Store: f.store, Now: f.clock.Now})
	require.NoError(t, err)
	st, err := rotated.DecodeCookie(oldCookie)
	require.NoError(t, err, "a cookie signed with the old key still reads")
	assert.True(t, st.Allowed("marketing"))

	srv := httptestServer(t, rotated)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/consent/decision", strings.NewReader("action=reject_all"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: hostConsent, Value: oldCookie})
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	newCookie := consentCookie(resp, hostConsent)
	require.NotNil(t, newCookie)

	onlyNew, err := New(Config{Keys: []KeyPair{{HashKey: testKey2}}, Store: f.store, Now: f.clock.Now})
	require.NoError(t, err)
	st2, err := onlyNew.DecodeCookie(newCookie.Value)
	require.NoError(t, err, "the next decision is signed with the new key")
	assert.Equal(t, st.ID(), st2.ID())
	_, err = onlyNew.DecodeCookie(oldCookie)
	assert.ErrorIs(t, err, ErrCookieInvalid, "once the old key is dropped its cookies stop reading")
}

func TestBadCookiesMeanUndecided(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.Keys = []KeyPair{{HashKey: testKey1, BlockKey: testKey2}} })
	f.post(t, f.c, url.Values{"action": {"accept_all"}})
	valid := f.c.Jar.Cookies(mustURL(f.srv.URL))[0].Value
	other, err := New(Config{Keys: []KeyPair{{HashKey: testKey2}}})
	require.NoError(t, err)
	foreign, err := other.codec.encode(marshalPayload(&State{method: MethodForm, granted: 15, rev: f.m.rev, decidedAt: f.clock.Now()}))
	require.NoError(t, err)
	flipped := []byte(valid)
	flipped[len(flipped)/2] ^= 1

	tests := map[string]string{
		"empty":           "",
		"garbage":         "hello",
		"flipped bit":     string(flipped),
		"truncated":       valid[:len(valid)-4],
		"other key":       foreign,
		"oversized":       strings.Repeat("A", 5000),
		"quoted garbage":  `"abc"`,
		"valid plus tail": valid + "x",
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			c := f.srv.Client() // no jar
			req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/state", nil)
			req.Header.Set("Cookie", hostConsent+"="+v)
			resp, err := c.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			_, err = f.m.DecodeCookie(v)
			assert.Error(t, err)
		})
	}
	t.Run("control bytes", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Cookie", hostConsent+"=\x00\x01\xff; consent=\x7f")
		assert.False(t, stateThrough(f.m, req).Decided())
	})
	t.Run("valid one among bad ones", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.Header.Add("Cookie", hostConsent+"=bogus; other=1")
		req.Header.Add("Cookie", hostConsent+`="`+valid+`"`)
		assert.True(t, stateThrough(f.m, req).Decided())
	})
}

func TestCrossSitePostRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for name, hdr := range map[string][]string{
		"sec-fetch-site cross-site": {"Sec-Fetch-Site", "cross-site"},
		"sec-fetch-site same-site":  {"Sec-Fetch-Site", "same-site"},
		"foreign origin":            {"Origin", "https://evil.example"},
	} {
		t.Run(name, func(t *testing.T) {
			resp := f.post(t, f.c, url.Values{"action": {"accept_all"}}, hdr...)
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			assert.Nil(t, consentCookie(resp, hostConsent))
		})
	}
	assert.Empty(t, f.store.all())
	resp := f.post(t, f.c, url.Values{"action": {"accept_all"}}, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

func TestOpenRedirectRefused(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                              "/",
		"/ok":                           "/ok",
		"/ok?a=1&b=2":                   "/ok?a=1&b=2",
		"/a/b#frag":                     "/a/b",
		"//evil.example":                "/",
		"/\\evil.example":               "/",
		"\\\\evil.example":              "/",
		"https://evil.example/":         "/",
		"http:/evil.example":            "/",
		"javascript:alert(1)":           "/",
		"evil.example":                  "/",
		"/\t/evil.example":              "/",
		"/%0d%0aSet-Cookie:x=1":         "/%0d%0aSet-Cookie:x=1",
		"/\r\nLocation: //evil":         "/",
		" /leading-space":               "/",
		"/" + strings.Repeat("a", 3000): "/",
	}
	for in, want := range tests {
		assert.Equal(t, want, safeReturn(in), "return %q", in)
	}
	// One browser posting this many decisions in a row is over the ID's
	// write limit, which is not what this test is about.
	f := newFixture(t, func(c *Config) { c.WriteLimits.PerID = -1 })
	for in, want := range tests {
		resp := f.post(t, f.c, url.Values{"action": {"reject_all"}, "return": {in}})
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		loc := resp.Header.Get("Location")
		assert.Equal(t, want, loc, "return %q", in)
		assert.True(t, strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//"))
	}
}

func TestGPC(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t.Run("undecided visitor", func(t *testing.T) {
		s := f.state(t, f.c, "Sec-GPC", "1")
		assert.True(t, s.GPC)
		assert.False(t, s.Decided, "GPC is never consent")
	})
	t.Run("not exactly 1", func(t *testing.T) {
		for _, v := range []string{"0", "true", "1 1", "yes"} {
			assert.False(t, f.state(t, f.c, "Sec-GPC", v).GPC, v)
		}
	})
	t.Run("accept all with GPC", func(t *testing.T) {
		c := f.client(t)
		f.post(t, c, url.Values{"action": {"accept_all"}}, "Sec-GPC", "1")
		s := f.state(t, c, "Sec-GPC", "1")
		assert.Equal(t, []string{"necessary", "preferences", "analytics"}, s.Granted)
		recs := f.store.all()
		rec := recs[len(recs)-1]
		assert.True(t, rec.GPC)
		assert.Equal(t, OutcomeCustom, rec.Outcome)
		assert.Contains(t, rec.BannerText, "Global Privacy Control", "the recorded text is the one shown, GPC notice included")
		sum := sha256.Sum256([]byte(rec.BannerText))
		assert.Equal(t, hex.EncodeToString(sum[:]), rec.TextHash)
	})
	t.Run("signal arrives after consent", func(t *testing.T) {
		c := f.client(t)
		f.post(t, c, url.Values{"action": {"accept_all"}})
		before := len(f.store.all())
		s := f.state(t, c, "Sec-GPC", "1")
		assert.Equal(t, []string{"necessary", "preferences", "analytics"}, s.Granted)
		recs := f.store.all()
		require.Len(t, recs, before+1, "the GPC-driven change is recorded")
		rec := recs[len(recs)-1]
		assert.Equal(t, MethodGPC, rec.Method)
		assert.Equal(t, []string{"marketing"}, rec.Withdrawn)
		// The cookie was rewritten: without the signal marketing stays off
		// and no further record is written.
		s = f.state(t, c)
		assert.False(t, s.GPC)
		assert.Equal(t, []string{"necessary", "preferences", "analytics"}, s.Granted)
		f.state(t, c, "Sec-GPC", "1")
		assert.Len(t, f.store.all(), before+1)
	})
}

func TestStoreFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.store.setFail(errDown)
	resp := f.post(t, f.c, url.Values{"action": {"accept_all"}})
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Nil(t, consentCookie(resp, hostConsent), "nothing is acknowledged that is not logged")
	r2, body := f.postJSON(t, f.c, `{"action":"accept_all"}`)
	assert.Equal(t, http.StatusServiceUnavailable, r2.StatusCode)
	assert.Contains(t, string(body), `"error"`)
	assert.Nil(t, consentCookie(r2, hostConsent))
	assert.False(t, f.state(t, f.c).Decided)
	f.store.setFail(nil)
	assert.Equal(t, http.StatusSeeOther, f.post(t, f.c, url.Values{"action": {"accept_all"}}).StatusCode)
}

func TestBadDecisionRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	type tc struct {
		method, ctype, body string
		code                int
		msg                 string
	}
	tests := map[string]tc{
		"GET":                   {"GET", "", "", 405, "POST"},
		"PUT":                   {"PUT", "application/x-www-form-urlencoded", "action=accept_all", 405, "POST"},
		"no action":             {"POST", "application/x-www-form-urlencoded", "", 400, "missing action"},
		"unknown action":        {"POST", "application/x-www-form-urlencoded", "action=grant_everything", 400, "unknown action"},
		"unknown category":      {"POST", "application/x-www-form-urlencoded", "action=save&category=spying", 400, "unknown category"},
		"repeated category":     {"POST", "application/x-www-form-urlencoded", "action=save&category=analytics&category=analytics", 400, "twice"},
		"json accept with cats": {"POST", "application/json", `{"action":"accept_all","categories":["analytics"]}`, 400, "takes no categories"},
		"two actions":           {"POST", "application/x-www-form-urlencoded", "action=accept_all&action=reject_all", 400, "2 times"},
		"bad escape":            {"POST", "application/x-www-form-urlencoded", "action=%zz", 400, "form"},
		"bad json":              {"POST", "application/json", "{", 400, "JSON"},
		"json array":            {"POST", "application/json", `["accept_all"]`, 400, "JSON"},
		"json unknown field":    {"POST", "application/json", `{"action":"accept_all","admin":true}`, 400, "unknown field"},
		"json trailing":         {"POST", "application/json", `{"action":"accept_all"}{}`, 400, "after"},
		"json wrong type":       {"POST", "application/json", `{"action":1}`, 400, "JSON"},
		"xml":                   {"POST", "application/xml", `<a/>`, 400, "not supported"},
		"too large form":        {"POST", "application/x-www-form-urlencoded", "action=save&x=" + strings.Repeat("a", 10000), 413, "too large"},
		"too large json":        {"POST", "application/json", `{"action":"save","return":"` + strings.Repeat("a", 10000) + `"}`, 413, "too large"},
		"long lang":             {"POST", "application/x-www-form-urlencoded", "action=accept_all&lang=" + strings.Repeat("x", 40), 400, "lang"},
		"bad content-type":      {"POST", "text/plain; charset", "action=accept_all", 400, "malformed"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, f.srv.URL+"/consent/decision", strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			resp, err := f.srv.Client().Do(req)
			require.NoError(t, err)
			b := readAll(t, resp)
			assert.Equal(t, tt.code, resp.StatusCode, b)
			assert.Contains(t, b, tt.msg)
			assert.Nil(t, consentCookie(resp, hostConsent))
		})
	}
	assert.Empty(t, f.store.all(), "bad input changes nothing")
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	good := func() Config { return Config{Keys: []KeyPair{{HashKey: testKey1}}} }
	tests := map[string]struct {
		mod  func(*Config)
		want error
		msg  string
	}{
		"no keys":            {func(c *Config) { c.Keys = nil }, ErrNoKeys, "HashKey"},
		"short hash key":     {func(c *Config) { c.Keys[0].HashKey = []byte("short") }, ErrBadKey, "at least 32"},
		"bad block key":      {func(c *Config) { c.Keys[0].BlockKey = []byte("123") }, ErrBadKey, "16, 24 or 32"},
		"empty category":     {func(c *Config) { c.Categories = []Category{{ID: ""}} }, ErrBadCategory, "empty ID"},
		"duplicate category": {func(c *Config) { c.Categories = []Category{{ID: "a"}, {ID: "a"}} }, ErrBadCategory, "duplicate"},
		"bad category id":    {func(c *Config) { c.Categories = []Category{{ID: "An Alytics"}} }, ErrBadCategory, "lower-case"},
		"sale necessary":     {func(c *Config) { c.Categories = []Category{{ID: Necessary, SaleOrSharing: true}} }, ErrBadCategory, "sale"},
		"bad cookie name":    {func(c *Config) { c.Cookie.Name = "a b" }, ErrBadCookie, "token"},
		"bad domain":         {func(c *Config) { c.Cookie.Domain = "a;b" }, ErrBadCookie, "host"},
		"none insecure":      {func(c *Config) { c.Cookie.SameSite = http.SameSiteNoneMode; c.Cookie.Insecure = true }, ErrBadCookie, "Secure"},
		"bad samesite":       {func(c *Config) { c.Cookie.SameSite = 9 }, ErrBadCookie, "SameSite"},
		"lifetime too long":  {func(c *Config) { c.Lifetime = 401 * 24 * time.Hour }, ErrBadLifetime, "400 days"},
		"lifetime too short": {func(c *Config) { c.Lifetime = time.Second }, ErrBadLifetime, "one hour"},
		"prefix slash":       {func(c *Config) { c.Prefix = "/consent/" }, ErrBadPrefix, "trailing"},
		"prefix relative":    {func(c *Config) { c.Prefix = "consent" }, ErrBadPrefix, ""},
		"bad origin":         {func(c *Config) { c.TrustedOrigins = []string{"not a url"} }, ErrBadConfig, "origin"},
		"negative timeout":   {func(c *Config) { c.StoreTimeout = -1 }, ErrBadConfig, "StoreTimeout"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := good()
			tt.mod(&cfg)
			m, err := New(cfg)
			assert.Nil(t, m)
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Categories: []Category{{ID: "analytics"}}})
	require.NoError(t, err)
	assert.Equal(t, Necessary, m.Categories()[0].ID, "necessary is always there, first")
}

func TestStateWithoutMiddleware(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	s := FromRequest(req)
	require.NotNil(t, s)
	assert.False(t, s.Decided())
	assert.True(t, s.Allowed(Necessary))
	assert.False(t, s.Allowed("analytics"))
	assert.Equal(t, []string{Necessary}, s.Granted())
	var nilState *State
	assert.False(t, nilState.Allowed("analytics"))
	assert.True(t, nilState.Allowed(Necessary))
	assert.Equal(t, "", nilState.ID())
	assert.NotNil(t, FromRequest(nil))
	ctx := WithState(req.Context(), NewState([]string{"analytics", "marketing"}, "analytics"))
	s = FromContext(ctx)
	assert.True(t, s.Allowed("analytics"))
	assert.False(t, s.Allowed("marketing"))
	assert.False(t, s.Allowed("unknown"))
}

func TestPseudonymize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"203.0.113.77":        "203.0.113.0/24",
		"2001:db8:abcd:12::1": "2001:db8:abcd::/48",
		"::ffff:198.51.100.9": "198.51.100.0/24",
		"fe80::1%eth0":        "fe80::/48",
		"not an ip":           "",
		"":                    "",
	} {
		assert.Equal(t, want, pseudonymize(in), in)
	}
}
