package trackers

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// riceDecode is the reference decoder of the GuardSet format, written from
// its documentation as the loader's JavaScript decoder is.
func riceDecode(data []byte, k uint8, n int) ([]uint32, error) {
	pos := 0 // bit position
	bit := func() (uint32, error) {
		if pos >= len(data)*8 {
			return 0, errors.New("out of data")
		}
		b := data[pos/8] >> (7 - pos%8) & 1
		pos++
		return uint32(b), nil
	}
	out := make([]uint32, 0, n)
	var v uint32
	for range n {
		var q uint32
		for {
			b, err := bit()
			if err != nil {
				return nil, err
			}
			if b == 0 {
				break
			}
			q++
		}
		var r uint32
		for range k {
			b, err := bit()
			if err != nil {
				return nil, err
			}
			r = r<<1 | b
		}
		d := q<<k | r
		v += d
		out = append(out, v)
	}
	if rest := len(data)*8 - pos; rest >= 8 {
		return nil, errors.New("more than padding left after N values")
	}
	return out, nil
}

// guardLookup is the browser's match: the host, then each parent domain, in
// every set in order.
func guardLookup(sets map[string]map[uint32]bool, order []string, host string) (string, bool) {
	for h := host; ; {
		hash := GuardHash(h)
		for _, c := range order {
			if sets[c][hash] {
				return c, true
			}
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			return "", false
		}
		h = h[i+1:]
	}
}

func decodeGuardSet(t testing.TB, gs GuardSet) (map[string]map[uint32]bool, []string) {
	sets := map[string]map[uint32]bool{}
	var order []string
	for _, s := range gs.Sets {
		vals, err := riceDecode(s.Data, gs.K, s.N)
		require.NoError(t, err, s.Category)
		m := make(map[uint32]bool, len(vals))
		for _, v := range vals {
			m[v] = true
		}
		sets[s.Category] = m
		order = append(order, s.Category)
	}
	return sets, order
}

func TestGuardHash(t *testing.T) {
	t.Parallel()
	// FNV-1a test vectors.
	assert.Equal(t, uint32(0x811c9dc5), GuardHash(""))
	assert.Equal(t, uint32(0xe40c292c), GuardHash("a"))
	assert.Equal(t, uint32(0xbf9cf968), GuardHash("foobar"))
}

// TestRiceVector pins the bit layout with a hand-checked vector, for the
// JavaScript decoder's tests: values 5, 300, 70000 with K = 8 are the deltas
// 5, 295, 69700:
//
//	5     = q 0,   r 5   -> 0 00000101
//	295   = q 1,   r 39  -> 10 00100111
//	69700 = q 272, r 68  -> 272 ones, 0, 01000100
func TestRiceVector(t *testing.T) {
	t.Parallel()
	got := riceEncode([]uint32{5, 300, 70000}, 8)
	bits := "000000101" + "1000100111" + strings.Repeat("1", 272) + "0" + "01000100"
	for len(bits)%8 != 0 {
		bits += "0"
	}
	var want []byte
	for i := 0; i < len(bits); i += 8 {
		b, err := strconv.ParseUint(bits[i:i+8], 2, 8)
		require.NoError(t, err)
		want = append(want, byte(b))
	}
	assert.Equal(t, want, got)
	assert.Equal(t, []byte{0x02, 0xc4, 0xff}, got[:3])
	vals, err := riceDecode(got, 8, 3)
	require.NoError(t, err)
	assert.Equal(t, []uint32{5, 300, 70000}, vals)
}

func TestGuardK(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]uint8{0: 24, 1: 24, 256: 24, 512: 23, 4096: 20, 4097: 19, 1 << 20: 12, 1 << 30: 8} {
		assert.Equal(t, want, guardK(n), "n=%d", n)
	}
}

func TestGuardSetRoundTrip(t *testing.T) {
	t.Parallel()
	tab := Default().With(map[string]string{"cdn.example.net": "preferences", "xn--bcher-kva.example": Analytics})
	gs := tab.GuardSet()
	assert.Equal(t, guardK(len(tab.hosts)), gs.K)
	require.Len(t, gs.Sets, 3)
	assert.Equal(t, []string{Analytics, Marketing, "preferences"}, []string{gs.Sets[0].Category, gs.Sets[1].Category, gs.Sets[2].Category})

	total := 0
	for _, s := range gs.Sets {
		var want []uint32
		for h, c := range tab.hosts {
			if c == s.Category {
				want = append(want, GuardHash(h))
			}
		}
		got, err := riceDecode(s.Data, gs.K, s.N)
		require.NoError(t, err)
		want = dedupe(want)
		slices.Sort(want)
		assert.Equal(t, want, got, s.Category)
		total += s.N
	}
	assert.LessOrEqual(t, total, len(tab.hosts))

	sets, order := decodeGuardSet(t, gs)
	for h, c := range tab.hosts {
		for _, host := range []string{h, "sub." + h} {
			got, ok := guardLookup(sets, order, host)
			if !assert.True(t, ok, host) || !assert.Equal(t, c, got, host) {
				return
			}
		}
	}
}

func dedupe(v []uint32) []uint32 {
	seen := map[uint32]bool{}
	var out []uint32
	for _, x := range v {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// TestGuardSetFalsePositives measures how often a host outside the table is
// taken for a tracker: about (hosts in the table)/2^32 per hash, times the
// number of labels hashed.
func TestGuardSetFalsePositives(t *testing.T) {
	t.Parallel()
	tab := Default()
	sets, order := decodeGuardSet(t, tab.GuardSet())
	rng := rand.New(rand.NewPCG(1, 2))
	const hosts = 200_000
	fp, hashes := 0, 0
	tlds := []string{"com", "net", "org", "de", "co.uk", "io"}
	for range hosts {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			for range 3 + rng.IntN(10) {
				b.WriteByte(byte('a' + rng.IntN(26)))
			}
			b.WriteByte('.')
		}
		b.WriteString(tlds[rng.IntN(len(tlds))])
		h := b.String()
		if _, ok := tab.Lookup(h); ok {
			continue // a real match (a random host under a listed TLD entry)
		}
		hashes += strings.Count(h, ".") + 1
		if _, ok := guardLookup(sets, order, h); ok {
			fp++
		}
	}
	perHash := float64(len(tab.hosts)) / (1 << 32)
	t.Logf("%d false positives in %d random hosts (%d hashes); expected %.2f", fp, hosts, hashes, perHash*float64(hashes))
	assert.LessOrEqual(t, fp, 10, "far above the expected rate")

	// Too few hashes above to see the rate itself: probe the sets with
	// random 32-bit values.
	const probes = 4_000_000
	hits := 0
	for range probes {
		v := rng.Uint32()
		for _, c := range order {
			if sets[c][v] {
				hits++
				break
			}
		}
	}
	t.Logf("per hash: %d of %d random hashes hit (%.2e; expected %.2e)", hits, probes, float64(hits)/probes, perHash)
	assert.Less(t, float64(hits)/probes, 3*perHash)
}

// TestGuardSetSize reports what the guard costs on the wire.
func TestGuardSetSize(t *testing.T) {
	t.Parallel()
	gs := Default().GuardSet()
	raw, b64, gz := 0, 0, 0
	for _, s := range gs.Sets {
		enc := base64.StdEncoding.EncodeToString(s.Data)
		z := gzipLen(t, enc)
		t.Logf("%-10s N=%5d raw %6d B, base64 %6d B, gzipped base64 %6d B (%.1f bits/host)", s.Category, s.N, len(s.Data), len(enc), z, float64(len(s.Data)*8)/float64(s.N))
		raw += len(s.Data)
		b64 += len(enc)
		gz += z
	}
	t.Logf("K=%d, all: raw %d B, base64 %d B, gzipped base64 %d B", gs.K, raw, b64, gz)
	assert.Less(t, raw, 16<<10)
}

func gzipLen(t testing.TB, s string) int {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Len()
}
