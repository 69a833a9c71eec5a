package auditlog

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/consentkit/consentkit/consent/auditlog/postgres"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnginesLinkAlone checks what the engine packages are for: a program
// that keeps its log in PostgreSQL does not link SQLite, one that keeps it
// in SQLite does not link pgx, and auditlog itself links neither.
func TestEnginesLinkAlone(t *testing.T) {
	t.Parallel()
	const (
		module   = "github.com/consentkit/consentkit/consent/auditlog"
		sqliteGo = "modernc.org/sqlite"
		pgx      = "github.com/jackc/pgx/v5"
	)
	for _, tc := range []struct {
		name, pkg    string
		links, never []string
	}{
		{name: "auditlog", pkg: module, never: []string{sqliteGo, pgx}},
		{name: "sqlite", pkg: module + "/sqlite", links: []string{sqliteGo}, never: []string{pgx}},
		{name: "postgres", pkg: module + "/postgres", links: []string{pgx}, never: []string{sqliteGo}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command("go", "list", "-deps", tc.pkg).Output()
			require.NoError(t, err, "go list -deps %s", tc.pkg)
			deps := strings.Fields(string(out))
			has := func(mod string) bool {
				for _, d := range deps {
					if d == mod || strings.HasPrefix(d, mod+"/") {
						return true
					}
				}
				return false
			}
			for _, mod := range tc.links {
				assert.True(t, has(mod), "%s links %s", tc.pkg, mod)
			}
			for _, mod := range tc.never {
				assert.False(t, has(mod), "%s must not link %s", tc.pkg, mod)
			}
		})
	}
}

func TestOpenWithoutDatabase(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), nil, Options{Key: testKey})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sqlite.File(path) or postgres.DSN(dsn)", "the message says what to pass")
}

// TestOpenWithTypedNilDatabase: a nil *sqlite.Database or *postgres.Database
// is a non-nil Database, so Open's own check misses it; it must still be an
// error that says what to pass, not a panic.
func TestOpenWithTypedNilDatabase(t *testing.T) {
	t.Parallel()
	var file *sqlite.Database
	var dsn *postgres.Database
	for _, tc := range []struct {
		db   Database
		want string
	}{
		{file, "sqlite.File(path)"},
		{dsn, "postgres.DSN(dsn)"},
	} {
		_, err := Open(context.Background(), tc.db, Options{Key: testKey})
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
}
