package auditlog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func appendRaw(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(s)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// TestWitnessTornLine checks that a write torn by a crash costs only the
// head it held: the others still prove the chain, Verify passes with a
// warning, and the next append starts a line of its own.
func TestWitnessTornLine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := newRollbackEnv(t, sqliteBackend, 20)
	data, err := os.ReadFile(env.wpath)
	require.NoError(t, err)
	lines := strings.SplitAfter(string(data), "\n")
	require.Len(t, lines, 3, "two heads and the empty rest")
	appendRaw(t, env.wpath, lines[1][:len(lines[1])/2]) // a crash halfway through a write

	heads, err := env.wit.Heads(ctx)
	require.ErrorIs(t, err, ErrWitnessDamaged)
	assert.Contains(t, err.Error(), "line 3 is incomplete")
	assert.Equal(t, []int64{10, 20}, headSeqs(heads))
	rep, err := env.l.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, rep.OK, "a torn last line is tolerated: %v", rep.Break)
	assert.Equal(t, int64(20), rep.ProvenSeq)
	require.Len(t, rep.Warnings, 1)
	assert.Contains(t, rep.Warnings[0], "incomplete")

	// Reopened after the crash, the witness starts a new line.
	env.reopen()
	fill(t, env.l, 20, 10)
	heads, err = env.wit.Heads(ctx)
	require.ErrorIs(t, err, ErrWitnessDamaged)
	assert.Contains(t, err.Error(), "line 3 cannot be read")
	assert.Equal(t, []int64{10, 20, 30}, headSeqs(heads), "the head after the fragment is intact")
	rep, err = env.l.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, rep.OK, "%v", rep.Break)
	assert.Equal(t, int64(30), rep.ProvenSeq)
}

// TestWitnessForgedLine checks that a head added or altered by someone
// without the key is a break, not a proof.
func TestWitnessForgedLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		forge func(h *SignedHead)
		seq   int64
	}{
		{"claim a later position", func(h *SignedHead) { h.Seq = 40 }, 40},
		{"change the hash", func(h *SignedHead) { h.Hash = strings.Repeat("d", 64) }, 20},
		{"change the time", func(h *SignedHead) { h.Time = h.Time.Add(time.Hour) }, 20},
		{"sign with another key", func(h *SignedHead) {
			other := signer{key: bytes.Repeat([]byte("x"), MinKeyLen)}
			h.MAC = other.mac(witnessMessage(h))
		}, 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			env := newRollbackEnv(t, sqliteBackend, 20)
			heads, err := env.wit.Heads(ctx)
			require.NoError(t, err)
			h := heads[len(heads)-1]
			tc.forge(&h)
			line, err := json.Marshal(witnessLine{V: 1, SignedHead: h})
			require.NoError(t, err)
			appendRaw(t, env.wpath, string(line)+"\n")

			rep, err := env.l.Verify(ctx)
			require.NoError(t, err)
			require.False(t, rep.OK)
			assert.Equal(t, BreakSignature, rep.Break.Kind, "%v", rep.Break)
			assert.Equal(t, tc.seq, rep.Break.Seq, "%v", rep.Break)
			assert.Contains(t, rep.Break.Detail, "witness entry 3")
			assert.Equal(t, 2, rep.WitnessHeads, "the forged head proves nothing")

			// Nor does it make a restarted Log refuse its database.
			env.reopen()
			require.NoError(t, env.l.Record(ctx, testRecord(20)))
		})
	}
}

// TestWitnessAheadOfDatabase checks a database restored from an older
// backup (or rolled back while the application was down): the witness
// still holds the newer head.
func TestWitnessAheadOfDatabase(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, be backend) {
		t.Parallel()
		ctx := context.Background()
		env := newRollbackEnv(t, be, 20)
		require.NoError(t, env.l.Close())
		env.cut(15)
		env.raw(`DELETE FROM checkpoints WHERE seq > 15`)
		env.open()
		rep, err := env.l.Verify(ctx)
		require.NoError(t, err)
		require.False(t, rep.OK)
		assert.Equal(t, BreakRolledBack, rep.Break.Kind)
		assert.Equal(t, int64(16), rep.Break.Seq)
		assert.Contains(t, rep.Break.Detail, "5 acknowledged records were removed")
		assert.Equal(t, int64(10), rep.ProvenSeq)

		rep, err = env.l.VerifyWith(ctx, nil)
		require.NoError(t, err)
		assert.True(t, rep.OK, "without the witness the database is consistent: %v", rep.Break)

		// The log refuses appends until the database is put back.
		require.ErrorIs(t, env.l.Record(ctx, testRecord(20)), ErrRolledBack)
	})
}

// TestFileWitnessConcurrentAppends checks that appends from many
// goroutines of one process never interleave within a line.
func TestFileWitnessConcurrentAppends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.jsonl")
	w, err := NewFileWitness(path)
	require.NoError(t, err)
	defer w.Close()
	s := signer{key: testKey}
	const goroutines, each = 8, 25
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				h := SignedHead{Seq: int64(g*each + i + 1), Hash: strings.Repeat(fmt.Sprintf("%x", g), 64),
					Time: testStart}
				h.MAC = s.mac(witnessMessage(&h))
				assert.NoError(t, w.Append(ctx, h))
			}
		})
	}
	wg.Wait()
	heads, err := w.Heads(ctx)
	require.NoError(t, err)
	require.Len(t, heads, goroutines*each)
	seen := make(map[int64]bool)
	for _, h := range heads {
		assert.True(t, s.valid(witnessMessage(&h), h.MAC), "head %d", h.Seq)
		seen[h.Seq] = true
	}
	assert.Len(t, seen, goroutines*each)

	require.NoError(t, w.Close())
	assert.Error(t, w.Append(ctx, heads[0]), "closed")
}

// TestFileWitnessDamage checks lines that are not heads: too long, not
// JSON, another version, unknown fields. Each is skipped and reported; the
// heads around them are kept.
func TestFileWitnessDamage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.jsonl")
	w, err := NewFileWitness(path)
	require.NoError(t, err)
	defer w.Close()
	h := SignedHead{Seq: 1, Hash: GenesisHash, Time: testStart, MAC: "00"}
	require.NoError(t, w.Append(ctx, h))
	appendRaw(t, path, strings.Repeat("x", 3*maxWitnessLine)+"\n")
	appendRaw(t, path, "not json\n")
	appendRaw(t, path, `{"v":2,"seq":3,"hash":"","time":"2026-01-01T00:00:00Z","mac":""}`+"\n")
	appendRaw(t, path, `{"v":1,"seq":3,"hash":"","time":"2026-01-01T00:00:00Z","mac":"","extra":1}`+"\n")
	appendRaw(t, path, "\n")
	h.Seq = 2
	require.NoError(t, w.Append(ctx, h))
	heads, err := w.Heads(ctx)
	require.ErrorIs(t, err, ErrWitnessDamaged)
	for n := 2; n <= 6; n++ {
		assert.Contains(t, err.Error(), fmt.Sprintf("line %d cannot be read", n))
	}
	assert.Equal(t, []int64{1, 2}, headSeqs(heads))
}

// FuzzWitnessLines feeds arbitrary witness files to the parser: it never
// fails with anything but ErrWitnessDamaged, never returns more heads than
// the file has lines, and a line appended the way FileWitness.Append
// frames it after any content is read back.
func FuzzWitnessLines(f *testing.F) {
	f.Add([]byte(`{"v":1,"seq":1,"hash":"00","time":"2026-01-01T00:00:00Z","mac":"00"}` + "\n"))
	f.Add([]byte("{\"v\":1,\"seq\":1"))
	f.Add([]byte("\n\n\x00"))
	h := SignedHead{Seq: 7, Hash: GenesisHash, Time: testStart, MAC: "ab"}
	line, err := json.Marshal(witnessLine{V: 1, SignedHead: h})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		heads, err := readHeads(ctx, bytes.NewReader(data), "fuzz")
		if err != nil {
			require.ErrorIs(t, err, ErrWitnessDamaged)
		}
		require.LessOrEqual(t, len(heads), bytes.Count(data, []byte("\n"))+1)
		torn := len(data) > 0 && data[len(data)-1] != '\n'
		after, err := readHeads(ctx, bytes.NewReader(append(data, frameLine(line, torn)...)), "fuzz")
		if err != nil {
			require.ErrorIs(t, err, ErrWitnessDamaged)
		}
		// A torn last line that lost only its newline is read once the
		// next line ends it: it is a head like any other.
		require.GreaterOrEqual(t, len(after), len(heads)+1)
		got := after[len(after)-1]
		assert.Equal(t, h.Seq, got.Seq)
		assert.True(t, h.Time.Equal(got.Time))
	})
}

// BenchmarkFileWitnessAppend measures what a checkpoint adds to the batch
// that crosses it: one signed line, written and fsynced. The baseline is
// the bare write and fsync of a line of the same size.
func BenchmarkFileWitnessAppend(b *testing.B) {
	ctx := context.Background()
	s := signer{key: testKey}
	h := SignedHead{Seq: 1000, Hash: GenesisHash, Time: testStart}
	h.MAC = s.mac(witnessMessage(&h))
	b.Run("baseline=write+fsync", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "w"))
		require.NoError(b, err)
		defer f.Close()
		line, _ := json.Marshal(witnessLine{V: 1, SignedHead: h})
		line = append(line, '\n')
		b.ReportAllocs()
		for b.Loop() {
			_, _ = f.Write(line)
			_ = f.Sync()
		}
	})
	b.Run("FileWitness", func(b *testing.B) {
		w, err := NewFileWitness(filepath.Join(b.TempDir(), "w"))
		require.NoError(b, err)
		defer w.Close()
		b.ReportAllocs()
		for b.Loop() {
			if err := w.Append(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
	})
}
