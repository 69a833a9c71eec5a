package consent

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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
			if s, _ := m.cache.hash(v); s == &m.cache.shards[i] {
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

// cookieValueRef is cookieValue as it was written first, with strings.Cut
// and the Trim functions: the one-pass scan must find the same values.
func cookieValueRef(h http.Header, name string, ok func(string) bool) (string, bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimLeft(part, " \t")
			if len(part) <= len(name) || part[len(name)] != '=' || part[:len(name)] != name {
				continue
			}
			v := strings.TrimRight(part[len(name)+1:], " \t")
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if ok == nil || ok(v) {
				return v, true
			}
		}
	}
	return "", false
}

// FuzzCookieValue holds the Cookie header scan to the reference: every
// value found, in order, and which one a picky ok accepts.
func FuzzCookieValue(f *testing.F) {
	for _, s := range []string{
		"a=1; ck=v; b=2", " ck=v ", "ck=\"q\"", "ck=", "ck", ";;ck=x;", "\tck=a\t;ck=b", "ck=a;ck=b;", "cka=1; ck=2",
		"ck==;", "ck=\"\"", "ck=\"", "x=1;  \t ck=2 \t; y", "",
	} {
		f.Add(s, "ck")
	}
	f.Fuzz(func(t *testing.T, line, name string) {
		if !validCookieName(name) {
			t.Skip("cookie names are tokens, checked by Config")
		}
		h := http.Header{"Cookie": {line, line + ";" + name + "=z"}}
		var got, want []string
		collect := func(into *[]string) func(string) bool {
			return func(v string) bool { *into = append(*into, v); return false }
		}
		cookieValue(h, name, collect(&got))
		cookieValueRef(h, name, collect(&want))
		if !slices.Equal(got, want) {
			t.Fatalf("Cookie %q, name %q: found %q, reference %q", line, name, got, want)
		}
		v, hit := cookieValue(h, name, nil)
		rv, rhit := cookieValueRef(h, name, nil)
		if v != rv || hit != rhit {
			t.Fatalf("Cookie %q, name %q: first %q %v, reference %q %v", line, name, v, hit, rv, rhit)
		}
	})
}

// TestAgeSince holds the integer age to time.Sub at the edges the cookie
// check compares against: the lifetime, the clock skew, sub-second parts,
// times before 1970, and ages past the clamp.
func TestAgeSince(t *testing.T) {
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, decided := range []time.Time{base, base.Add(-395 * 24 * time.Hour), time.Unix(-86400*400, 0), time.Unix(1<<40, 0)} {
		for _, d := range []time.Duration{0, 1, time.Second - 1, time.Second, -1, -time.Second, clockSkew, clockSkew + 1,
			-clockSkew, -clockSkew - 1, 395 * 24 * time.Hour, 395*24*time.Hour + 1, 200 * 365 * 24 * time.Hour} {
			now := decided.Add(d)
			assert.Equal(t, now.Sub(decided), ageSince(now, decided.Unix()), "decided %v, now %v", decided, now)
		}
	}
	far := time.Unix(1<<40, 0)
	assert.Greater(t, ageSince(far, 0), 100*365*24*time.Hour, "far future against 1970: expired")
	assert.Less(t, ageSince(time.Unix(0, 0), 1<<40), -100*365*24*time.Hour, "a decision far ahead of the clock: rejected")
}

// TestVerifiedCacheCollisionIsAMiss: the cache is keyed by a 64-bit hash,
// so an entry found under a value's hash that holds another value (a
// collision, made here by hand) must not vouch for it.
func TestVerifiedCacheCollisionIsAMiss(t *testing.T) {
	c := newVerifiedCache(64)
	e := &cached{plain: &State{decided: true}}
	c.put("signed-value-a", e)
	require.Same(t, e, c.get("signed-value-a"))
	s, h := c.hash("forged-value-b")
	s.m[h] = e // as if b's hash were a's
	assert.Nil(t, c.get("forged-value-b"), "a collision must verify the value again")
	require.Same(t, e, c.get("signed-value-a"))
	// Putting b now replaces the entry under its hash without evicting
	// another value.
	eb := &cached{plain: &State{decided: true}}
	c.put("forged-value-b", eb)
	assert.Same(t, eb, c.get("forged-value-b"))
}
