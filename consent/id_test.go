package consent

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewIDSortsByTimeAndStaysRandom(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 27, 13, 0, 0, 123_000_000, time.UTC)
	a, err := newID(at)
	require.NoError(t, err)
	b, err := newID(at)
	require.NoError(t, err)
	c, err := newID(at.Add(time.Millisecond))
	require.NoError(t, err)

	// The first 12 hex digits are the time in Unix milliseconds.
	assert.Equal(t, "01a21d175cfb", hex.EncodeToString(a[:6]), "ms %x", at.UnixMilli())
	assert.Equal(t, a[:6], b[:6])
	// The other 80 bits are random: two IDs of the same millisecond differ.
	assert.NotEqual(t, a[6:], b[6:])
	// A later millisecond sorts after every ID of an earlier one.
	assert.Negative(t, bytes.Compare(a[:], c[:]))
	assert.Negative(t, bytes.Compare(b[:], c[:]))

	// A clock before 1970 does not wrap around to the far future.
	z, err := newID(time.Unix(-5, 0))
	require.NoError(t, err)
	assert.Equal(t, make([]byte, 6), z[:6])
}

func TestDecisionIDCarriesTheFirstDecisionTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp, body := f.postJSON(t, f.c, `{"action":"accept_all"}`)
	require.Equal(t, 200, resp.StatusCode, string(body))
	recs := f.store.all()
	require.Len(t, recs, 1)
	id := recs[0].ConsentID
	require.Len(t, id, 32)
	ms, err := hex.DecodeString(id[:12])
	require.NoError(t, err)
	var v int64
	for _, x := range ms {
		v = v<<8 | int64(x)
	}
	assert.WithinDuration(t, recs[0].Time, time.UnixMilli(v), time.Second)
}
