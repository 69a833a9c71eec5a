package auditlog

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	crashEnvBackend = "AUDITLOG_CRASH_BACKEND"
	crashEnvLoc     = "AUDITLOG_CRASH_LOC"
)

// TestCrashChild is the child side of TestCrashDurability: run by the test
// binary re-executed with the crash environment, it records decisions from
// several goroutines and prints "ACK <consent id>" after each Record that
// returned nil, until it is killed. Without the environment it skips.
func TestCrashChild(t *testing.T) {
	name, loc := os.Getenv(crashEnvBackend), os.Getenv(crashEnvLoc)
	if name == "" {
		t.Skip("only runs as the child of TestCrashDurability")
	}
	be := sqliteBackend
	if name == postgresBackend.name {
		be = postgresBackend
	}
	l, err := be.open(context.Background(), loc, Options{Key: testKey, CheckpointEvery: 50})
	require.NoError(t, err)
	var mu sync.Mutex
	var n atomic.Int64
	deadline := time.Now().Add(60 * time.Second) // the parent kills us long before
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for time.Now().Before(deadline) && n.Load() < 200_000 {
				i := n.Add(1)
				rec := testRecord(int(i))
				rec.ConsentID = fmt.Sprintf("%032x", i)
				if err := l.Record(context.Background(), rec); err != nil {
					continue
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ACK %s\n", rec.ConsentID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// TestCrashDurability kills a process that is recording under load with
// SIGKILL and checks that every record it acknowledged survived and that
// the chain still verifies.
func TestCrashDurability(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnvBackend+"="+be.name, crashEnvLoc+"="+loc)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())

		acked := make(map[string]bool)
		lines := bufio.NewScanner(stdout)
		killed := false
		timer := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
		for lines.Scan() {
			id, ok := strings.CutPrefix(lines.Text(), "ACK ")
			if !ok {
				continue
			}
			acked[id] = true
			if len(acked) == 400 && !killed {
				// Kill in the middle of the load; the lines already in
				// the pipe are acknowledgements too and are still read.
				require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
				killed = true
			}
		}
		_ = cmd.Wait()
		require.True(t, killed, "the child acknowledged only %d records", len(acked))

		l := openLog(t, be, loc, Options{})
		present := make(map[string]bool)
		for e, err := range l.Query(context.Background(), Filter{}) {
			require.NoError(t, err)
			present[e.ConsentID] = true
		}
		missing := 0
		for id := range acked {
			if !present[id] {
				missing++
			}
		}
		assert.Zero(t, missing, "acknowledged records lost of %d", len(acked))
		rep, err := l.Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.GreaterOrEqual(t, rep.Records, int64(len(acked)))
		fill(t, l, 0, 3) // the log takes appends after the crash
	})
}

// TestInstancesShareOneChain runs separate Logs (separate pools, as
// separate app instances would have) against one database at once.
func TestInstancesShareOneChain(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		loc := be.fresh(t)
		const instances, each = 8, 60
		logs := make([]*Log, instances)
		var wg sync.WaitGroup
		for i := range logs {
			wg.Go(func() {
				// Opening concurrently exercises the migration lock.
				l, err := be.open(context.Background(), loc, Options{Key: testKey, CheckpointEvery: 25})
				if assert.NoError(t, err) {
					logs[i] = l
				}
			})
		}
		wg.Wait()
		for _, l := range logs {
			require.NotNil(t, l)
			t.Cleanup(func() { _ = l.Close() })
		}
		for i, l := range logs {
			for g := range 2 {
				wg.Go(func() {
					for j := range each / 2 {
						assert.NoError(t, l.Record(context.Background(), testRecord(i*each+g*each/2+j)))
					}
				})
			}
		}
		wg.Wait()
		rep, err := logs[0].Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK, "%v", rep.Break)
		assert.Equal(t, int64(instances*each), rep.Records)
		assert.Equal(t, int64(instances*each), rep.HeadSeq)
		assert.Equal(t, instances*each/25, rep.Checkpoints)
	})
}
