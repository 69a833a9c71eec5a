package rewrite_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// checkTagBoth wants the vector reading of the tag whose name ends at p[i]
// to agree with the attribute states wherever it reads it, and to read
// every tag that ends 64 bytes or more before the end of p. It returns
// whether the vector reading read the tag.
func checkTagBoth(t *testing.T, p []byte, i int) bool {
	t.Helper()
	ve, vs, vm, ok, e, s, m := rewrite.ScanTagBoth(p, i)
	if !ok {
		if e+64 < len(p) {
			t.Fatalf("vector reading declined %q, which ends at %d of %d", p[i:e+1], e, len(p))
		}
		return false
	}
	if ve != e || vs != s || vm != m {
		t.Fatalf("on %q: vector reading ends at %d in state %d with names %x; the states at %d in %d with %x",
			p[i:min(e+1, len(p))], ve, vs, vm, e, s, m)
	}
	return true
}

// TestScanTagVecCorpus holds the vector reading of tags to the attribute
// states on every start tag of the corpus, and on what follows every '<'
// and letter in its scripts and styles too.
func TestScanTagVecCorpus(t *testing.T) {
	if !rewrite.HaveTagVec() {
		t.Skip("the processor lacks AVX-512 BW and VBMI: the attribute states read every tag")
	}
	read := 0
	for _, p := range corpusPages(t) {
		for k := 0; k+1 < len(p); k++ {
			if p[k] != '<' || p[k+1]|0x20 < 'a' || p[k+1]|0x20 > 'z' {
				continue
			}
			i := k + 1
			for i < len(p) && bytes.IndexByte([]byte(" \t\n\r\f/>"), p[i]) < 0 {
				i++
			}
			if checkTagBoth(t, p, i) {
				read++
			}
		}
	}
	if read < 100000 {
		t.Errorf("the vector reading read %d start tags of the corpus", read)
	}
}

// TestScanTagVecGenerated holds the vector reading to the attribute states
// on generated tags made of the bytes that matter to the states, bytes
// that share their low six bits (which the vector reading looks them up
// by), names the mask records, and runs long enough to cross the 64-byte
// windows, placed at every distance from the end of the buffer.
func TestScanTagVecGenerated(t *testing.T) {
	if !rewrite.HaveTagVec() {
		t.Skip("the processor lacks AVX-512 BW and VBMI: the attribute states read every tag")
	}
	alphabet := []byte(" \t\n\r\f\v/>=\"'<a-B\x00\x80\xa0\xbe\xfd`~}o\x7f\x49\x4a\x4d")
	long := string(bytes.Repeat([]byte("n"), 70))
	words := []string{
		" style=", " http-equiv", "background", " data-ck-settings", " ping", "=\"", "\" ", "='", "' ",
		" class=\"x\"", "/>", " src=a>", " " + long + "=", "=\"" + long + "\"", "='" + long + "'", "=" + long, " \t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f\t\n\r\f",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	read := 0
	for range 300000 {
		var b []byte
		for n := rng.IntN(120); len(b) < n; {
			if rng.IntN(4) == 0 {
				b = append(b, words[rng.IntN(len(words))]...)
			} else {
				b = append(b, alphabet[rng.IntN(len(alphabet))])
			}
		}
		if rng.IntN(3) > 0 {
			b = append(b, '>')
		}
		p := append(b, bytes.Repeat([]byte{byte(rng.IntN(256))}, rng.IntN(200))...)
		if checkTagBoth(t, p, 0) {
			read++
		}
	}
	if read < 50000 {
		t.Errorf("the vector reading read %d of the generated tags", read)
	}
}

// FuzzScanTagVec holds the vector reading to the attribute states on
// arbitrary tags.
func FuzzScanTagVec(f *testing.F) {
	if !rewrite.HaveTagVec() {
		f.Skip("the processor lacks AVX-512 BW and VBMI")
	}
	f.Add([]byte(` class="a" href='/x' data-x=y style=color:red>`+string(make([]byte, 64))), 0)
	f.Add([]byte(` a = "b" / c d=e>`+string(make([]byte, 64))), 3)
	f.Fuzz(func(t *testing.T, p []byte, i int) {
		if i < 0 || i > len(p) {
			return
		}
		checkTagBoth(t, p, i)
	})
}
