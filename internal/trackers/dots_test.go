package trackers_test

import (
	"math/rand/v2"
	"testing"

	"github.com/consentkit/consentkit/internal/bytescan"
	"github.com/consentkit/consentkit/internal/trackers"
)

// checkDotCandidates holds DotCandidates, from every start in b, to the
// dot-at-a-time reading it stands for: the dots of b[from:next] whose next
// three bytes pass MayBeginEnd, in order, and no more than DotChunk bytes.
func checkDotCandidates(t *testing.T, f *trackers.HostFilter, b []byte) {
	t.Helper()
	var out [trackers.DotChunk]int32
	for from := 0; from <= len(b); from++ {
		n, next := f.DotCandidates(b, from, &out)
		if next < from || next-from > trackers.DotChunk || next > len(b) {
			t.Fatalf("from %d of %d: next %d", from, len(b), next)
		}
		if next == from && n != 0 {
			t.Fatalf("from %d: %d dots from nothing read", from, n)
		}
		var want []int32
		for d := from; d < next; d++ {
			if b[d] == '.' && f.MayBeginEnd(b[d+1], b[d+2], b[d+3]) {
				want = append(want, int32(d))
			}
		}
		got := out[:n]
		if len(got) != len(want) {
			t.Fatalf("from %d next %d in %q: got %v, want %v", from, next, b, got, want)
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("from %d next %d in %q: got %v, want %v", from, next, b, got, want)
			}
		}
	}
}

// TestDotCandidates checks the vector reading of dots against the
// dot-at-a-time one on text dense in dots and in the bytes of top-level
// labels, of every length around the bounds (66 bytes before the end,
// 64-byte blocks, DotChunk), and that where it runs it reads all but the
// last 34 bytes.
func TestDotCandidates(t *testing.T) {
	f := trackers.Default().Filter()
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "....comnetiodeukrus-0Zx/\"'()= \x00\xff"
	const c = trackers.DotChunk
	for _, l := range []int{0, 1, 33, 34, 35, 36, 65, 66, 67, 68, 99, 130, 131, 132, 511, 512, 577, 578, 579, 600, 1100, 3000,
		c - 1, c, c + 1, c + 65, c + 66, c + 67, c + 68, 2*c + 66, 2*c + 67} {
		for range 4 {
			b := make([]byte, l)
			for k := range b {
				b[k] = alphabet[rng.IntN(len(alphabet))]
			}
			checkDotCandidates(t, f, b)
		}
	}
	b := []byte("x.com y.net z.de " + string(make([]byte, trackers.DotChunk+88)) + "www.google-analytics.com/a.js")
	var out [trackers.DotChunk]int32
	was := bytescan.SetVector(true)
	defer bytescan.SetVector(was)
	if _, next := f.DotCandidates(b, 0, &out); was && next != trackers.DotChunk {
		t.Errorf("the vector body read %d bytes of %d, want %d", next, len(b), trackers.DotChunk)
	}
	if n, _ := f.DotCandidates(b, 0, &out); was && (n < 3 || out[0] != 1 || out[1] != 7 || out[2] != 13) {
		t.Errorf("dots of com, net and de: got %v", out[:n])
	}
}

func FuzzDotCandidates(f *testing.F) {
	f.Add([]byte("var s = document.createElement('script'); s.src = 'https://www.google-analytics.com/analytics.js';"))
	f.Add([]byte("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.com.net.org.io.de"))
	hf := trackers.Default().Filter()
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 {
			return
		}
		checkDotCandidates(t, hf, b)
	})
}
