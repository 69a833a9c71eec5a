package consent

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oldCookie signs st the way the middleware did before the __Host- prefix:
// under the configured name, which securecookie signs with the value.
func oldCookie(t *testing.T, m *Manager, st *State) string {
	t.Helper()
	c, err := newCodec(m.cfg.Cookie.Name, m.cfg.Keys)
	require.NoError(t, err)
	v, err := c.encode(marshalPayload(st))
	require.NoError(t, err)
	return v
}

func TestCookieNameRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		mod        func(*Config)
		consent    string
		lang       string
		wantDomain string
	}{
		{"host-only and Secure: prefixed", func(*Config) {}, hostConsent, hostLang, ""},
		{"Domain configured: as configured", func(c *Config) { c.Cookie.Domain = "example.com" }, "consent", "consent_lang", "example.com"},
		{"not Secure: as configured", func(c *Config) { c.Cookie.Insecure = true }, "consent", "consent_lang", ""},
		{"configured names", func(c *Config) { c.Cookie.Name, c.Cookie.LanguageName = "ck", "ck_lang" }, "__Host-ck", "__Host-ck_lang", ""},
		{"already prefixed", func(c *Config) { c.Cookie.Name, c.Cookie.LanguageName = "__Secure-ck", "__Host-lang" },
			"__Secure-ck", "__Host-lang", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := cookieManager(t, tt.mod)
			rec := decide(m, "www.example.com", "", url.Values{"action": {"accept_all"}})
			require.Equal(t, http.StatusSeeOther, rec.Code)
			got := setCookies(rec)
			require.Len(t, got, 1, "one cookie, under one name: %v", rec.Header()["Set-Cookie"])
			ck := got[tt.consent]
			require.NotNil(t, ck, "the consent cookie is called %s: %v", tt.consent, rec.Header()["Set-Cookie"])
			assert.Equal(t, "/", ck.Path)
			assert.Equal(t, tt.wantDomain, ck.Domain)

			st, err := m.DecodeCookie(ck.Value)
			require.NoError(t, err)
			req := httptest.NewRequest(http.MethodGet, "https://www.example.com/", nil)
			req.Header.Set("Cookie", tt.consent+"="+ck.Value)
			assert.Equal(t, st.ID(), stateThrough(m, req).ID(), "read back under its name")

			lang := postLanguage(m, "")
			require.NotNil(t, setCookies(lang)[tt.lang], "the language cookie is called %s: %v", tt.lang, lang.Header()["Set-Cookie"])

			assert.Equal(t, tt.consent, m.cfg.Cookies[0].Name, "declared under the name it is written under")
			assert.Equal(t, tt.lang, m.cfg.Cookies[1].Name)
		})
	}
}

// postLanguage posts the language switcher's form with the given Cookie header.
func postLanguage(m *Manager, cookie string) *httptest.ResponseRecorder {
	return postForm(m, "https://www.example.com/consent/language", cookie, "lang=es&return=/")
}

// TestCookieOldNameStillReads: a visitor who decided before the consent
// cookie got its __Host- name is not asked again; their next decision moves
// the cookie to the new name, under the same consent ID, and expires the
// old one. The language choice moves the same way.
func TestCookieOldNameStillReads(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	before := grant(m, "analytics", "marketing")
	before.method = MethodForm
	before.id = [16]byte{0xab, 1}
	old := oldCookie(t, m, before)

	req := httptest.NewRequest(http.MethodGet, "https://www.example.com/", nil)
	req.Header.Set("Cookie", "consent="+old)
	st := stateThrough(m, req)
	require.True(t, st.Decided(), "the old name still reads")
	assert.Equal(t, before.ID(), st.ID())
	assert.True(t, st.Allowed("analytics"))
	_, err := m.DecodeCookie(old)
	assert.NoError(t, err)

	rec := decide(m, "www.example.com", "consent="+old, url.Values{"action": {"reject_all"}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	got := setCookies(rec)
	require.NotNil(t, got[hostConsent])
	require.NotNil(t, got["consent"], "the old name is expired: %v", rec.Header()["Set-Cookie"])
	assert.Negative(t, got["consent"].MaxAge)
	assert.Empty(t, got["consent"].Value)
	assert.Equal(t, "/", got["consent"].Path)
	assert.Empty(t, got["consent"].Domain, "with the attributes it was set with")
	next, err := m.DecodeCookie(got[hostConsent].Value)
	require.NoError(t, err)
	assert.Equal(t, before.ID(), next.ID(), "one browser keeps one consent ID across the rename")
	recs := m.store.(*memStore).all()
	require.Len(t, recs, 1)
	assert.Equal(t, []string{"analytics", "marketing"}, recs[0].Withdrawn, "a withdrawal from the old cookie is a withdrawal")

	both := hostConsent + "=" + got[hostConsent].Value + "; consent=" + old
	req.Header.Set("Cookie", both)
	assert.False(t, stateThrough(m, req).Allowed("analytics"), "the new name wins over the old one")

	again := decide(m, "www.example.com", hostConsent+"="+got[hostConsent].Value, url.Values{"action": {"accept_all"}})
	assert.Len(t, setCookies(again), 1, "nothing to expire when only the new name came")

	t.Run("GPC rewrite moves it too", func(t *testing.T) {
		m := cookieManager(t)
		old := oldCookie(t, m, before)
		req := httptest.NewRequest(http.MethodGet, "https://www.example.com/", nil)
		req.Header.Set("Cookie", "consent="+old)
		req.Header.Set("Sec-GPC", "1")
		rec := httptest.NewRecorder()
		m.Handler(okHandler).ServeHTTP(rec, req)
		got := setCookies(rec)
		require.NotNil(t, got[hostConsent], "%v", rec.Header()["Set-Cookie"])
		require.NotNil(t, got["consent"])
		assert.Negative(t, got["consent"].MaxAge)
	})

	t.Run("language", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "https://www.example.com/consent/cookies", nil)
		req.Header.Set("Cookie", "consent_lang=es")
		assert.Equal(t, "es", m.localeFor(req, "").Tag.String(), "the old language cookie still reads")
		req.Header.Set("Cookie", "consent_lang=es; "+hostLang+"=fr")
		assert.Equal(t, "fr", m.localeFor(req, "").Tag.String(), "the new name wins")

		rec := postLanguage(m, "consent_lang=fr")
		got := setCookies(rec)
		require.NotNil(t, got[hostLang])
		assert.Equal(t, "es", got[hostLang].Value)
		require.NotNil(t, got["consent_lang"], "%v", rec.Header()["Set-Cookie"])
		assert.Negative(t, got["consent_lang"].MaxAge)
	})
}

// TestCookieNameNoTossing: what the prefix is for. A subdomain can set a
// cookie called "consent" for the whole site, but not one called
// __Host-consent; a value the middleware signed for the new name does not
// verify under the old one, even once it is in the verified cache.
func TestCookieNameNoTossing(t *testing.T) {
	t.Parallel()
	m := cookieManager(t)
	rec := decide(m, "www.example.com", "", url.Values{"action": {"accept_all"}})
	v := setCookies(rec)[hostConsent].Value
	req := httptest.NewRequest(http.MethodGet, "https://www.example.com/", nil)
	req.Header.Set("Cookie", hostConsent+"="+v)
	require.True(t, stateThrough(m, req).Decided(), "precondition: the value is cached under its name")

	req.Header.Set("Cookie", "consent="+v)
	assert.False(t, stateThrough(m, req).Decided(), "a current cookie tossed under the old name")
	prev, _ := m.previous(req.Header)
	assert.Nil(t, prev)

	// And the other way round: a value verified under the old name is not
	// a value of the new one.
	st := grant(m, "analytics")
	st.method = MethodForm
	old := oldCookie(t, m, st)
	req.Header.Set("Cookie", "consent="+old)
	require.True(t, stateThrough(m, req).Decided())
	req.Header.Set("Cookie", hostConsent+"="+old)
	assert.False(t, stateThrough(m, req).Decided())
}

func TestCookieNameConflicts(t *testing.T) {
	t.Parallel()
	for name, mod := range map[string]func(*Config){
		"declares the prefixed name": func(c *Config) {
			c.Cookies = append(c.Cookies, CookieSpec{Name: hostConsent, Category: Necessary, Justification: map[string]string{"en": "x"}})
		},
		"language cookie takes the consent cookie's name": func(c *Config) { c.Cookie.LanguageName = hostConsent },
		"__Host- name with a Domain":                      func(c *Config) { c.Cookie.Name, c.Cookie.Domain = "__Host-ck", "example.com" },
		"__Secure- name not Secure":                       func(c *Config) { c.Cookie.LanguageName, c.Cookie.Insecure = "__Secure-l", true },
	} {
		_, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Store: &memStore{}})
		require.NoError(t, err)
		cfg := Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Store: &memStore{}}
		mod(&cfg)
		_, err = New(cfg)
		assert.ErrorIs(t, err, ErrBadCookie, name)
	}
}

// TestCookieRulesAgree: the domain check and the name prefix rules are
// written once, so the middleware's own cookies and declared ones obey the
// same ones. Config.Cookie.Domain used to accept "=", which CookieSpec.Domain
// refused, and the declaration matched "__Secure-" case-sensitively while
// withdrawal matched it in any case, as browsers do.
func TestCookieRulesAgree(t *testing.T) {
	t.Parallel()
	for _, domain := range []string{"a=b.example", "a;b", "a..example.com", "."} {
		_, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Cookie: Cookie{Domain: domain}})
		assert.ErrorIs(t, err, ErrBadCookie, "Cookie.Domain %q", domain)
		_, err = New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
			Cookies: []CookieSpec{{Name: "x", Category: "analytics", Domain: domain}}})
		assert.ErrorIs(t, err, ErrBadCookie, "CookieSpec.Domain %q", domain)
	}
	_, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
		Cookies: []CookieSpec{{Name: "__host-x", Category: "analytics", Domain: "example.com"}}})
	assert.ErrorIs(t, err, ErrBadCookie, "a __Host- cookie in any case has no Domain")

	m := cookieManager(t, func(c *Config) {
		c.Cookies = []CookieSpec{{Name: "__secure-x", Category: "analytics"}, {Name: "__HOST-y", Category: "analytics"}}
	})
	for _, c := range m.CookieDeclaration("en").Categories {
		for _, k := range c.Cookies {
			if strings.HasPrefix(strings.ToLower(k.Name), "__") {
				assert.True(t, k.Secure, "%s is Secure by its name", k.Name)
			}
		}
	}
}
