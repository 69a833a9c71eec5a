package consent

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func fuzzManager(t testing.TB) *Manager {
	m, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Store: &memStore{}, Logger: quietLog,
		Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	return m
}

func FuzzDecodeCookie(f *testing.F) {
	m := fuzzManager(f)
	valid, err := m.codec.encode(marshalPayload(&State{method: MethodForm, granted: 5, rev: m.rev, decidedAt: m.cfg.Now()}))
	require.NoError(f, err)
	for _, s := range []string{valid, "", "x", valid[:20], strings.Repeat("A", 600), valid + "=", "MTIzfDQ1Ng=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		st, err := m.DecodeCookie(v)
		if err != nil {
			require.Nil(t, st)
			return
		}
		// Anything that decodes was signed by us, in the one spelling the
		// codec writes: it must round-trip.
		raw, err := base64.URLEncoding.DecodeString(v)
		require.NoError(t, err)
		require.Equal(t, v, base64.URLEncoding.EncodeToString(raw), "only the canonical spelling decodes")
		require.True(t, st.Decided())
		require.True(t, st.Allowed(Necessary))
		b := marshalPayload(st)
		back, err := unmarshalPayload(b, m.set)
		require.NoError(t, err)
		require.Equal(t, st.ID(), back.ID())
		require.Equal(t, st.Granted(), back.Granted())
		// And the middleware never fails on it.
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Cookie", hostConsent+"="+v)
		require.NotNil(t, stateThrough(m, req))
	})
}

func FuzzUnmarshalPayload(f *testing.F) {
	m := fuzzManager(f)
	f.Add(marshalPayload(&State{method: MethodForm, granted: 5, rev: m.rev}))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := unmarshalPayload(b, m.set)
		if err != nil {
			return
		}
		require.Equal(t, uint64(0), st.granted&^m.set.allMask, "no bits beyond the configured categories")
		require.True(t, st.Allowed(Necessary))
	})
}

func FuzzParseDecision(f *testing.F) {
	m := fuzzManager(f)
	seeds := []struct{ ct, body string }{
		{"application/x-www-form-urlencoded", "action=accept_all&return=/x"},
		{"application/x-www-form-urlencoded", "action=save&category=analytics&category=marketing&lang=de"},
		{"application/json", `{"action":"save","categories":["analytics"],"return":"/a?b=c","lang":"pt-BR"}`},
		{"application/json", `{"action":"reject_all"}`},
		{"application/json", `{"action":"save","categories":null}`},
		{"", "action=reject_all"},
		{"multipart/form-data; boundary=x", "--x--"},
		{"application/json; charset=utf-8", `{"action":"accept_all"} `},
	}
	for _, s := range seeds {
		f.Add(s.ct, s.body)
	}
	f.Fuzz(func(t *testing.T, ct, body string) {
		req := httptest.NewRequest(http.MethodPost, "/consent/decision", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		d, _, err := parseDecision(rec, req, func(c string) bool { return m.set.index(c) >= 0 })
		if err != nil {
			require.ErrorIs(t, err, errBadDecision)
			return
		}
		require.Contains(t, []string{actionAcceptAll, actionRejectAll, actionSave}, d.Action)
		for _, c := range d.Categories {
			require.GreaterOrEqual(t, m.set.index(c), 0)
		}
		ret := safeReturn(d.Return)
		require.True(t, strings.HasPrefix(ret, "/") && !strings.HasPrefix(ret, "//") && !strings.HasPrefix(ret, "/\\"), ret)
		// Through the whole endpoint: never a 5xx for what a browser sent.
		rec = httptest.NewRecorder()
		req = httptest.NewRequest(http.MethodPost, "/consent/decision", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		m.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
		require.Less(t, rec.Code, 500)
	})
}
