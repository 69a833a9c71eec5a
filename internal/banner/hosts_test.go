package banner

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// riceCode codes sorted values as trackers.GuardSet does, for the tests.
func riceCode(sorted []uint32, k uint8) []byte {
	var out []byte
	n, prev := 0, uint32(0)
	bit := func(b uint32) {
		if n%8 == 0 {
			out = append(out, 0)
		}
		out[len(out)-1] |= byte(b&1) << (7 - n%8)
		n++
	}
	for _, v := range sorted {
		d := v - prev
		prev = v
		for q := d >> k; q > 0; q-- {
			bit(1)
		}
		bit(0)
		for i := int(k) - 1; i >= 0; i-- {
			bit(d >> uint(i))
		}
	}
	return out
}

// riceDecode reads n values back the way the loader does.
func riceDecode(data []byte, n int, k uint8) []uint32 {
	p := 0
	bit := func() uint32 { b := uint32(data[p/8]>>(7-p%8)) & 1; p++; return b }
	var out []uint32
	v := uint32(0)
	for range n {
		q := uint32(0)
		for bit() == 1 {
			q++
		}
		r := uint32(0)
		for range k {
			r = r<<1 | bit()
		}
		v += q<<k | r
		out = append(out, v)
	}
	return out
}

func TestHostsFile(t *testing.T) {
	t.Parallel()
	analytics := []uint32{7, 1 << 20, 1<<31 + 5, 4294967295}
	marketing := []uint32{0, 99, 100, 3 << 30}
	const k = 19
	f := HostsFile(k, []HostSet{
		{Category: "analytics", N: len(analytics), Data: riceCode(analytics, k)},
		{Category: "empty", N: 0},
		{Category: "marketing", N: len(marketing), Data: riceCode(marketing, k)},
	})
	assert.Regexp(t, `^ck-hosts\.[0-9a-f]{8}\.js$`, f.Name)
	assert.Equal(t, "text/javascript; charset=utf-8", f.ContentType)
	body := string(f.Body)
	require.True(t, strings.HasPrefix(body, "self.ckH=[") && strings.HasSuffix(body, "];\n"), body)

	// The array is JSON as well as JavaScript.
	var arr []any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimPrefix(body, "self.ckH="), ";\n")), &arr))
	require.Len(t, arr, 1+2*3, "K, then three entries a set; the empty set is left out")
	assert.Equal(t, float64(k), arr[0])
	for i, want := range []struct {
		cat  string
		vals []uint32
	}{{"analytics", analytics}, {"marketing", marketing}} {
		e := arr[1+3*i:]
		assert.Equal(t, want.cat, e[0])
		assert.Equal(t, float64(len(want.vals)), e[1])
		data, err := base64.StdEncoding.DecodeString(e[2].(string))
		require.NoError(t, err)
		assert.Equal(t, want.vals, riceDecode(data, len(want.vals), k), "%s decodes to its hashes", want.cat)
	}

	zr, err := gzip.NewReader(bytes.NewReader(f.Gzip))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, f.Body, plain)

	other := HostsFile(k, []HostSet{{Category: "analytics", N: len(analytics), Data: riceCode(analytics, k)}})
	assert.NotEqual(t, f.Name, other.Name, "the name follows the content")
	assert.Equal(t, File{}, HostsFile(k, nil), "no host, no file")
	assert.Equal(t, File{}, HostsFile(k, []HostSet{{Category: "analytics"}}))
}

// TestRiceRoundTrip holds the test coder to the decoder over random-looking
// sets, so that TestHostsFile checks the format and not a shared mistake.
func TestRiceRoundTrip(t *testing.T) {
	t.Parallel()
	for _, k := range []uint8{8, 19, 24} {
		var vals []uint32
		x := uint32(2166136261)
		for range 500 {
			x = x*16777619 ^ 0x9e3779b9
			vals = append(vals, x)
		}
		slices.Sort(vals)
		vals = slices.Compact(vals)
		assert.Equal(t, vals, riceDecode(riceCode(vals, k), len(vals), k), "k=%d", k)
	}
}
