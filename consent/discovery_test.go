package consent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// discoveryStore is a memStore that also keeps discoveries.
type discoveryStore struct {
	memStore
	dmu  sync.Mutex
	ds   map[discoveryKey]Discovered
	fail error
}

func (s *discoveryStore) AddDiscoveries(ctx context.Context, ds []Discovered) error {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if s.ds == nil {
		s.ds = map[discoveryKey]Discovered{}
	}
	for _, d := range ds {
		k := discoveryKey{d.Kind, d.Name}
		old, ok := s.ds[k]
		if ok {
			d.Count += old.Count
		}
		s.ds[k] = d
	}
	return nil
}

func (s *discoveryStore) get(kind DiscoveryKind, name string) (Discovered, bool) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	d, ok := s.ds[discoveryKey{kind, name}]
	return d, ok
}

// TestSketchBounded feeds 100,000 distinct names, a few of them frequent,
// into a sketch of 512 entries: it never holds more, its heap weighs what
// 512 entries weigh, and the frequent names are all still there with at
// least their true count (Space-Saving never undercounts a kept key).
//
// Not parallel: the heap is measured, and other tests would allocate.
func TestSketchBounded(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := newSketch(512)
	now := time.Unix(0, 0)
	heavy := []string{"_ga", "_fbp", "_hjSessionUser_1", "_gcl_au"}
	for i := range 100_000 {
		s.add(DiscoveredCookie, fmt.Sprintf("name-%06d-%s", i, strings.Repeat("x", i%64)), "", now)
		if i%20 == 0 {
			s.add(DiscoveredCookie, heavy[i/20%len(heavy)], "", now)
		}
	}
	require.LessOrEqual(t, len(s.heap), 512)
	require.LessOrEqual(t, len(s.index), 512)
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("sketch of 512 after 100,000 distinct names: heap grew %d B", grown)
	assert.Less(t, grown, int64(512*400), "memory stays within Size × 400 bytes")
	got := map[string]int64{}
	for _, d := range s.snapshot() {
		got[d.Name] = d.Count
	}
	for _, h := range heavy {
		assert.GreaterOrEqual(t, got[h], int64(100_000/20/len(heavy)), h)
	}
	runtime.KeepAlive(s)
}

// TestSketchHeap keeps the heap a heap and the index right through
// increments and replacements.
func TestSketchHeap(t *testing.T) {
	t.Parallel()
	s := newSketch(8)
	now := time.Unix(0, 0)
	for i := range 2000 {
		s.add(DiscoveredHost, fmt.Sprintf("h%d.example", (i*7919)%23), "marketing", now)
		for j := 1; j < len(s.heap); j++ {
			require.LessOrEqual(t, s.heap[(j-1)/2].Count, s.heap[j].Count)
		}
		for k, j := range s.index {
			require.Equal(t, k.name, s.heap[j].Name)
		}
	}
}

// TestDiscoveryFromTraffic: a Set-Cookie of an undeclared cookie, and an
// undeclared cookie the browser sends, reach the DiscoveryStore on flush;
// declared cookies (the consent cookie among them) do not.
func TestDiscoveryFromTraffic(t *testing.T) {
	t.Parallel()
	store := &discoveryStore{}
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: store, Logger: quietLog,
		Cookies:   []CookieSpec{{Name: "theme", Category: "preferences", Purpose: map[string]string{"en": "theme"}}},
		Discovery: Discovery{SampleCookies: 1, FlushEvery: time.Hour}})
	require.NoError(t, err)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "_ga", Value: "GA1.1.1"})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark"})
		w.WriteHeader(http.StatusNoContent)
	}))
	for range 3 {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", "_fbp=fb.1.2; theme=dark; "+m.names.consent+"=x")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	require.NoError(t, m.FlushDiscoveries(context.Background()))
	d, ok := store.get(DiscoveredSetCookie, "_ga")
	require.True(t, ok)
	assert.Equal(t, int64(3), d.Count)
	d, ok = store.get(DiscoveredCookie, "_fbp")
	require.True(t, ok)
	assert.Equal(t, int64(3), d.Count)
	for _, k := range []discoveryKey{{DiscoveredCookie, "theme"}, {DiscoveredSetCookie, "theme"}, {DiscoveredCookie, m.names.consent}} {
		_, ok := store.get(k.kind, k.name)
		assert.False(t, ok, "declared %v is not discovered", k)
	}
	// Nothing new: the next flush stores nothing more.
	require.NoError(t, m.FlushDiscoveries(context.Background()))
	d, _ = store.get(DiscoveredSetCookie, "_ga")
	assert.Equal(t, int64(3), d.Count)
}

// TestDiscoveryFlushFailure keeps the counts when the store fails, and
// stores them with the next flush.
func TestDiscoveryFlushFailure(t *testing.T) {
	t.Parallel()
	store := &discoveryStore{fail: errors.New("disk full")}
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: store, Logger: quietLog,
		Discovery: Discovery{FlushEvery: time.Hour}})
	require.NoError(t, err)
	m.discover(DiscoveredSetCookie, "_ga", "")
	require.ErrorContains(t, m.FlushDiscoveries(context.Background()), "disk full")
	store.dmu.Lock()
	store.fail = nil
	store.dmu.Unlock()
	m.discover(DiscoveredSetCookie, "_ga", "")
	require.NoError(t, m.FlushDiscoveries(context.Background()))
	d, ok := store.get(DiscoveredSetCookie, "_ga")
	require.True(t, ok)
	assert.Equal(t, int64(2), d.Count)
}

// TestDiscoveryFlushScheduled flushes by itself FlushEvery after the
// first discovery.
func TestDiscoveryFlushScheduled(t *testing.T) {
	t.Parallel()
	store := &discoveryStore{}
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: store, Logger: quietLog,
		Discovery: Discovery{FlushEvery: time.Millisecond}})
	require.NoError(t, err)
	m.discover(DiscoveredCookie, "_hjid", "")
	require.Eventually(t, func() bool { _, ok := store.get(DiscoveredCookie, "_hjid"); return ok },
		10*time.Second, 5*time.Millisecond)
}

// TestReportEndpoint holds POST {prefix}/report to small, same-origin,
// well-formed, rate-limited reports, and never a 5xx.
func TestReportEndpoint(t *testing.T) {
	t.Parallel()
	store := &discoveryStore{}
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: store, Logger: quietLog,
		Categories: []Category{{ID: "analytics"}, {ID: "marketing"}},
		Discovery:  Discovery{FlushEvery: time.Hour, ReportsPerMinute: 2}})
	require.NoError(t, err)
	h := m.Handler(http.NotFoundHandler())
	post := func(addr, body string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/consent/report", strings.NewReader(body))
		req.RemoteAddr = addr + ":1234"
		req.Header.Set("Content-Type", "text/plain")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	tests := []struct {
		name, addr, body string
		hdr              []string
		want             int
	}{
		{"good", "198.51.1.1", "www.google-analytics.com analytics\nconnect.facebook.net marketing\n", nil, http.StatusNoContent},
		{"cross-site", "198.51.2.1", "a.example analytics", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"unknown category", "198.51.3.1", "a.example ads", nil, http.StatusBadRequest},
		{"not a host", "198.51.4.1", "https://a.example/x?id=1 analytics", nil, http.StatusBadRequest},
		{"upper case", "198.51.5.1", "A.example analytics", nil, http.StatusBadRequest},
		{"too many lines", "198.51.6.1", strings.Repeat("a.example analytics\n", 17), nil, http.StatusBadRequest},
		{"too large", "198.51.7.1", strings.Repeat("a", 2000), nil, http.StatusRequestEntityTooLarge},
		{"binary", "198.51.8.1", "\x00\xff\xfe", nil, http.StatusBadRequest},
		{"a host the table does not know", "198.51.9.1", "cdn.partner.example unknown", nil, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(tt.addr, tt.body, tt.hdr...)
			assert.Equal(t, tt.want, w.Code, w.Body.String())
		})
	}
	t.Run("method", func(t *testing.T) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/consent/report", nil))
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	})
	t.Run("rate", func(t *testing.T) {
		codes := map[int]int{}
		for range 10 {
			codes[post("203.0.113.9", "a.example analytics").Code]++
		}
		assert.Equal(t, 4, codes[http.StatusNoContent], "a burst of twice ReportsPerMinute")
		assert.Equal(t, 6, codes[http.StatusTooManyRequests])
		// Another network has its own bucket.
		assert.Equal(t, http.StatusNoContent, post("203.0.114.9", "a.example analytics").Code)
	})
	require.NoError(t, m.FlushDiscoveries(context.Background()))
	d, ok := store.get(DiscoveredHost, "www.google-analytics.com")
	require.True(t, ok)
	assert.Equal(t, "analytics", d.Category)
	d, ok = store.get(DiscoveredHost, "cdn.partner.example")
	require.True(t, ok, "an unknown third party the guard saw is discovered too")
	assert.Equal(t, UnknownHost, d.Category)
	_, ok = store.get(DiscoveredHost, "A.example")
	assert.False(t, ok, "a refused report counts nothing")
	d, _ = store.get(DiscoveredHost, "a.example")
	assert.Equal(t, int64(5), d.Count, "only accepted reports count")

	t.Run("off", func(t *testing.T) {
		m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Discovery: Discovery{Off: true}})
		require.NoError(t, err)
		w := httptest.NewRecorder()
		m.Handler(http.NotFoundHandler()).ServeHTTP(w, httptest.NewRequest("POST", "/consent/report", strings.NewReader("a.example necessary")))
		assert.Equal(t, http.StatusNotFound, w.Code, "handled by the site, not the middleware")
	})
}

// FuzzReport: whatever a client posts, the report endpoint answers 2xx or
// 4xx.
func FuzzReport(f *testing.F) {
	f.Add("www.google-analytics.com analytics\n")
	f.Add("a.example marketing\r\nb.example analytics")
	f.Add(" \n\n")
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
		Categories: []Category{{ID: "analytics"}, {ID: "marketing"}}, Discovery: Discovery{ReportsPerMinute: 1 << 20}})
	require.NoError(f, err)
	h := m.Handler(http.NotFoundHandler())
	f.Fuzz(func(t *testing.T, body string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/consent/report", strings.NewReader(body)))
		if w.Code >= 500 || w.Code < 200 {
			t.Fatalf("%q: %d", body, w.Code)
		}
	})
}

// TestKnownCookie prefills a declaration from the Open Cookie Database, and
// New accepts it as one line; an unknown name fails in New, naming the
// cookie.
func TestKnownCookie(t *testing.T) {
	t.Parallel()
	ga := KnownCookie("_ga")
	assert.Equal(t, "analytics", ga.Category)
	assert.Equal(t, "Google Analytics", ga.Provider)
	assert.Equal(t, 400*24*time.Hour, ga.Lifetime, "2 years, as long as browsers keep a cookie")
	assert.Contains(t, ga.Purpose["en"], "Google Analytics")
	assert.Equal(t, "analytics", KnownCookie("_ga_*").Category, "a pattern is looked up by its prefix")
	assert.Equal(t, "marketing", KnownCookie("_fbp").Category)

	_, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
		Categories: []Category{{ID: "analytics"}, {ID: "marketing"}},
		Cookies:    []CookieSpec{KnownCookie("_ga"), KnownCookie("_ga_*"), KnownCookie("_fbp")}})
	require.NoError(t, err)

	_, err = New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
		Cookies: []CookieSpec{KnownCookie("no-such-cookie-anywhere")}})
	require.ErrorIs(t, err, ErrBadCookie)
	assert.Contains(t, err.Error(), "no-such-cookie-anywhere")
	assert.Contains(t, err.Error(), "KnownCookie")
}

func TestRetention(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	for in, want := range map[string]time.Duration{
		"2 years": 400 * day, "1 year": 365 * day, "13 months": 390 * day, "30 minutes": 30 * time.Minute,
		"1 Day": day, "session": 0, "Unknown": 0, "10 seconds": 10 * time.Second, "2 weeks": 14 * day, "-1 days": 0,
	} {
		assert.Equal(t, want, retention(in), in)
	}
}

// TestDiscoverRequestNoAlloc: a sampled request whose undeclared cookies
// are already counted allocates nothing, and neither does one that is not
// sampled.
func TestDiscoverRequestNoAlloc(t *testing.T) {
	for _, every := range []int{1, 1 << 30} {
		m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
			Discovery: Discovery{SampleCookies: every}})
		require.NoError(t, err)
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", "_session=abc123; "+m.names.consent+"=v; theme=dark; _ga=GA1.2.3")
		m.discoverRequest(req) // counts the names once
		assert.Zero(t, testing.AllocsPerRun(100, func() { m.discoverRequest(req) }), "SampleCookies %d", every)
	}
}

// BenchmarkDiscoverRequest is what the Cookie sampling adds to a request:
// "sampled" reads the header and counts three undeclared names, "skipped"
// is the default's other fifteen requests in sixteen. BenchmarkDiscoverNone
// is the baseline: discovery off.
func BenchmarkDiscoverRequest(b *testing.B) {
	for _, c := range []struct {
		name  string
		every int
	}{{"sampled", 1}, {"skipped", 1 << 30}, {"default", 0}} {
		b.Run(c.name, func(b *testing.B) {
			m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
				Discovery: Discovery{SampleCookies: c.every}})
			require.NoError(b, err)
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Cookie", "_session=abc123; "+m.names.consent+"=v; theme=dark; _ga=GA1.2.3")
			b.ReportAllocs()
			for b.Loop() {
				m.discoverRequest(req)
			}
		})
	}
}
