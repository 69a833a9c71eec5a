package geoip

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
)

// fixture builds a tiny City-shaped database: a California network, a
// German one without subdivision, and one with an unknown country code.
func fixture(t testing.TB) []byte {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoIP2-City", RecordSize: 24, IncludeReservedNetworks: true})
	require.NoError(t, err)
	for cidr, data := range map[string]mmdbtype.Map{
		"203.0.113.0/24": {
			"country":      mmdbtype.Map{"iso_code": mmdbtype.String("US")},
			"subdivisions": mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String("CA")}},
		},
		"198.51.100.0/24": {"country": mmdbtype.Map{"iso_code": mmdbtype.String("DE")}},
		"192.0.2.0/24":    {"country": mmdbtype.Map{"iso_code": mmdbtype.String("XX")}},
		"2001:db8::/32": {
			"country":      mmdbtype.Map{"iso_code": mmdbtype.String("CA")},
			"subdivisions": mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String("QC")}},
		},
	} {
		_, n, err := net.ParseCIDR(cidr)
		require.NoError(t, err)
		require.NoError(t, tree.Insert(n, data))
	}
	var buf bytes.Buffer
	_, err = tree.WriteTo(&buf)
	require.NoError(t, err)
	return buf.Bytes()
}

func TestLookup(t *testing.T) {
	t.Parallel()
	g, err := OpenBytes(fixture(t), nil)
	require.NoError(t, err)
	defer g.Close()
	for addr, want := range map[string]string{
		"203.0.113.7":        "US-CA",
		"::ffff:203.0.113.7": "US-CA",
		"198.51.100.1":       "DE",
		"192.0.2.1":          "", // "XX" names no country
		"2001:db8::1":        "CA-QC",
		"10.0.0.1":           "",
		"2001:db9::1":        "",
	} {
		assert.Equal(t, want, g.Lookup(netip.MustParseAddr(addr)).String(), addr)
		assert.Equal(t, want, g.Lookup(netip.MustParseAddr(addr)).String(), addr+" (cached)")
	}
}

func TestLocate(t *testing.T) {
	t.Parallel()
	g, err := OpenBytes(fixture(t), nil)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "203.0.113.9:4431"
	assert.Equal(t, "US-CA", g.Locate(req).String())
	req.RemoteAddr = "garbage"
	assert.True(t, g.Locate(req).IsZero())

	behindProxy, err := OpenBytes(fixture(t), func(r *http.Request) string { return r.Header.Get("X-Real-IP") })
	require.NoError(t, err)
	req.Header.Set("X-Real-IP", "198.51.100.4")
	assert.Equal(t, "DE", behindProxy.Locate(req).String())
}

// TestWithManager: a Manager placing visitors with the database.
func TestWithManager(t *testing.T) {
	t.Parallel()
	g, err := OpenBytes(fixture(t), nil)
	require.NoError(t, err)
	m, err := consent.New(consent.Config{Keys: []consent.KeyPair{{HashKey: []byte("0123456789abcdef0123456789abcdef")}},
		Store:   consent.StoreFunc(func(_ context.Context, _ consent.Record) error { return nil }),
		Regions: consent.Regions{Rules: consent.RegionsUSOptOut(), Locate: g.Locate}})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "203.0.113.9:4431"
	var st *consent.State
	m.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { st = consent.FromRequest(r) })).
		ServeHTTP(httptest.NewRecorder(), req)
	assert.Equal(t, consent.ModelOptOut, st.Model())
	assert.Equal(t, "US-CA", st.Region().String())
	assert.True(t, st.Allowed("marketing"))
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	_, err := Open(filepath.Join(t.TempDir(), "missing.mmdb"), nil)
	assert.ErrorIs(t, err, ErrOpen)
	_, err = OpenBytes([]byte("not a database"), nil)
	assert.ErrorIs(t, err, ErrOpen)
}

func BenchmarkLocate(b *testing.B) {
	g, err := OpenBytes(fixture(b), nil)
	require.NoError(b, err)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "203.0.113.9:4431"
	b.ReportAllocs()
	for b.Loop() {
		_ = g.Locate(req)
	}
}
