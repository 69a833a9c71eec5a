package e2e

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/consent"
	"github.com/stretchr/testify/require"
)

// phaseSite is the site of two browser tests (fetchers_test.go and
// responses_test.go): each test's pages as the
// handler wrote them (/raw/…) and through the middleware (the same path
// without /raw), beside an ad network, ads.test (marketing), on a loopback
// server of its own. A visit's phase goes in the page's query and in every
// URL the page names, so that each visit's requests are told apart: ads
// counts the ad network's requests and ctl the first-party controls'
// (/ctl/…), both by phase and file.
type phaseSite struct {
	URL  string
	ads  hits
	ctl  hits
	port string
}

// newPhaseSite starts a phaseSite whose pages serve writes: path is the
// request's path without /raw, phase its query.
func newPhaseSite(t *testing.T, serve func(s *phaseSite, w http.ResponseWriter, path, phase string)) *phaseSite {
	t.Helper()
	s := &phaseSite{}
	third := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ads.add(strings.TrimPrefix(r.URL.Path, "/"))
		http.NotFound(w, r)
	}))
	_, s.port, _ = net.SplitHostPort(third.Listener.Addr().String())
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/ctl/"); ok {
			s.ctl.add(rest)
			http.NotFound(w, r)
			return
		}
		serve(s, w, strings.TrimPrefix(r.URL.Path, "/raw"), r.URL.RawQuery)
	})
	m, err := consent.New(consent.Config{
		Keys:     []consent.KeyPair{{HashKey: testKey}},
		Store:    &memStore{},
		Cookie:   consent.Cookie{Insecure: true},
		Trackers: map[string]string{"ads.test": "marketing"},
	})
	require.NoError(t, err)
	wrapped := m.Handler(page)
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/raw/") {
			page.ServeHTTP(w, r)
			return
		}
		wrapped.ServeHTTP(w, r)
	}))
	s.URL = srv.URL
	return s
}

// adsBase is the ad network's URL prefix for the files of a phase.
func (s *phaseSite) adsBase(phase string) string {
	return "http://ads.test:" + s.port + "/" + phase + "/"
}
