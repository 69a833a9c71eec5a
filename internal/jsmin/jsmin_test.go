package jsmin

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMinify(t *testing.T) {
	t.Parallel()
	out, err := Minify([]byte("(() => {\n  // why\n  const long = document.title, s = '// kept';\n  if (long) console.log(long + s);\n})();\n"))
	require.NoError(t, err)
	assert.NotContains(t, string(out), "why", "comments go")
	assert.NotContains(t, string(out), "long", "locals are renamed")
	assert.Contains(t, string(out), "'// kept'"[1:8], "strings are kept")
	assert.Contains(t, string(out), "document.title")
}

func TestMinifyKeepsModernSyntax(t *testing.T) {
	t.Parallel()
	out, err := Minify([]byte("let a = self.x?.y; a ||= [1].at(-1); f(a);\n"))
	require.NoError(t, err)
	assert.Contains(t, string(out), "?.", "ES2022 is the target: optional chaining stays")
	assert.Contains(t, string(out), "||=")
}

func TestMinifyRefusesBrokenCode(t *testing.T) {
	t.Parallel()
	_, err := Minify([]byte("let = ;"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrMinify))
	assert.Contains(t, err.Error(), "1:")
}

// TestMinifiedRuns checks the output runs with node when it is installed.
func TestMinifiedRuns(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	out, err := Minify([]byte("const total = [1, 2, 3].reduce((a, b) => a + b, 0);\nif (total !== 6) throw new Error('bad');\nconsole.log('ok ' + total);\n"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "a.js")
	require.NoError(t, os.WriteFile(path, out, 0o600))
	got, err := exec.Command(node, path).CombinedOutput()
	require.NoError(t, err, "%s", got)
	assert.Equal(t, "ok 6\n", string(got))
}
