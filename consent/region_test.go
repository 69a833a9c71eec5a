package consent

import (
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allPresets is every preset in the order a site would list them.
func allPresets() []RegionRule {
	rules := []RegionRule{RegionsEEA(), RegionsBrazil()}
	rules = append(rules, RegionsUSOptOut()...)
	return append(rules, RegionsCanada()...)
}

func TestRegionPresets(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
		Regions: Regions{Rules: allPresets(), Elsewhere: ModelNotice, Locate: LocateHeaders(GeoHeaders{Cloudflare: true})}})
	require.NoError(t, err)
	tests := []struct {
		region  string
		model   Model
		binding bool
	}{
		{"DE", ModelOptIn, false},
		{"FR", ModelOptIn, false},
		{"GR", ModelOptIn, false},
		{"NO", ModelOptIn, false},
		{"GB", ModelOptIn, false},
		{"CH", ModelOptIn, false},
		{"BR", ModelOptIn, false},
		{"US-CA", ModelOptOut, true},
		{"US-TX", ModelOptOut, true},
		{"US-CO", ModelOptOut, true},
		{"US-OR", ModelOptOut, true},
		{"US-NJ", ModelOptOut, true},
		{"US-VA", ModelOptOut, false},
		{"US-UT", ModelOptOut, false},
		{"US-NY", ModelNotice, false}, // no comprehensive law: Elsewhere
		{"US", ModelNotice, false},    // country known, state not
		{"CA-QC", ModelOptIn, false},
		{"CA-ON", ModelOptOut, false},
		{"CA", ModelOptOut, false},
		{"JP", ModelNotice, false},
		{"", ModelOptIn, false}, // unknown: the strictest configured
	}
	for _, tt := range tests {
		t.Run("region "+tt.region, func(t *testing.T) {
			t.Parallel()
			reg, ok := ParseRegion(tt.region)
			require.Equal(t, tt.region != "", ok)
			model, binding := m.ModelFor(reg)
			assert.Equal(t, tt.model, model)
			assert.Equal(t, tt.binding, binding)
		})
	}
}

func TestRegionUnknownIsStrictest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rules   []RegionRule
		else_   Model
		model   Model
		binding bool
	}{
		{"US only, opt-in elsewhere", RegionsUSOptOut(), "", ModelOptIn, false},
		{"US only, notice elsewhere", RegionsUSOptOut(), ModelNotice, ModelOptOut, true},
		{"notice only", []RegionRule{{Areas: []string{"JP"}, Model: ModelNotice}}, ModelNotice, ModelNotice, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
				Regions: Regions{Rules: tt.rules, Elsewhere: tt.else_, Locate: func(*http.Request) Region { return Region{} }}})
			require.NoError(t, err)
			model, binding := m.ModelFor(Region{})
			assert.Equal(t, tt.model, model)
			assert.Equal(t, tt.binding, binding)
		})
	}
}

func TestRegionConfigErrors(t *testing.T) {
	t.Parallel()
	for name, rg := range map[string]Regions{
		"bad area":        {Rules: []RegionRule{{Areas: []string{"Germany"}, Model: ModelOptIn}}},
		"bad subdivision": {Rules: []RegionRule{{Areas: []string{"US-C@"}, Model: ModelOptIn}}},
		"no areas":        {Rules: []RegionRule{{Model: ModelOptIn}}},
		"no model":        {Rules: []RegionRule{{Areas: []string{"DE"}}}},
		"bad elsewhere":   {Rules: []RegionRule{{Areas: []string{"DE"}, Model: ModelOptIn}}, Elsewhere: "maybe"},
		"no rules":        {Elsewhere: ModelNotice},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Regions: rg})
			assert.ErrorIs(t, err, ErrBadConfig)
		})
	}
}

func TestLocateHeaders(t *testing.T) {
	t.Parallel()
	all := GeoHeaders{Cloudflare: true, CloudFront: true, Vercel: true, AppEngine: true, Country: "X-Geo-Country", Subdivision: "X-Geo-Region"}
	tests := []struct {
		name string
		on   GeoHeaders
		hdr  []string
		want string
	}{
		{"cloudflare", GeoHeaders{Cloudflare: true}, []string{"CF-IPCountry", "DE"}, "DE"},
		{"cloudflare region", GeoHeaders{Cloudflare: true}, []string{"CF-IPCountry", "US", "CF-Region-Code", "TX"}, "US-TX"},
		{"cloudflare off", GeoHeaders{Vercel: true}, []string{"CF-IPCountry", "DE"}, ""},
		{"nothing configured", GeoHeaders{}, []string{"CF-IPCountry", "DE", "X-Vercel-IP-Country", "US"}, ""},
		{"cloudfront", GeoHeaders{CloudFront: true}, []string{"CloudFront-Viewer-Country", "US", "CloudFront-Viewer-Country-Region", "CA"}, "US-CA"},
		{"cloudfront off", GeoHeaders{Cloudflare: true}, []string{"CloudFront-Viewer-Country", "US"}, ""},
		{"vercel", GeoHeaders{Vercel: true}, []string{"X-Vercel-IP-Country", "CA", "X-Vercel-IP-Country-Region", "QC"}, "CA-QC"},
		{"app engine lower case", GeoHeaders{AppEngine: true}, []string{"X-AppEngine-Country", "us", "X-AppEngine-Region", "ca"}, "US-CA"},
		{"custom", GeoHeaders{Country: "x-geo-country", Subdivision: "x-geo-region"}, []string{"X-Geo-Country", "BR", "X-Geo-Region", "BR-SP"}, "BR-SP"},
		{"custom off", GeoHeaders{Cloudflare: true}, []string{"X-Geo-Country", "BR"}, ""},
		{"unknown XX", all, []string{"CF-IPCountry", "XX"}, ""},
		{"tor T1", all, []string{"CF-IPCountry", "T1"}, ""},
		{"garbage", all, []string{"CF-IPCountry", "<script>"}, ""},
		{"long", all, []string{"CF-IPCountry", strings.Repeat("D", 4096)}, ""},
		{"three letters", all, []string{"CF-IPCountry", "DEU"}, ""},
		{"non-ASCII", all, []string{"CF-IPCountry", "DÉ"}, ""},
		{"bad subdivision kept country", all, []string{"CF-IPCountry", "US", "CF-Region-Code", "Texas!"}, "US"},
		{"first valid wins", all, []string{"CF-IPCountry", "XX", "X-Vercel-IP-Country", "FR"}, "FR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for i := 0; i+1 < len(tt.hdr); i += 2 {
				req.Header.Set(tt.hdr[i], tt.hdr[i+1])
			}
			assert.Equal(t, tt.want, LocateHeaders(tt.on)(req).String())
		})
	}
	t.Run("repeated header", func(t *testing.T) {
		t.Parallel()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Add("CF-IPCountry", "US")
		req.Header.Add("CF-IPCountry", "DE")
		assert.True(t, LocateHeaders(GeoHeaders{Cloudflare: true})(req).IsZero())
	})
}

// TestLocateHeadersAllocs: Locate runs on every request.
func TestLocateHeadersAllocs(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("CloudFront-Viewer-Country", "US")
	req.Header.Set("CloudFront-Viewer-Country-Region", "CA")
	locate := LocateHeaders(GeoHeaders{Cloudflare: true, CloudFront: true, Country: "X-Geo"})
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = locate(req) }))
}

func TestParseRegion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"us-ca": "US-CA", "DE": "DE", "CA-QC": "CA-QC", "FR-75C": "FR-75C",
		"": "", "D": "", "DEU": "", "US-": "", "US-ABCD": "", "XX": "", "ZZ": "", "QZ": "", "T1": "", "U5": ""} {
		r, ok := ParseRegion(in)
		assert.Equal(t, want != "", ok, in)
		assert.Equal(t, want, r.String(), in)
	}
	r := MakeRegion("us", "US-CA")
	assert.Equal(t, "US", r.Country())
	assert.Equal(t, "CA", r.Subdivision())
}

// regionSite is a TLS server with a page, the consent state as JSON, and a
// visitor located by the X-Test-Region header (a custom geo header).
type regionSite struct {
	m     *Manager
	store *memStore
	srv   *httptest.Server
}

const regionPage = `<!doctype html><html><head><title>t</title>` +
	`<script data-consent="marketing" src="/ads.js"></script>` +
	`<script data-consent="analytics" src="/stats.js"></script></head><body><p>hello</p></body></html>`

func newRegionSite(t *testing.T, regions bool) *regionSite {
	t.Helper()
	s := &regionSite{store: &memStore{}}
	cfg := Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: s.store, Now: newClock().Now, Logger: quietLog,
		Cookies: []CookieSpec{{Name: "_fbp", Category: "marketing"}, {Name: "_ga", Category: "analytics"}}}
	if regions {
		cfg.Regions = Regions{Rules: allPresets(), Locate: LocateHeaders(GeoHeaders{Country: "X-Test-Country", Subdivision: "X-Test-Region"})}
	}
	m, err := New(cfg)
	require.NoError(t, err)
	s.m = m
	mux := http.NewServeMux()
	mux.Handle("/state", stateApp())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "_fbp", Value: "1", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "_ga", Value: "1", Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, regionPage)
	})
	s.srv = httptest.NewTLSServer(m.Handler(mux))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *regionSite) client(t *testing.T) *http.Client {
	f := &fixture{srv: s.srv}
	c := f.client(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func (s *regionSite) get(t *testing.T, c *http.Client, path string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	return resp, readAll(t, resp)
}

func setCookieNames(resp *http.Response) []string {
	var out []string
	for _, c := range resp.Cookies() {
		if c.MaxAge >= 0 {
			out = append(out, c.Name)
		}
	}
	return out
}

func TestRegionCaliforniaGPC(t *testing.T) {
	t.Parallel()
	s := newRegionSite(t, true)
	c := s.client(t)
	ca := []string{"X-Test-Country", "US", "X-Test-Region", "CA", "Sec-GPC", "1", "Accept-Language", "en"}
	for range 3 {
		resp, body := s.get(t, c, "/", ca...)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.NotContains(t, body, `id="ck-banner"`, "no blocking banner in the opt-out model")
		assert.Contains(t, body, "Do Not Sell or Share My Personal Information")
		assert.Contains(t, body, `<span class="ck-honored">Opt-out request honored</span>`)
		assert.Contains(t, body, `data-ck-blocked="marketing"`, "sale/sharing blocked")
		assert.Contains(t, body, `<script data-consent="analytics" src="/stats.js"></script>`, "analytics runs by default")
		assert.NotContains(t, setCookieNames(resp), "_fbp")
		assert.Contains(t, setCookieNames(resp), "_ga")
	}
	recs := s.store.all()
	require.Len(t, recs, 1, "one opt-out record, however many pages")
	assert.Equal(t, OutcomeOptOut, recs[0].Outcome)
	assert.Equal(t, MethodGPC, recs[0].Method)
	assert.Equal(t, "US-CA", recs[0].Region)
	assert.Equal(t, ModelOptOut, recs[0].Model)
	assert.True(t, recs[0].GPC)
	_, prefs := s.get(t, c, "/consent/preferences", ca...)
	assert.Contains(t, prefs, "Opt-out request honored", "the preferences show the status too")
}

func TestRegionTexasOptOutWithoutJS(t *testing.T) {
	t.Parallel()
	s := newRegionSite(t, true)
	c := s.client(t)
	tx := []string{"X-Test-Country", "US", "X-Test-Region", "TX", "Accept-Language", "en"}
	resp, body := s.get(t, c, "/", tx...)
	assert.NotContains(t, body, `id="ck-banner"`)
	assert.Contains(t, body, `<script data-consent="marketing" src="/ads.js"></script>`, "optional categories run by default")
	assert.NotContains(t, body, "Opt-out request honored")
	assert.ElementsMatch(t, []string{"_fbp", "_ga"}, setCookieNames(resp))
	i := strings.Index(body, `<a class="ck-dns" href="`)
	require.GreaterOrEqual(t, i, 0, "the Do-Not-Sell link is on the page")
	href := body[i+len(`<a class="ck-dns" href="`):]
	href = strings.ReplaceAll(href[:strings.IndexByte(href, '"')], "&amp;", "&")
	assert.Empty(t, s.store.all())

	// The link's page holds a form that works without JavaScript.
	_, page := s.get(t, c, href, tx...)
	assert.Contains(t, page, `<button class="ck-btn ck-reject" name="action" value="opt_out">Opt out</button>`)
	form := url.Values{"action": {"opt_out"}, "return": {"/"}, "lang": {"en"}}
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/consent/decision", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(tx); i += 2 {
		req.Header.Set(tx[i], tx[i+1])
	}
	resp, err = c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	recs := s.store.all()
	require.Len(t, recs, 1)
	assert.Equal(t, OutcomeOptOut, recs[0].Outcome)
	assert.Equal(t, MethodForm, recs[0].Method)
	assert.Equal(t, "US-TX", recs[0].Region)
	assert.Equal(t, ModelOptOut, recs[0].Model)
	assert.Equal(t, []string{"necessary", "preferences", "analytics"}, recs[0].Granted())

	resp, body = s.get(t, c, "/", tx...)
	assert.Contains(t, body, "Opt-out request honored")
	assert.Contains(t, body, `data-ck-blocked="marketing"`)
	assert.Equal(t, []string{"_ga"}, setCookieNames(resp))
	_, page = s.get(t, c, href, tx...)
	assert.NotContains(t, page, `value="opt_out"`, "an honoured opt-out shows its status, not the form again")

	// The opt-out is no consent: in Germany the visitor is asked.
	_, body = s.get(t, c, "/", "X-Test-Country", "DE", "Accept-Language", "en")
	assert.Contains(t, body, `id="ck-banner"`)
	assert.Contains(t, body, `data-ck-blocked="analytics"`)
}

// TestRegionGermanyUnchanged: an opt-in visitor gets the same bytes with
// regions configured as without.
func TestRegionGermanyUnchanged(t *testing.T) {
	t.Parallel()
	with, without := newRegionSite(t, true), newRegionSite(t, false)
	de := []string{"X-Test-Country", "DE", "Accept-Language", "de"}
	for _, path := range []string{"/", "/consent/preferences?return=/"} {
		r1, b1 := with.get(t, with.client(t), path, de...)
		r2, b2 := without.get(t, without.client(t), path, de...)
		assert.Equal(t, b2, b1, path)
		assert.Equal(t, setCookieNames(r2), setCookieNames(r1), path)
	}
	gpc := append(de, "Sec-GPC", "1")
	_, b1 := with.get(t, with.client(t), "/", gpc...)
	_, b2 := without.get(t, without.client(t), "/", gpc...)
	assert.Equal(t, b2, b1, "with GPC")
	assert.Empty(t, with.store.all())
}

func TestRegionNotice(t *testing.T) {
	t.Parallel()
	s := newRegionSite(t, false)
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Store: s.store,
		Regions: Regions{Rules: []RegionRule{{Areas: []string{"JP"}, Model: ModelNotice}}, Elsewhere: ModelNotice,
			Locate: LocateHeaders(GeoHeaders{Country: "X-Test-Country"})}})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Test-Country", "JP")
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.True(t, FromRequest(r).Allowed("marketing"))
		assert.Equal(t, ModelNotice, FromRequest(r).Model())
		assert.Equal(t, "JP", FromRequest(r).Region().String())
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, regionPage)
	})).ServeHTTP(rec, req)
	body := rec.Body.String()
	assert.Contains(t, body, `class="ck-notice"`)
	assert.NotContains(t, body, `id="ck-banner"`)
	assert.NotContains(t, body, `type="text/plain"`, "nothing blocked")
}

// TestRegionConsentModeDefaults: a visitor the server cannot place gets
// the strictest defaults, plus region defaults generated from the rules.
func TestRegionConsentModeDefaults(t *testing.T) {
	t.Parallel()
	s := newRegionSite(t, true)
	_, body := s.get(t, s.client(t), "/", "Accept-Language", "en")
	assert.Contains(t, body, `id="ck-banner"`, "unknown region: the strictest model, opt-in")
	assert.Contains(t, body, `ad_storage:"granted",ad_user_data:"granted",ad_personalization:"granted",analytics_storage:"granted"`)
	assert.Contains(t, body, `region:["US-CA","US-CO"`)
	assert.Contains(t, body, `"CA-ON"`[:0]+`region:["CA"]`)
	assert.Contains(t, body, `gtag("consent","default",{ad_storage:"denied",ad_user_data:"denied",ad_personalization:"denied",analytics_storage:"denied"`)
	_, gpc := s.get(t, s.client(t), "/", "Accept-Language", "en", "Sec-GPC", "1")
	assert.Contains(t, gpc, `ad_storage:"denied",ad_user_data:"denied",ad_personalization:"denied",analytics_storage:"granted"`, "GPC: sale types denied in opt-out regions")
	_, located := s.get(t, s.client(t), "/", "Accept-Language", "en", "X-Test-Country", "US", "X-Test-Region", "CA")
	assert.NotContains(t, located, "region:[", "a located visitor's defaults are their own")
}

// TestRegionOwnOptOutLink: the site places the link; the middleware
// leaves its own out.
func TestRegionOwnOptOutLink(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Store: &memStore{},
		Regions: Regions{Rules: RegionsUSOptOut(), OwnOptOutLink: true, Locate: LocateHeaders(GeoHeaders{Country: "X-C", Subdivision: "X-S"})}})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/news?a=1", nil)
	req.Header.Set("X-C", "US")
	req.Header.Set("X-S", "CA")
	req.Header.Set("Sec-GPC", "1")
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		link := string(m.TemplateFuncs()["consentOptOutLink"].(func(any) template.HTML)(r))
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><body><footer>"+link+"</footer></body></html>")
	})).ServeHTTP(rec, req)
	body := rec.Body.String()
	assert.Equal(t, 1, strings.Count(body, "Do Not Sell or Share"), body)
	assert.Contains(t, body, `<a class="ck-dns" href="/consent/optout?return=/news?a%3d1" data-ck-optout>`)
	assert.Contains(t, body, "Opt-out request honored")
}

// TestRegionOptOutIsNoConsentToWithdraw: a visitor who opted out in an
// opt-out region and then rejects all in an opt-in one withdraws nothing:
// what the opt-out model left on by default was never consented to.
func TestRegionOptOutIsNoConsentToWithdraw(t *testing.T) {
	t.Parallel()
	s := newRegionSite(t, true)
	c := s.client(t)
	post := func(action string, hdr ...string) {
		form := url.Values{"action": {action}, "return": {"/"}}
		req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/consent/decision", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := c.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	}
	post("opt_out", "X-Test-Country", "US", "X-Test-Region", "TX")
	post("reject_all", "X-Test-Country", "DE")
	recs := s.store.all()
	require.Len(t, recs, 2)
	assert.Equal(t, recs[0].ConsentID, recs[1].ConsentID, "one browser, one consent ID")
	assert.Equal(t, OutcomeRejectAll, recs[1].Outcome)
	assert.Empty(t, recs[1].Withdrawn)
	assert.Equal(t, ModelOptIn, recs[1].Model)
}

// FuzzMakeRegion: whatever a header holds, a Region is unknown or a valid
// code that parses back to itself.
func FuzzMakeRegion(f *testing.F) {
	for _, s := range [][2]string{{"US", "CA"}, {"us", "US-TX"}, {"XX", ""}, {"T1", ""}, {"DE", "Berlin"}, {"\xff\xfe", "\x00"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, country, sub string) {
		r := MakeRegion(country, sub)
		if r.IsZero() {
			return
		}
		back, ok := ParseRegion(r.String())
		require.True(t, ok, "%q", r.String())
		require.Equal(t, r, back)
		require.LessOrEqual(t, len(r.String()), 6)
		require.Equal(t, strings.ToUpper(r.String()), r.String())
	})
}
