package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/internal/corpustest"
)

// readmeQuickStart returns the first Go block under the README's
// "## Quick start" heading.
func readmeQuickStart(t *testing.T) []byte {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := bytes.Cut(readme, []byte("\n## Quick start\n"))
	require.True(t, ok, "README has a Quick start section")
	_, code, ok := bytes.Cut(section, []byte("```go\n"))
	require.True(t, ok, "the Quick start has a Go block")
	code, _, ok = bytes.Cut(code, []byte("\n```\n"))
	require.True(t, ok, "the Go block ends")
	return append(code, '\n')
}

// TestReadmeQuickStartIsThisProgram pins the README's quick start to this
// directory's main.go byte for byte, so that the program the next test
// builds and runs is the one a newcomer copies.
func TestReadmeQuickStartIsThisProgram(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	assert.Equal(t, string(src), string(readmeQuickStart(t)), "copy examples/quickstart/main.go into the README's Quick start, or back")
}

// TestQuickStartServesACompliantPage builds the quick start, runs it as a
// newcomer would (keys in the environment, a fresh directory) and checks
// the first page an undecided visitor gets: a banner and no live tracker.
func TestQuickStartServesACompliantPage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "quickstart")
	gocmd, err := exec.LookPath("go")
	require.NoError(t, err, "the go command builds the quick start")
	out, err := exec.Command(gocmd, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"COOKIE_KEY="+strings.Repeat("ab", 32),
		"LOG_KEY="+strings.Repeat("cd", 32),
		"PORT="+strconv.Itoa(port))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()

	url := "http://localhost:" + strconv.Itoa(port) + "/"
	var body []byte
	for i := 0; i < 300; i++ { // up to 30 s for the program to listen
		resp, err := http.Get(url)
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NotEmpty(t, body, "the quick start did not serve; its output:\n%s", &logs)
	assert.Contains(t, string(body), `id="ck-banner"`, "an undecided visitor gets the banner")
	assert.Empty(t, corpustest.Check(body, url), "nothing live that fetches or runs a tracker")
	assert.Contains(t, string(body), `data-consent="analytics"`, "the inline analytics script is still there, held")
	assert.FileExists(t, filepath.Join(dir, "consent-log.sqlite"), "the consent log was created")
}
