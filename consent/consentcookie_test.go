package consent

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The names the middleware's cookies get under the default configuration:
// host-only and Secure.
const (
	hostConsent = "__Host-consent"
	hostLang    = "__Host-consent_lang"
)

// realCookies signs n consent cookies the way the decision endpoint does:
// fresh IDs, decisions spread over a few minutes, mixed choices.
func realCookies(t testing.TB, m *Manager, n int) []string {
	out := make([]string, n)
	at := m.cfg.Now().Add(-10 * time.Minute)
	for i := range out {
		st := &State{rev: m.rev, decidedAt: at.Add(time.Duration(i%600) * time.Second), granted: uint64(1 | i%16),
			method: MethodForm, decided: true, set: m.set}
		var err error
		st.id, err = newID(st.decidedAt)
		require.NoError(t, err)
		out[i], err = m.codec.encode(marshalPayload(st))
		require.NoError(t, err)
	}
	return out
}

// TestVerifiedCacheShardsEven: 10,000 real cookies spread over the 16
// shards as a uniform hash would. Sharding on the value's last and middle
// characters put every cookie in one shard (the last one is always '='),
// so the cache held 1/16 of its size.
func TestVerifiedCacheShardsEven(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	const n = 10000
	vals := realCookies(t, m, n)
	var counts [16]int
	for _, v := range vals {
		for i := range m.cache.shards {
			if m.cache.shard(v) == &m.cache.shards[i] {
				counts[i]++
			}
		}
	}
	exp := float64(n) / 16
	chi2, lo, hi := 0.0, n, 0
	for _, c := range counts {
		d := float64(c) - exp
		chi2 += d * d / exp
		lo, hi = min(lo, c), max(hi, c)
	}
	t.Logf("shard counts %v: chi-square %.1f (15 degrees of freedom), max/min %.3f", counts, chi2, float64(hi)/float64(lo))
	// 15 degrees of freedom: chi-square exceeds 37.7 once in 1,000 runs
	// and 60 about once in 10^7; max/min 1.35 is six standard deviations.
	require.Positive(t, lo, "every shard is used")
	assert.Less(t, chi2, 60.0)
	assert.Less(t, float64(hi)/float64(lo), 1.35)

	// And the cache holds about as many cookies as it is sized for.
	c := newVerifiedCache(8192)
	for _, v := range vals[:8192] {
		c.put(v, &cached{})
	}
	held := 0
	for i := range c.shards {
		held += len(c.shards[i].m)
	}
	t.Logf("a cache of 8192 holds %d of 8192 real cookies", held)
	assert.Greater(t, held, 8192*9/10)
}

// TestCookieNonCanonicalSpelling: the decoder securecookie uses ignores the
// bits base64 padding leaves over and line breaks, so one signed value had
// 16 spellings, each verified and cached on its own. Only the codec's own
// spelling is a cookie now; another is no cookie at all.
func TestCookieNonCanonicalSpelling(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	for _, block := range []bool{false, true} {
		mm := m
		if block {
			var err error
			mm, err = New(Config{Keys: []KeyPair{{HashKey: testKey1, BlockKey: testKey1[:16]}}, Store: &memStore{},
				Logger: quietLog, Now: m.cfg.Now})
			require.NoError(t, err)
		}
		for _, v := range realCookies(t, mm, 8) {
			want, err := base64.URLEncoding.DecodeString(v)
			require.NoError(t, err)
			_, err = mm.DecodeCookie(v)
			require.NoError(t, err, "the canonical spelling is a cookie")
			var variants []string
			if n := len(v) - len(trimPad(v)); n > 0 {
				last := len(v) - n - 1
				for d := 1; d < 1<<(2*n); d++ {
					b := []byte(v)
					b[last] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[b64val[b[last]]^int8(d)]
					variants = append(variants, string(b))
				}
			}
			variants = append(variants, v[:4]+"\n"+v[4:], v[:len(v)-4]+"\r\n"+v[len(v)-4:])
			for _, alt := range variants {
				got, err := base64.URLEncoding.DecodeString(alt)
				require.NoError(t, err, "precondition: %q is another spelling", alt)
				require.Equal(t, want, got, "precondition: %q decodes to the same bytes", alt)
				st, err := mm.DecodeCookie(alt)
				assert.ErrorIs(t, err, ErrCookieInvalid, "spelling %q", alt)
				assert.Nil(t, st)
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.Header.Set("Cookie", mm.names.consent+"="+alt)
				assert.False(t, stateThrough(mm, req).Decided(), "a respelled cookie is no cookie")
			}
		}
	}
}

func trimPad(v string) string {
	for len(v) > 0 && v[len(v)-1] == '=' {
		v = v[:len(v)-1]
	}
	return v
}
