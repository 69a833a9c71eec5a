package consent

import (
	"bytes"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// siteCookies is the declaration of a small news site: a necessary session,
// a preferences cookie, Google Analytics (exact and pattern) and two
// marketing cookies, one of them a third party's.
func siteCookies() []CookieSpec {
	return []CookieSpec{
		{Name: "session", Category: Necessary, HttpOnly: true, Secure: true, Purpose: map[string]string{"en": "Keeps you signed in."},
			Justification: map[string]string{"en": "Sign-in needs it.", "es": "El inicio de sesión lo necesita."}},
		{Name: "theme", Category: "preferences", Lifetime: 365 * 24 * time.Hour, Purpose: map[string]string{"en": "Dark or light."}},
		{Name: "_ga", Category: "analytics", Domain: ".example.com", Provider: "Google Analytics", Lifetime: 400 * 24 * time.Hour,
			Hosts: []string{"www.googletagmanager.com"}, LocalStorage: []string{"ga:clientId"},
			Purpose: map[string]string{"en": "Tells visitors apart.", "es": "Distingue a los visitantes."}},
		{Name: "_ga_*", Category: "analytics", Domain: ".example.com", Provider: "Google Analytics", Lifetime: 400 * 24 * time.Hour,
			Purpose: map[string]string{"en": "Keeps the session state."}},
		{Name: "_gid", Category: "analytics", Domain: ".example.com", Lifetime: 24 * time.Hour, Purpose: map[string]string{"en": "Daily ID."}},
		{Name: "_fbp", Category: "marketing", Path: "/news", Provider: "Meta", Lifetime: 90 * 24 * time.Hour,
			LocalStorage: []string{"fb_*"}, Purpose: map[string]string{"en": "Ad delivery."}},
		{Name: "__Host-ad", Category: "marketing", HttpOnly: true, Purpose: map[string]string{"en": "Ad frequency."}},
		{Name: "IDE", Category: "marketing", Domain: ".doubleclick.net", Provider: "Google", Purpose: map[string]string{"en": "Ads."}},
	}
}

func cookieManager(t testing.TB, mods ...func(*Config)) *Manager {
	t.Helper()
	cfg := Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog, Now: newClock().Now,
		Cookies: siteCookies()}
	for _, mod := range mods {
		mod(&cfg)
	}
	m, err := New(cfg)
	require.NoError(t, err)
	return m
}

// grant returns a decided State of m's categories granting ids.
func grant(m *Manager, ids ...string) *State {
	st := &State{decided: true, set: m.set, granted: 1, rev: m.rev, decidedAt: m.cfg.Now()}
	for _, id := range ids {
		st.granted |= 1 << uint(m.set.index(id))
	}
	return st
}

// logBuffer is a slog handler's output that tests can read while the
// Manager (and a server's goroutines) write to it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) lines(level string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for l := range strings.Lines(b.buf.String()) {
		if strings.Contains(l, "level="+level) {
			out = append(out, l)
		}
	}
	return out
}

func newLogBuffer() (*logBuffer, *slog.Logger) {
	b := &logBuffer{}
	return b, slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestFilterSetCookies(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	allow := cookieManager(t, func(c *Config) { c.UndeclaredCookies = AllowUndeclared })
	const (
		session = "session=s1; Path=/; HttpOnly; Secure"
		theme   = "theme=dark; Max-Age=31536000"
		ga      = "_ga=GA1.2.3; Domain=example.com; Max-Age=34560000"
		gaX     = "_ga_ABC123=GS1.1; Domain=example.com"
		fbp     = "_fbp=fb.1.2; Path=/news"
		other   = "tracker=1"
	)
	tests := []struct {
		name string
		m    *Manager
		st   *State
		in   []string
		want []string
	}{
		{"undecided keeps only necessary", m, &undecided, []string{session, theme, ga, gaX, fbp}, []string{session}},
		{"nil state is undecided", m, nil, []string{ga, session}, []string{session}},
		{"undecided with GPC", m, m.undecidedGPC, []string{fbp, session}, []string{session}},
		{"analytics granted", m, grant(m, "analytics"), []string{session, ga, fbp, gaX, theme}, []string{session, ga, gaX}},
		{"everything granted", m, grant(m, "preferences", "analytics", "marketing"), []string{session, theme, ga, gaX, fbp},
			[]string{session, theme, ga, gaX, fbp}},
		{"foreign state matched by ID", m, NewState([]string{"marketing"}, "marketing"), []string{fbp, ga}, []string{fbp}},
		{"undeclared blocked", m, grant(m, "preferences", "analytics", "marketing"), []string{other, session}, []string{session}},
		{"undeclared allowed", allow, &undecided, []string{other, ga, session}, []string{other, session}},
		{"nameless cookie is undeclared", m, &undecided, []string{"justavalue", "=v; Path=/"}, nil},
		{"consent cookie is necessary", m, &undecided, []string{hostConsent + "=abc; Path=/; HttpOnly", hostLang + "=es"},
			[]string{hostConsent + "=abc; Path=/; HttpOnly", hostLang + "=es"}},
		{"deletion by Max-Age=0 passes", m, &undecided, []string{"_ga=; Domain=example.com; Max-Age=0"},
			[]string{"_ga=; Domain=example.com; Max-Age=0"}},
		{"deletion by negative Max-Age passes", m, &undecided, []string{"tracker=; max-age=-1"}, []string{"tracker=; max-age=-1"}},
		{"deletion by past Expires passes", m, &undecided, []string{"_fbp=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"},
			[]string{"_fbp=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}},
		{"future Expires is not a deletion", m, &undecided, []string{"_fbp=x; Expires=Fri, 01 Jan 2100 00:00:00 GMT"}, nil},
		{"Max-Age wins over a past Expires", m, &undecided, []string{"_fbp=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60"}, nil},
		{"invalid Max-Age is ignored", m, &undecided, []string{"_fbp=x; Max-Age=0x"}, nil},
		{"spaces around the name", m, grant(m, "analytics"), []string{"  _ga =1", " _fbp = 2"}, []string{"  _ga =1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{"Content-Type": {"text/plain"}}
			h["Set-Cookie"] = slices.Clone(tt.in)
			tt.m.filterSetCookies(h, tt.st)
			assert.Equal(t, tt.want, h["Set-Cookie"])
			_, present := h["Set-Cookie"]
			assert.Equal(t, len(tt.want) > 0, present, "an emptied header is removed, not left empty")
			assert.Equal(t, "text/plain", h.Get("Content-Type"), "other headers untouched")
		})
	}
	t.Run("a shared slice is not written to", func(t *testing.T) {
		t.Parallel()
		for _, in := range [][]string{
			{ga, session, fbp},
			{session, ga, theme, fbp, session},
			{ga, session, session},
			{session, ga},
		} {
			shared := slices.Clone(in)
			h := http.Header{"Set-Cookie": shared}
			m.filterSetCookies(h, &undecided)
			h.Add("Set-Cookie", "added=1")
			want := slices.DeleteFunc(slices.Clone(in), func(l string) bool { return l != session })
			assert.Equal(t, append(want, "added=1"), h["Set-Cookie"])
			assert.Equal(t, in, shared, "the handler's slice is unchanged, even after Header.Add")
		}
	})
	t.Run("no Set-Cookie", func(t *testing.T) {
		t.Parallel()
		h := http.Header{}
		m.filterSetCookies(h, nil)
		assert.Empty(t, h)
	})
}

func TestUndeclaredCookieWarnedOnce(t *testing.T) {
	t.Parallel()
	logs, logger := newLogBuffer()
	m := cookieManager(t, func(c *Config) { c.Logger = logger })
	for range 3 {
		h := http.Header{"Set-Cookie": {"tracker=1", "_ga=2"}}
		m.filterSetCookies(h, &undecided)
		assert.Empty(t, h["Set-Cookie"])
	}
	warns := logs.lines("WARN")
	require.Len(t, warns, 1, "one warning for one undeclared name")
	assert.Contains(t, warns[0], "cookie=tracker")
	assert.Contains(t, warns[0], "does not declare")
	debug := logs.lines("DEBUG")
	assert.Len(t, debug, 6, "a debug line for every dropped cookie")
	assert.Len(t, slices.DeleteFunc(debug, func(l string) bool { return !strings.Contains(l, "category=analytics") }), 3)
}

func TestUndeclaredWarningsBounded(t *testing.T) {
	t.Parallel()
	logs, logger := newLogBuffer()
	m := cookieManager(t, func(c *Config) { c.Logger = logger })
	for i := range maxWarnedNames + 50 {
		h := http.Header{"Set-Cookie": {"t" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i/26) + "=1"}}
		m.filterSetCookies(h, &undecided)
	}
	warns := logs.lines("WARN")
	assert.Len(t, warns, maxWarnedNames+1, "one per name up to the limit, then one saying so")
	assert.Contains(t, warns[len(warns)-1], "many undeclared")
}

// setCookies returns the cookies a recorded response sets, by name.
func setCookies(rec *httptest.ResponseRecorder) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range rec.Result().Cookies() {
		out[c.Name] = c
	}
	return out
}

// decide posts a form decision for host through m's middleware with the
// given Cookie header.
func decide(m *Manager, host, cookie string, form url.Values) *httptest.ResponseRecorder {
	return postForm(m, "https://"+host+"/consent/decision", cookie, form.Encode())
}

// postForm posts a form body to target through m's middleware with the
// given Cookie header.
func postForm(m *Manager, target, cookie, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	m.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
	return rec
}

func TestDecisionExpiresRefusedCookies(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	accepted := decide(m, "www.example.com", "", url.Values{"action": {"accept_all"}})
	require.Equal(t, http.StatusSeeOther, accepted.Code)
	consent := setCookies(accepted)[hostConsent]
	require.NotNil(t, consent)
	present := hostConsent + "=" + consent.Value + "; session=s; theme=dark; _ga=GA1; _ga_ABC=GS1; _ga_XYZ=GS2; _fbp=fb; " +
		"__Host-ad=1; IDE=x; tracker=1; _ga=dup"

	// Each name is expired in every form it can have on www.example.com,
	// the declared form first (see afterDecision).
	type expiry struct {
		forms            []cookieForm
		httpOnly, secure bool
	}
	root := []cookieForm{{"example.com", "/"}, {"", "/"}, {"www.example.com", "/"}}
	hostOnly := []cookieForm{{"", "/"}, {"example.com", "/"}, {"www.example.com", "/"}}
	fbp := expiry{forms: []cookieForm{{"", "/news"}, {"example.com", "/news"}, {"www.example.com", "/news"},
		{"example.com", "/"}, {"", "/"}, {"www.example.com", "/"}}}
	hostAd := expiry{forms: []cookieForm{{"", "/"}}, httpOnly: true, secure: true}
	tests := []struct {
		name    string
		cookie  string
		form    url.Values
		expired map[string]expiry
	}{
		{"withdraw analytics and marketing", present, url.Values{"action": {"save"}, "category": {"preferences"}},
			map[string]expiry{"_ga": {forms: root}, "_ga_ABC": {forms: root}, "_ga_XYZ": {forms: root}, "_fbp": fbp, "__Host-ad": hostAd}},
		{"withdraw marketing only", present, url.Values{"action": {"save"}, "category": {"preferences", "analytics"}},
			map[string]expiry{"_fbp": fbp, "__Host-ad": hostAd}},
		{"reject all without a previous decision", "theme=dark; _gid=1", url.Values{"action": {"reject_all"}},
			map[string]expiry{"theme": {forms: hostOnly}, "_gid": {forms: root}}},
		{"accept all expires nothing", present, url.Values{"action": {"accept_all"}}, map[string]expiry{}},
		{"no cookies, nothing to expire", "", url.Values{"action": {"reject_all"}}, map[string]expiry{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := decide(m, "www.example.com", tt.cookie, tt.form)
			require.Equal(t, http.StatusSeeOther, rec.Code)
			got := map[string][]*http.Cookie{}
			for _, c := range rec.Result().Cookies() {
				got[c.Name] = append(got[c.Name], c)
			}
			require.Contains(t, got, hostConsent, "the new decision is stored")
			delete(got, hostConsent)
			names := slices.Collect(maps.Keys(got))
			want := slices.Collect(maps.Keys(tt.expired))
			assert.ElementsMatch(t, want, names, "exactly the declared cookies of refused categories that the request carried")
			lines := 1
			for name, e := range tt.expired {
				lines += len(e.forms)
				var forms []cookieForm
				for _, c := range got[name] {
					forms = append(forms, cookieForm{c.Domain, c.Path})
					assert.Equal(t, -1, c.MaxAge, "%s: Max-Age=0", name)
					assert.True(t, c.Expires.Before(time.Unix(1, 0)), "%s: Expires in the past", name)
					assert.Empty(t, c.Value, name)
					assert.Equal(t, e.httpOnly, c.HttpOnly, "%s: HttpOnly as declared", name)
					assert.Equal(t, e.secure, c.Secure, "%s: Secure as declared", name)
				}
				assert.Equal(t, e.forms, forms, "%s: every Domain and Path it may have, the declared ones first", name)
			}
			assert.Len(t, rec.Result().Header.Values("Set-Cookie"), lines, "each form expired once")
		})
	}
}

func TestDecisionLeavesOtherHostsCookies(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	// On a host outside .example.com the _ga spec is not the site's
	// cookie; a host-only _fbp is.
	rec := decide(m, "shop.example.org:8443", "_ga=1; _fbp=2", url.Values{"action": {"reject_all"}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	got := setCookies(rec)
	assert.NotContains(t, got, "_ga")
	assert.Contains(t, got, "_fbp")
}

func TestHandlerFiltersSetCookie(t *testing.T) {
	t.Parallel()
	logs, logger := newLogBuffer()
	m := cookieManager(t, func(c *Config) { c.Logger = logger })
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range []string{"session", "theme", "_ga", "_ga_ABC", "_fbp", "tracker"} {
			http.SetCookie(w, &http.Cookie{Name: c, Value: "v", Path: "/"})
		}
		switch r.URL.Path {
		case "/html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!doctype html><html><head></head><body><p>hi</p></body></html>"))
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{}`))
		case "/redirect":
			http.Redirect(w, r, "/", http.StatusFound)
		case "/empty":
			// nothing written: net/http sends the headers after return
		}
	})
	h := m.Handler(app)
	accepted := decide(m, "example.com", "", url.Values{"action": {"save"}, "category": {"analytics"}})
	consent := setCookies(accepted)[hostConsent]
	require.NotNil(t, consent)

	tests := []struct {
		name, path, cookie string
		want               []string
	}{
		{"undecided html", "/html", "", []string{"session"}},
		{"undecided json", "/json", "", []string{"session"}},
		{"undecided redirect", "/redirect", "", []string{"session"}},
		{"undecided empty body", "/empty", "", []string{"session"}},
		{"analytics accepted html", "/html", hostConsent + "=" + consent.Value, []string{"session", "_ga", "_ga_ABC"}},
		{"analytics accepted json", "/json", hostConsent + "=" + consent.Value, []string{"session", "_ga", "_ga_ABC"}},
		{"analytics accepted, GPC", "/empty", hostConsent + "=" + consent.Value, []string{"session", "_ga", "_ga_ABC"}},
	}
	t.Run("responses", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				req := httptest.NewRequest(http.MethodGet, "https://example.com"+tt.path, nil)
				if tt.cookie != "" {
					req.Header.Set("Cookie", tt.cookie)
				}
				if strings.Contains(tt.name, "GPC") {
					req.Header.Set("Sec-GPC", "1")
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				var names []string
				for _, c := range rec.Result().Cookies() {
					names = append(names, c.Name)
				}
				assert.Equal(t, tt.want, names)
			})
		}
	})
	assert.Len(t, logs.lines("WARN"), 1, "the undeclared cookie is warned about once")
}

func TestLocalStorageKeys(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	tests := []struct {
		category string
		want     []string
	}{
		{"analytics", []string{"ga:clientId"}},
		{"marketing", []string{"fb_*"}},
		{"preferences", nil},
		{Necessary, nil},
		{"unknown", nil},
	}
	for _, tt := range tests {
		t.Run(tt.category, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, m.localStorageKeys(tt.category))
		})
	}
	keys := m.localStorageKeys("analytics")
	keys[0] = "changed"
	assert.Equal(t, []string{"ga:clientId"}, m.localStorageKeys("analytics"), "callers get a copy")

	storageOnly := cookieManager(t, func(c *Config) {
		c.Cookies = []CookieSpec{{Category: "preferences", LocalStorage: []string{"font-size"}}}
	})
	assert.Equal(t, []string{"font-size"}, storageOnly.localStorageKeys("preferences"), "a spec may declare storage only")
}

func TestGPCJSON(t *testing.T) {
	t.Parallel()
	// Half past midnight in Madrid is still the day before in UTC: the
	// date is the one the developer wrote.
	day := time.Date(2026, 2, 15, 0, 30, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name     string
		enabled  bool
		method   string
		code     int
		ctype    string
		body     string
		lastDate time.Time
	}{
		{"enabled", true, http.MethodGet, http.StatusOK, "application/json", `{"gpc": true, "lastUpdate": "2026-02-15"}` + "\n", day},
		{"head", true, http.MethodHead, http.StatusOK, "application/json", "", day},
		{"default date is New's day", true, http.MethodGet, http.StatusOK, "application/json",
			`{"gpc": true, "lastUpdate": "2026-03-01"}` + "\n", time.Time{}},
		{"post refused", true, http.MethodPost, http.StatusMethodNotAllowed, "text/plain; charset=utf-8", "", day},
		{"disabled goes to the site", false, http.MethodGet, http.StatusOK, "text/plain; charset=utf-8", "page /.well-known/gpc.json", day},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := cookieManager(t, func(c *Config) { c.GPC.WellKnown, c.GPC.LastUpdate = tt.enabled, tt.lastDate })
			rec := httptest.NewRecorder()
			m.Handler(stateApp()).ServeHTTP(rec, httptest.NewRequest(tt.method, "/.well-known/gpc.json", nil))
			assert.Equal(t, tt.code, rec.Code)
			assert.Equal(t, tt.ctype, rec.Header().Get("Content-Type"))
			if tt.code == http.StatusOK {
				assert.Equal(t, tt.body, rec.Body.String())
			}
		})
	}
}

func TestNewRejectsBadCookies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		specs []CookieSpec
		mod   func(*Config)
		want  error
		msg   string
	}{
		{"empty name", []CookieSpec{{Category: "analytics"}}, nil, ErrBadCookie, "empty Name"},
		{"star only", []CookieSpec{{Name: "*", Category: "analytics"}}, nil, ErrBadCookie, "matches everything"},
		{"star inside", []CookieSpec{{Name: "_g*a", Category: "analytics"}}, nil, ErrBadCookie, "only allowed once, at the end"},
		{"two stars", []CookieSpec{{Name: "_ga**", Category: "analytics"}}, nil, ErrBadCookie, "at the end"},
		{"bad name", []CookieSpec{{Name: "a b", Category: "analytics"}}, nil, ErrBadCookie, "not a valid cookie name"},
		{"no category", []CookieSpec{{Name: "a"}}, nil, ErrBadCookie, "no Category"},
		{"unknown category", []CookieSpec{{Name: "a", Category: "ads"}}, nil, ErrBadCookie, `unknown category "ads"`},
		{"necessary without justification", []CookieSpec{{Name: "sid", Category: Necessary}}, nil, ErrMissingJustification, "Justification"},
		{"blank justification", []CookieSpec{{Name: "sid", Category: Necessary, Justification: map[string]string{"en": " "}}}, nil,
			ErrBadCookie, "Justification"},
		{"bad domain", []CookieSpec{{Name: "a", Category: "analytics", Domain: "a;b"}}, nil, ErrBadCookie, "not a host name"},
		{"bad path", []CookieSpec{{Name: "a", Category: "analytics", Path: "news"}}, nil, ErrBadCookie, "must start with /"},
		{"negative lifetime", []CookieSpec{{Name: "a", Category: "analytics", Lifetime: -time.Second}}, nil, ErrBadCookie, "session cookie"},
		{"duplicate", []CookieSpec{{Name: "a", Category: "analytics"}, {Name: "a", Category: "marketing"}}, nil, ErrBadCookie, "declared twice"},
		{"duplicate storage", []CookieSpec{{Name: "a", Category: "analytics", LocalStorage: []string{"k"}},
			{Name: "b", Category: "marketing", LocalStorage: []string{"k"}}}, nil, ErrBadCookie, `"k" declared twice`},
		{"bad storage pattern", []CookieSpec{{Name: "a", Category: "analytics", LocalStorage: []string{"*"}}}, nil, ErrBadCookie, "localStorage"},
		{"bad host", []CookieSpec{{Name: "a", Category: "analytics", Hosts: []string{"https://x.com/"}}}, nil, ErrBadCookie, "host"},
		{"bad text tag", []CookieSpec{{Name: "a", Category: "analytics", Purpose: map[string]string{"english": "x"}}}, nil, ErrBadCookie, "BCP 47"},
		{"__Host- with domain", []CookieSpec{{Name: "__Host-a", Category: "analytics", Domain: "example.com"}}, nil, ErrBadCookie, "__Host-"},
		{"consent cookie as analytics", []CookieSpec{{Name: "consent", Category: "analytics"}}, nil, ErrBadCookie, "set by the middleware"},
		{"bad policy", nil, func(c *Config) { c.UndeclaredCookies = 7 }, ErrBadCookie, "UndeclaredCookies"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Cookies: tt.specs}
			if tt.mod != nil {
				tt.mod(&cfg)
			}
			m, err := New(cfg)
			assert.Nil(t, m)
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, ErrBadCookie, "every cookie error is an ErrBadCookie")
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestNormalizeCookiesKeepsCallerData(t *testing.T) {
	t.Parallel()
	specs := siteCookies()
	specs = append(specs, CookieSpec{Name: "consent", Category: Necessary, Provider: "Example News",
		Justification: map[string]string{"es": "Recuerda su elección."}},
		CookieSpec{Name: "consent_lang", Category: Necessary, Purpose: map[string]string{"es": "Recuerda su idioma."}})
	before := siteCookies()
	m := cookieManager(t, func(c *Config) { c.Cookies = specs })
	assert.Equal(t, before, specs[:len(before)], "New does not change the caller's specs")
	assert.Equal(t, hostConsent, m.cfg.Cookies[0].Name, "declared under the name it is written under")
	assert.Equal(t, "Example News", m.cfg.Cookies[0].Provider, "the developer may name the provider of the consent cookie")
	assert.Equal(t, "Recuerda su elección.", m.cfg.Cookies[0].Justification["es"])
	assert.Equal(t, consentCookieTexts.justification, m.cfg.Cookies[0].Justification["en"], "built-in text kept")
	assert.Equal(t, "/", m.cfg.Cookies[0].Path, "attributes stay the middleware's")
	assert.Equal(t, "Recuerda su idioma.", m.cfg.Cookies[1].Purpose["es"], "a built-in cookie's texts need no new justification")
	assert.Equal(t, langCookieTexts.justification, m.cfg.Cookies[1].Justification["en"])
	n := 0
	for _, s := range m.cfg.Cookies {
		if s.Name == hostConsent {
			n++
		}
	}
	assert.Equal(t, 1, n, "declared once")
}

func TestRegistryExactNames(t *testing.T) {
	t.Parallel()
	// Many names that share length, first, middle and last bytes: the
	// registry must tell every one apart.
	want := map[string]int{}
	var specs []CookieSpec
	for i := range 200 {
		for _, name := range []string{fmt.Sprintf("c%03dx", i), fmt.Sprintf("_%d", i)} {
			want[name] = len(specs)
			specs = append(specs, CookieSpec{Name: name, Category: "analytics"})
		}
	}
	reg := newCookieRegistry(&Config{Cookies: specs, Categories: DefaultCategories()})
	for name, spec := range want {
		assert.Equal(t, spec, reg.lookup(name), name)
	}
	for _, name := range []string{"c200x", "c000", "_ga", "x", "c0001x", "_1000", ""} {
		assert.Equal(t, -1, reg.lookup(name), name)
	}
	empty := newCookieRegistry(&Config{})
	assert.Equal(t, -1, empty.lookup("a"))
	assert.Equal(t, -1, empty.lookup(""))
}

func TestSetCookieName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"a=b":                "a",
		"a=b; Path=/":        "a",
		" a =b":              "a",
		"\ta\t=b":            "a",
		"a==b":               "a",
		"=b":                 "",
		"novalue":            "",
		"noeq; Max-Age=0":    "",
		"":                   "",
		"_ga_X=1; a=b":       "_ga_X",
		"ü=1":                "ü",
		"a b=1":              "a b",
		"__Host-x=1; Secure": "__Host-x",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, want, setCookieName(in))
		})
	}
}

func TestIsDeletion(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	tests := map[string]bool{
		"a=b":               false,
		"a=b; Max-Age=0":    true,
		"a=b; max-age=000":  true,
		"a=b; MAX-AGE = -5": true,
		"a=b; Max-Age=-":    false,
		"a=b; Max-Age=10":   false,
		"a=b; Max-Age=99999999999999999999999999":               false,
		"a=b; Max-Age=-99999999999999999999999999":              true,
		"a=b; Max-Age=1e3":                                      false,
		"a=b; Max-Age=":                                         false,
		"a=b; Expires=Sun, 01 Mar 2026 00:00:01 GMT":            false,
		"a=b; Expires=Sat, 28 Feb 2026 23:59:59 GMT":            true,
		"a=b; expires=Thu, 01-Jan-1970 00:00:01 GMT":            true,
		"a=b; Expires=Thu, 01-Jan-70 00:00:01 GMT":              true,
		"a=b; Expires=yesterday":                                false,
		"a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=5": false,
		"a=b; Max-Age=5; Max-Age=0":                             true,
		"a=b; Path=/; HttpOnly":                                 false,
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, want, isDeletion(in, now))
		})
	}
}

func FuzzSetCookieName(f *testing.F) {
	for _, s := range []string{"a=b", " a = b ; Path=/", "=x", "x", "a=b; Max-Age=0", "ü=1", "a\t=\"q\"; Secure"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		name := setCookieName(line)
		assert.LessOrEqual(t, len(name), len(line))
		assert.NotContains(t, name, "=")
		assert.NotContains(t, name, ";")
		// Whatever net/http accepts, it names the same way.
		if c, err := http.ParseSetCookie(line); err == nil {
			assert.Equal(t, c.Name, name, "line %q", line)
		}
	})
}

func FuzzIsDeletion(f *testing.F) {
	for _, s := range []string{"a=b; Max-Age=0", "a=b; max-age=-1", "a=b; Max-Age=12", "a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
		"a=b; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Max-Age=0"} {
		f.Add(s)
	}
	now := func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	f.Fuzz(func(t *testing.T, line string) {
		del := isDeletion(line, now)
		// Where net/http reads a valid, non-zero Max-Age, it decides.
		c, err := http.ParseSetCookie(line)
		// Expires alone is left to the table test: net/http reads a
		// Max-Age such as "+5" that browsers ignore.
		lower := strings.ToLower(line)
		if err != nil || strings.Count(lower, "max-age") != 1 || strings.Contains(lower, "expires") {
			return
		}
		switch {
		case c.MaxAge < 0:
			assert.True(t, del, "line %q", line)
		case c.MaxAge > 0:
			assert.False(t, del, "line %q", line)
		}
	})
}

func FuzzFilterSetCookies(f *testing.F) {
	f.Add("session=1\n_ga=2\n_fbp=3; Max-Age=0\ntracker=4", uint8(0))
	f.Add("_ga_X=1\ntheme=2", uint8(0b110))
	f.Add("=\n;\n \n", uint8(0xff))
	m := cookieManager(f)
	f.Fuzz(func(t *testing.T, lines string, mask uint8) {
		in := strings.Split(lines, "\n")
		st := &State{decided: true, set: m.set, granted: 1 | uint64(mask)&m.set.allMask}
		given := slices.Clone(in)
		h := http.Header{"Set-Cookie": given}
		m.filterSetCookies(h, st)
		out := h["Set-Cookie"]
		assert.Equal(t, in, given, "the handler's slice is never written to")
		// The kept lines are a subsequence of the input, and every line
		// left out was one the state does not allow.
		j := 0
		for _, line := range in {
			if j < len(out) && out[j] == line {
				j++
				continue
			}
			spec := m.cookies.lookup(setCookieName(line))
			assert.True(t, spec < 0 || !m.grantsIndex(st, m.cookies.cat[spec]), "dropped an allowed cookie: %q", line)
			assert.False(t, isDeletion(line, m.cfg.Now), "dropped a deletion: %q", line)
		}
		assert.Equal(t, len(out), j, "kept lines in their order")
	})
}

func TestUndeclaredWarningSuggestsFromTheCookieDatabase(t *testing.T) {
	t.Parallel()
	logs, logger := newLogBuffer()
	m := cookieManager(t, func(c *Config) { c.Logger = logger })
	m.filterSetCookies(http.Header{"Set-Cookie": {"_gcl_au=1.1.2", "ourown=1"}}, &undecided)
	warns := logs.lines("WARN")
	require.Len(t, warns, 2)
	assert.Contains(t, warns[0], "cookie=_gcl_au")
	assert.Contains(t, warns[0], "suggested_category=marketing")
	assert.Contains(t, warns[0], "known_as=")
	assert.NotContains(t, warns[1], "suggested_category", "a name the database does not know gets no guess")
}
