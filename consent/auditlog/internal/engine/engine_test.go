package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRebind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"none", `SELECT 1`, `SELECT 1`},
		{"one", `SELECT seq FROM t WHERE seq = ?`, `SELECT seq FROM t WHERE seq = $1`},
		{"many", `VALUES (?, ?), (?, ?)`, `VALUES ($1, $2), ($3, $4)`},
		{"ten and more", `(?,?,?,?,?,?,?,?,?,?)`, `($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Rebind(tc.in))
		})
	}
}
