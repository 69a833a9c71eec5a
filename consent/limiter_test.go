package consent

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// floodManager is a Manager whose Store counts the records it is asked to
// write, and fails while fail is set.
func floodManager(t testing.TB, mods ...func(*Config)) (*Manager, *atomic.Int64, *clock, *atomic.Bool) {
	t.Helper()
	var n atomic.Int64
	var fail atomic.Bool
	clk := newClock()
	cfg := Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Now: clk.Now,
		Store: StoreFunc(func(context.Context, Record) error {
			if fail.Load() {
				return errDown
			}
			n.Add(1)
			return nil
		})}
	for _, mod := range mods {
		mod(&cfg)
	}
	m, err := New(cfg)
	require.NoError(t, err)
	return m, &n, clk, &fail
}

// post sends a decision from addr with the given Cookie header; asJSON
// posts the banner script's JSON instead of the form.
func floodPost(m *Manager, addr, cookie string, asJSON bool) *httptest.ResponseRecorder {
	body, ct := "action=accept_all", "application/x-www-form-urlencoded"
	if asJSON {
		body, ct = `{"action":"accept_all"}`, "application/json"
	}
	req := httptest.NewRequest(http.MethodPost, "https://www.example.com/consent/decision", strings.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.RemoteAddr = addr + ":50000"
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	m.Handler(okHandler).ServeHTTP(rec, req)
	return rec
}

// TestDecisionFloodPerAddress: new visitors from one network are held to
// WriteLimits.PerAddress; past it the endpoint answers 429 with
// Retry-After, writes nothing and sets no cookie. One client wrote 2,000
// records a second before.
func TestDecisionFloodPerAddress(t *testing.T) {
	t.Parallel()
	m, written, clk, _ := floodManager(t)
	burst := 2 * defaultWritesPerAddress
	for i := range burst {
		rec := floodPost(m, "203.0.113."+strconv.Itoa(i%250), "", i%2 == 0)
		require.NotEqual(t, http.StatusTooManyRequests, rec.Code, "write %d is within the burst", i)
	}
	require.EqualValues(t, burst, written.Load())

	for _, asJSON := range []bool{false, true} {
		for range 100 {
			rec := floodPost(m, "203.0.113.200", "", asJSON)
			require.Equal(t, http.StatusTooManyRequests, rec.Code)
			assert.Empty(t, rec.Header()["Set-Cookie"], "no cookie changed")
			wait, err := strconv.Atoi(rec.Header().Get("Retry-After"))
			require.NoError(t, err)
			assert.Equal(t, 2, wait, "one write every 2 s at 30 a minute")
			if asJSON {
				assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
				var body map[string]string
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
				assert.Contains(t, body["error"], "too many")
			} else {
				assert.Contains(t, rec.Body.String(), "too many")
			}
		}
	}
	assert.EqualValues(t, burst, written.Load(), "nothing written past the limit")

	rec := floodPost(m, "198.51.100.1", "", false)
	assert.Equal(t, http.StatusSeeOther, rec.Code, "another network has its own bucket")
	rec = floodPost(m, "2001:db8:1:2::1", "", false)
	assert.Equal(t, http.StatusSeeOther, rec.Code)

	clk.Add(2 * time.Second)
	assert.Equal(t, http.StatusSeeOther, floodPost(m, "203.0.113.9", "", false).Code, "the bucket refills at the rate")
	assert.Equal(t, http.StatusTooManyRequests, floodPost(m, "203.0.113.9", "", false).Code)
	assert.EqualValues(t, burst+3, written.Load())
}

// TestDecisionFloodPerID: one browser replaying its cookie from many
// networks is held to WriteLimits.PerID.
func TestDecisionFloodPerID(t *testing.T) {
	t.Parallel()
	m, written, _, _ := floodManager(t)
	first := floodPost(m, "198.51.100.7", "", false)
	require.Equal(t, http.StatusSeeOther, first.Code)
	cookie := hostConsent + "=" + setCookies(first)[hostConsent].Value
	burst := 2 * defaultWritesPerID
	for i := range burst {
		require.Equal(t, http.StatusSeeOther, floodPost(m, fmt.Sprintf("192.0.%d.1", i), cookie, false).Code, "write %d", i)
	}
	for i := range 50 {
		rec := floodPost(m, fmt.Sprintf("100.%d.0.1", i), cookie, true)
		require.Equal(t, http.StatusTooManyRequests, rec.Code)
		assert.Empty(t, rec.Header()["Set-Cookie"])
		assert.Equal(t, "12", rec.Header().Get("Retry-After"), "one write every 12 s at 5 a minute")
	}
	assert.EqualValues(t, 1+burst, written.Load(), "nothing written past the limit")
}

// TestGPCReplayRecordedOnce: a decided cookie replayed with Sec-GPC: 1 on
// any GET wrote a withdrawal record every time, because the old value
// still verifies after the middleware rewrites the cookie. Now one value
// is one record, and the signal is still honoured on every request.
func TestGPCReplayRecordedOnce(t *testing.T) {
	t.Parallel()
	m, written, _, fail := floodManager(t)
	first := floodPost(m, "198.51.100.7", "", false)
	value := setCookies(first)[hostConsent].Value
	require.EqualValues(t, 1, written.Load())

	get := func(v string) (*State, *httptest.ResponseRecorder) {
		req := httptest.NewRequest(http.MethodGet, "https://www.example.com/article", nil)
		req.RemoteAddr = "198.51.100.7:1"
		req.Header.Set("Cookie", hostConsent+"="+v)
		req.Header.Set("Sec-GPC", "1")
		var st *State
		rec := httptest.NewRecorder()
		m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { st = FromRequest(r) })).ServeHTTP(rec, req)
		return st, rec
	}

	fail.Store(true)
	_, rec := get(value)
	assert.Empty(t, rec.Header()["Set-Cookie"], "not recorded, so not rewritten")
	fail.Store(false)

	const n = 200
	for i := range n {
		st, rec := get(value)
		require.False(t, st.Allowed("marketing"), "GPC honoured on replay %d", i)
		require.True(t, st.Allowed("analytics"))
		if i == 0 {
			require.NotNil(t, setCookies(rec)[hostConsent], "the first replay after the failure records and rewrites")
		} else {
			require.Empty(t, rec.Header()["Set-Cookie"], "replay %d changes nothing", i)
		}
	}
	assert.EqualValues(t, 2, written.Load(), "one decision and one withdrawal for %d replays", n)

	// A respelling of the value is no cookie (canonical encoding), so it
	// cannot count as a new value either.
	b := []byte(value)
	b[len(b)-3] ^= 1
	st, _ := get(string(b))
	assert.False(t, st.Decided())
	assert.EqualValues(t, 2, written.Load())
}

// TestGPCReplayAcrossValues: fresh cookie values of one ID (a client that
// keeps accepting and withdrawing) are held to the ID's limit.
func TestGPCReplayAcrossValues(t *testing.T) {
	t.Parallel()
	m, written, clk, _ := floodManager(t, func(c *Config) { c.WriteLimits.PerAddress = -1 })
	first := floodPost(m, "198.51.100.7", "", false)
	cookie := hostConsent + "=" + setCookies(first)[hostConsent].Value
	for range 100 {
		clk.Add(time.Second) // a new decision time is a new cookie value
		rec := floodPost(m, "198.51.100.7", cookie, false)
		if rec.Code == http.StatusSeeOther {
			cookie = hostConsent + "=" + setCookies(rec)[hostConsent].Value
		}
		req := httptest.NewRequest(http.MethodGet, "https://www.example.com/", nil)
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Sec-GPC", "1")
		m.Handler(okHandler).ServeHTTP(httptest.NewRecorder(), req)
	}
	// 100 s at 5 a minute: the burst of 10 and 8 more, decisions and
	// withdrawals together, where 200 were asked.
	assert.LessOrEqual(t, written.Load(), int64(1+2*defaultWritesPerID+100/12+1))
	t.Logf("%d records for 200 attempts", written.Load())
}

// TestWriteLimitsProxyAndOff: a reverse proxy's private address is not
// limited (and New's Manager says to set ClientIP); negative rates turn the
// limits off.
func TestWriteLimitsProxyAndOff(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	m, written, _, _ := floodManager(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	for range 200 {
		require.Equal(t, http.StatusSeeOther, floodPost(m, "10.1.2.3", "", false).Code)
	}
	assert.EqualValues(t, 200, written.Load())
	assert.Equal(t, 1, strings.Count(logs.String(), "set Config.ClientIP"), "warned once")

	off, written, _, _ := floodManager(t, func(c *Config) { c.WriteLimits = WriteLimits{PerAddress: -1, PerID: -1} })
	first := floodPost(off, "203.0.113.1", "", false)
	cookie := hostConsent + "=" + setCookies(first)[hostConsent].Value
	for range 200 {
		require.Equal(t, http.StatusSeeOther, floodPost(off, "203.0.113.1", cookie, false).Code)
	}
	assert.EqualValues(t, 201, written.Load())
}

func TestWriteLimitsConfig(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		in   WriteLimits
		want WriteLimits
		err  bool
	}{
		"zero is the defaults": {WriteLimits{}, WriteLimits{PerAddress: 30, AddressBurst: 60, PerID: 5, IDBurst: 10}, false},
		"burst follows rate":   {WriteLimits{PerAddress: 100}, WriteLimits{PerAddress: 100, AddressBurst: 200, PerID: 5, IDBurst: 10}, false},
		"off":                  {WriteLimits{PerAddress: -1, PerID: -1}, WriteLimits{PerAddress: -1, PerID: -1}, false},
		"negative burst":       {WriteLimits{IDBurst: -1}, WriteLimits{}, true},
		"burst of an off rate": {WriteLimits{PerID: -1, IDBurst: 3}, WriteLimits{}, true},
	} {
		cfg := Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog, Store: &memStore{}, WriteLimits: tt.in}
		m, err := New(cfg)
		if tt.err {
			assert.ErrorIs(t, err, ErrBadConfig, name)
			if err != nil {
				assert.Contains(t, err.Error(), "WriteLimits", name)
			}
			continue
		}
		require.NoError(t, err, name)
		assert.Equal(t, tt.want, m.cfg.WriteLimits, name)
	}
}

// TestRateTable: a token bucket per key, and a table that stays its size
// under a flood of distinct keys without letting a limited key go.
func TestRateTable(t *testing.T) {
	t.Parallel()
	tb := newRateTable(60, 3) // one a second, three at once
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := range 3 {
		_, ok := tb.take(42, now)
		require.True(t, ok, "take %d", i)
	}
	wait, ok := tb.take(42, now)
	require.False(t, ok)
	assert.Equal(t, time.Second, wait)
	_, ok = tb.take(42, now+int64(time.Second))
	assert.True(t, ok, "refilled one token")
	_, ok = tb.take(42, now+int64(time.Second))
	assert.False(t, ok)

	// 100,000 other keys, one write each, while key 42 is held.
	for k := range uint64(100000) {
		tb.take(1000+k*0x9e3779b97f4a7c15, now+int64(time.Second))
	}
	_, ok = tb.take(42, now+int64(time.Second))
	assert.False(t, ok, "a flood of new keys evicts the idle ones, not a limited one")
	_, ok = tb.take(42, now+int64(5*time.Second))
	assert.True(t, ok)
}

func TestWithdrawnSet(t *testing.T) {
	t.Parallel()
	s := newWithdrawnSet()
	require.True(t, s.claim("a"))
	require.False(t, s.claim("a"))
	s.release("a")
	require.True(t, s.claim("a"))
	// A quarter full, nearly every value is still there: a group of four
	// overflows rarely (Poisson, mean 1: 0.4% of groups).
	const n = 4096
	for i := range n {
		s.claim(strconv.Itoa(i))
	}
	held := 0
	for i := range n {
		if !s.claim(strconv.Itoa(i)) {
			held++
		}
	}
	t.Logf("a set a quarter full holds %d of %d values", held, n)
	assert.Greater(t, held, n*95/100)
}

var errLimited = errors.New("limited")

// BenchmarkWriteLimit is what a decision or GPC withdrawal pays for the
// limits: one address and one ID bucket. The baseline is the usual
// map-and-mutex limiter, which allocates per key and grows without bound.
func BenchmarkWriteLimit(b *testing.B) {
	l := newWriteLimiter(WriteLimits{PerAddress: 1 << 30, AddressBurst: 1 << 40, PerID: 1 << 30, IDBurst: 1 << 40})
	addr := pseudonymPrefix("203.0.113.7")
	id := [16]byte{1, 2, 3}
	now := time.Now()
	b.Run("one key", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := l.allow(addr, &id, now); !ok {
				b.Fatal(errLimited)
			}
		}
	})
	b.Run("distinct keys", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			id[0], id[1], id[2] = byte(i), byte(i>>8), byte(i>>16)
			l.allow(addr, &id, now)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			id := [16]byte{9}
			i := 0
			for pb.Next() {
				i++
				id[1], id[2] = byte(i), byte(i>>8)
				l.allow(addr, &id, now)
			}
		})
	})
}

// BenchmarkWriteLimitMapBaseline is the baseline of BenchmarkWriteLimit.
func BenchmarkWriteLimitMapBaseline(b *testing.B) {
	var mu sync.Mutex
	buckets := map[string]int64{}
	take := func(key string, now int64) bool {
		mu.Lock()
		defer mu.Unlock()
		tat := max(buckets[key], now) + 1
		buckets[key] = tat
		return true
	}
	now := time.Now().UnixNano()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		take(pseudonymize("203.0.113.7"), now)
		id := [16]byte{byte(i), byte(i >> 8), byte(i >> 16)}
		take(hex.EncodeToString(id[:]), now) // as State.ID spells it
	}
}
