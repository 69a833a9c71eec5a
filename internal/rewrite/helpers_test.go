package rewrite_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// grants is a Consent that grants the listed categories.
type grants map[string]bool

func (g grants) Allowed(c string) bool { return g[c] }

// all grants every category.
type all struct{}

func (all) Allowed(string) bool { return true }

// rewriteOnce rewrites the input delivered in the given pieces.
func rewriteOnce(t testing.TB, cfg rewrite.Config, pieces ...[]byte) string {
	t.Helper()
	var out bytes.Buffer
	r := rewrite.Get(&out, cfg)
	defer r.Put()
	for _, p := range pieces {
		n, err := r.Write(p)
		require.NoError(t, err)
		require.Equal(t, len(p), n)
	}
	require.NoError(t, r.Close())
	return out.String()
}

// rewriteAllSplits rewrites in with one Write, with every split into two
// Writes, and with one-byte Writes, requires the outputs to agree, and
// returns the output.
func rewriteAllSplits(t *testing.T, cfg rewrite.Config, in string) string {
	t.Helper()
	b := []byte(in)
	want := rewriteOnce(t, cfg, b)
	for k := 0; k <= len(b); k++ {
		got := rewriteOnce(t, cfg, b[:k], b[k:])
		if got != want {
			require.Equal(t, want, got, "split at %d: %q | %q", k, b[:k], b[k:])
		}
	}
	bytewise := make([][]byte, len(b))
	for k := range b {
		bytewise[k] = b[k : k+1]
	}
	require.Equal(t, want, rewriteOnce(t, cfg, bytewise...), "one-byte writes")
	return want
}

// runBlockCases runs a table of what the rewriter blocks, each case in its
// own parallel subtest: in, written at every split (rewriteAllSplits),
// comes out as want for a visitor under cfg (as in when want is ""), and
// unchanged for a visitor who granted everything.
func runBlockCases(t *testing.T, cfg rewrite.Config, tests []struct{ name, in, want string }) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := tt.want
			if want == "" {
				want = tt.in
			}
			assert.Equal(t, want, rewriteAllSplits(t, cfg, tt.in))
			assert.Equal(t, tt.in, rewriteAllSplits(t, rewrite.Config{Consent: all{}}, tt.in), "granted: unchanged")
		})
	}
}
