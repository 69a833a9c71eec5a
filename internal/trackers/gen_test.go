package trackers

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGeneratedFilesAreUpToDate runs the generator on ../shared/data into a
// temporary folder and compares its output with the committed files, so that
// nobody edits a generated file by hand or forgets to regenerate.
func TestGeneratedFilesAreUpToDate(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the generator")
	}
	data := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "adguard-companiesdb", "trackers.json")); err != nil {
		t.Skipf("no data sets at %s (see ../shared/data/README.md): %v", data, err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the generator with")
	}
	out := t.TempDir()
	cmd := exec.Command(goTool, "run", "./gen", "-data", data, "-out", out)
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", output)

	for _, f := range []string{
		filepath.Join("internal", "trackers", "adguard_gen.go"),
		filepath.Join("internal", "cookiedb", "cookies_gen.go"),
	} {
		want, err := os.ReadFile(filepath.Join(out, f))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join("..", "..", f))
		require.NoError(t, err)
		assert.True(t, string(want) == string(got), "%s differs from what the generator makes: run go generate ./internal/trackers/", f)
	}
}
