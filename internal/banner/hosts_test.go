package banner

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"slices"
	"strconv"
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

func TestHostsFile(t *testing.T) {
	t.Parallel()
	analytics := []uint32{7, 1 << 20, 1<<31 + 5, 4294967295}
	marketing := []uint32{0, 99, 100, 3 << 30}
	const k = 19
	f := HostsFile(k, []HostSet{
		{Category: "analytics", N: len(analytics), Data: riceCode(analytics, k)},
		{Category: "empty", N: 0},
		{Category: "marketing", N: len(marketing), Data: riceCode(marketing, k)},
	}, false)
	assert.Regexp(t, `^ck-hosts\.[0-9a-f]{8}\.js$`, f.Name)
	assert.Equal(t, "text/javascript; charset=utf-8", f.ContentType)
	body, ckR, _ := strings.Cut(string(f.Body), "\n")
	body += "\n"
	require.True(t, strings.HasPrefix(body, "self.ckH=[") && strings.HasSuffix(body, "];\n"), body)
	assert.Equal(t, "self.ckR=(u,c)=>c;\n", ckR, "without reporting, the guard's call passes the category on")

	// The array is JSON as well as JavaScript.
	var arr []string
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimPrefix(body, "self.ckH="), ";\n")), &arr))
	require.Len(t, arr, 2*2, "a category and its deltas a set; the empty set is left out")
	for i, want := range []struct {
		cat  string
		vals []uint32
	}{{"analytics", analytics}, {"marketing", marketing}} {
		assert.Equal(t, want.cat, arr[2*i])
		var got []uint32
		v := uint64(0)
		for _, x := range strings.Split(arr[2*i+1], ",") {
			d, err := strconv.ParseUint(x, 36, 32)
			require.NoError(t, err)
			v += d
			got = append(got, uint32(v))
		}
		assert.Equal(t, want.vals, got, "%s adds up to its hashes", want.cat)
	}

	zr, err := gzip.NewReader(bytes.NewReader(f.Gzip))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, f.Body, plain)

	reporting := HostsFile(k, []HostSet{{Category: "analytics", N: len(analytics), Data: riceCode(analytics, k)},
		{Category: "marketing", N: len(marketing), Data: riceCode(marketing, k)}}, true)
	assert.NotEqual(t, f.Name, reporting.Name)
	assert.Contains(t, string(reporting.Body), reporterName, "the host set loads the reporter by its hashed name")
	_, _, ok := Asset(reporterName)
	assert.True(t, ok, "the reporter is served")
	other := HostsFile(k, []HostSet{{Category: "analytics", N: len(analytics), Data: riceCode(analytics, k)}}, false)
	assert.NotEqual(t, f.Name, other.Name, "the name follows the content")
	assert.Equal(t, File{}, HostsFile(k, nil, true), "no host, no file")
	assert.Equal(t, File{}, HostsFile(k, []HostSet{{Category: "analytics"}}, true))
}

// TestRiceDeltas holds the decoder to the test coder over random-looking
// sets and every parameter trackers.GuardSet may choose.
func TestRiceDeltas(t *testing.T) {
	t.Parallel()
	for k := uint8(8); k <= 24; k++ {
		var vals []uint32
		x := uint32(2166136261)
		for range 500 {
			x = x*16777619 ^ 0x9e3779b9
			vals = append(vals, x)
		}
		slices.Sort(vals)
		vals = slices.Compact(vals)
		var sum uint32
		var got []uint32
		for _, d := range riceDeltas(riceCode(vals, k), len(vals), k) {
			sum += d
			got = append(got, sum)
		}
		assert.Equal(t, vals, got, "k=%d", k)
	}
	assert.Equal(t, []uint32{0, 0}, riceDeltas(nil, 2, 8), "short data reads as zeros, never out of range")
}
