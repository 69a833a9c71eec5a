package consent

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	testKey1 = []byte("0123456789abcdef0123456789abcdef")
	testKey2 = []byte("fedcba9876543210fedcba9876543210")
)

// memStore is an in-memory Store that can be told to fail.
type memStore struct {
	mu   sync.Mutex
	recs []Record
	fail error
}

func (s *memStore) Record(ctx context.Context, rec Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.recs = append(s.recs, rec)
	return nil
}

func (s *memStore) all() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.recs...)
}

func (s *memStore) setFail(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

// clock is an injectable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	m     *Manager
	store *memStore
	clock *clock
	srv   *httptest.Server
	c     *http.Client
}

// stateApp answers GET /state with the request's consent state as JSON and
// anything else with a small page.
func stateApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/state", func(w http.ResponseWriter, r *http.Request) {
		s := FromRequest(r)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"decided": s.Decided(), "id": s.ID(), "granted": s.Granted(), "gpc": s.GPC(),
			"method": s.Method(), "revision": s.Revision(),
		})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "page "+r.URL.Path)
	})
	return mux
}

func newFixture(t *testing.T, mods ...func(*Config)) *fixture {
	t.Helper()
	f := &fixture{store: &memStore{}, clock: newClock()}
	cfg := Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: f.store, Now: f.clock.Now, Logger: quietLog}
	for _, mod := range mods {
		mod(&cfg)
	}
	m, err := New(cfg)
	require.NoError(t, err)
	f.m = m
	f.srv = httptest.NewTLSServer(m.Handler(stateApp()))
	t.Cleanup(f.srv.Close)
	f.c = f.client(t)
	return f
}

func (f *fixture) client(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := f.srv.Client()
	c.Jar = jar
	c.Timeout = 10 * time.Second
	return c
}

type stateResp struct {
	Decided  bool     `json:"decided"`
	ID       string   `json:"id"`
	Granted  []string `json:"granted"`
	GPC      bool     `json:"gpc"`
	Method   string   `json:"method"`
	Revision string   `json:"revision"`
}

func (f *fixture) state(t *testing.T, c *http.Client, hdr ...string) stateResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/state", nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var s stateResp
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
	return s
}

// post sends a form decision without following the redirect.
func (f *fixture) post(t *testing.T, c *http.Client, form url.Values, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/consent/decision", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	nc := *c
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := nc.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (f *fixture) postJSON(t *testing.T, c *http.Client, body string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/consent/decision", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func consentCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var errDown = errors.New("store is down")

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// stateThrough runs req through m's middleware and returns the state the
// wrapped handler saw.
func stateThrough(m *Manager, req *http.Request) *State {
	var got *State
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = FromRequest(r) })).
		ServeHTTP(httptest.NewRecorder(), req)
	return got
}

func httptestServer(t *testing.T, m *Manager) *httptest.Server {
	srv := httptest.NewTLSServer(m.Handler(stateApp()))
	t.Cleanup(srv.Close)
	return srv
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

var quietLog = slog.New(slog.DiscardHandler)
