package consent

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// advancedPage holds the Google tag and its look-alikes: only the first
// script may load before consent under advanced Consent Mode.
const advancedPage = `<!doctype html>
<html><head><title>Advanced</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST&amp;l=dataLayer"></script>
<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-TEST"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=GTM-TEST"></script>
<script async src="https://www.googletagmanager.com/gtag/js2?id=G-TEST"></script>
<script async src="https://www.googletagmanager.com/gtag/js/../../gtm.js?id=GTM-TEST"></script>
<script async src="https://www.google-analytics.com/analytics.js"></script>
<script>(function(w,d,s,l,i){var j=d.createElement(s);j.async=true;j.src='https://www.googletagmanager.com/gtag/js?id='+i;d.head.appendChild(j)})(window,document,'script','dataLayer','G-TEST');</script>
<script data-consent="analytics" src="https://www.googletagmanager.com/gtag/js?id=G-MARKED"></script>
</head><body><p>Hi</p></body></html>`

func advancedHandler(csp string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if csp != "" {
			w.Header().Set("Content-Security-Policy", csp)
		}
		_, _ = w.Write([]byte(advancedPage))
	})
}

func TestAdvancedConsentMode(t *testing.T) {
	t.Parallel()
	cfg := func(advanced bool) Config {
		c := Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog}
		c.ConsentMode.Advanced = advanced
		return c
	}
	adv, err := New(cfg(true))
	require.NoError(t, err)
	basic, err := New(cfg(false))
	require.NoError(t, err)

	// The page's scripts in order: the Google tag, gtm.js, gtag/js with a
	// container ID, /gtag/js2, dot segments to gtm.js, analytics.js, an
	// inline loader naming the host, the tag marked data-consent.
	allBlocked := []bool{false, false, false, false, false, false, false, false}
	tests := []struct {
		name string
		m    *Manager
		csp  string
		want []bool
	}{
		{"advanced: only the Google tag loads", adv, "", []bool{true, false, false, false, false, false, false, false}},
		{"basic: the Google tag waits", basic, "", allBlocked},
		{"advanced, but the CSP keeps the defaults out", adv, "script-src 'self'; style-src 'self'", allBlocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := get(t, tt.m.Handler(advancedHandler(tt.csp)), "/")
			require.Equal(t, http.StatusOK, rec.Code)
			body := rec.Body.String()
			var got []bool
			for _, e := range elements(t, body) {
				src := e["src"] + e["data-ck-src"]
				if e["<"] != "script" || strings.Contains(src, "/consent/assets/") {
					continue
				}
				if src == "" && e["data-ck-blocked"] == "" && e["data-ck-type"] == "" {
					continue // the head's Consent Mode snippet, or the loader stub
				}
				got = append(got, e["data-ck-blocked"] == "")
			}
			assert.Equal(t, tt.want, got, "%s", body)
		})
	}

	t.Run("host set", func(t *testing.T) {
		t.Parallel()
		require.NotEmpty(t, adv.gtagHosts.Name)
		assert.NotEqual(t, adv.hosts.Name, adv.gtagHosts.Name)
		assert.Empty(t, basic.gtagHosts.Name, "no exception without Advanced")
		page := get(t, adv.Handler(advancedHandler("")), "/").Body.String()
		assert.Contains(t, page, `/consent/assets/`+adv.gtagHosts.Name+`"`, "the page with the defaults gets the guard's exception")
		assert.NotContains(t, page, adv.hosts.Name)
		page = get(t, adv.Handler(advancedHandler("script-src 'self'; style-src 'self'")), "/").Body.String()
		assert.Contains(t, page, `/consent/assets/`+adv.hosts.Name+`"`, "without the defaults, the guard holds the Google tag too")
		rec := get(t, adv.Handler(advancedHandler("")), "/consent/assets/"+adv.gtagHosts.Name)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.True(t, strings.HasPrefix(rec.Body.String(), string(adv.hosts.Body)), "the same host set")
		assert.Contains(t, rec.Body.String(), `self.ckX=`)
		assert.Contains(t, rec.Body.String(), `"/gtag/js"`)
		assert.Equal(t, http.StatusOK, get(t, adv.Handler(advancedHandler("")), "/consent/assets/"+adv.hosts.Name).Code)
	})

	t.Run("a decided visitor who refused analytics", func(t *testing.T) {
		t.Parallel()
		body := get(t, adv.Handler(advancedHandler("")), "/", "Cookie", decidedCookie(t, adv, 0)).Body.String()
		assert.Regexp(t, `<script async src="https://www\.googletagmanager\.com/gtag/js\?id=G-TEST&amp;l=dataLayer"`, body)
		assert.Contains(t, body, `analytics_storage:"denied"`, "the tag loads under denied defaults")
	})
}

func TestAdvancedConsentModeConfig(t *testing.T) {
	t.Parallel()
	base := func(f func(*ConsentMode)) error {
		c := Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog}
		c.ConsentMode.Advanced = true
		f(&c.ConsentMode)
		_, err := New(c)
		return err
	}
	assert.NoError(t, base(func(*ConsentMode) {}))
	for name, f := range map[string]func(*ConsentMode){
		"regions": func(c *ConsentMode) { c.Regions = []string{"ES"} },
		"mapping without analytics_storage": func(c *ConsentMode) {
			c.Mapping = map[string][]string{"marketing": {"ad_storage", "ad_user_data", "ad_personalization"}}
		},
		"mapping without ad_user_data": func(c *ConsentMode) {
			c.Mapping = map[string][]string{"marketing": {"ad_storage", "ad_personalization"}, "analytics": {"analytics_storage"}}
		},
	} {
		err := base(f)
		require.Error(t, err, name)
		assert.True(t, errors.Is(err, ErrBadConfig), name)
		assert.Contains(t, err.Error(), "Advanced", name)
	}
}

func TestVendorSignalsLoader(t *testing.T) {
	t.Parallel()
	loader := regexp.MustCompile(`<script src="/consent/assets/(ck\.[0-9a-f]{8}\.js)"`)
	src := func(signals bool) (string, *Manager) {
		c := Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog}
		c.ConsentMode.NoVendorSignals = !signals
		m, err := New(c)
		require.NoError(t, err)
		page := get(t, m.Handler(pageHandler(nil)), "/").Body.String()
		sm := loader.FindStringSubmatch(page)
		require.NotNil(t, sm, page)
		return sm[1], m
	}
	plain, _ := src(false)
	withSignals, m := src(true)
	assert.NotEqual(t, plain, withSignals, "a site with vendor signals gets the loader with the hook")
	h := m.Handler(pageHandler(nil))
	js := get(t, h, "/consent/assets/"+withSignals)
	require.Equal(t, http.StatusOK, js.Code)
	assert.Contains(t, js.Body.String(), "google_tag_manager")
	assert.Contains(t, js.Body.String(), `"s.js"`)
	assert.NotContains(t, get(t, h, "/consent/assets/"+plain).Body.String(), `"s.js"`, "the plain loader has no hook")
	// What the loader finds by its own name is served beside it.
	base := strings.TrimSuffix(withSignals, ".js")
	for _, ext := range []string{".css", ".d.css", ".s.js"} {
		rec := get(t, h, "/consent/assets/"+base+ext)
		assert.Equal(t, http.StatusOK, rec.Code, ext)
	}
	assert.Contains(t, get(t, h, "/consent/assets/"+base+".s.js").Body.String(), "consentv2")
	// A decided visitor's page gets it too: the signals matter after a choice.
	dec := get(t, h, "/", "Cookie", decidedCookie(t, m, 0b1110)).Body.String()
	assert.Contains(t, dec, withSignals)
}
