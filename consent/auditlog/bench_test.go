package auditlog

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkRecord measures durable appends: each Record returns only after
// its transaction committed and was fsynced. records/s is the figure to
// watch; with 16 writers, group commit shares each fsync among the
// records queued meanwhile.
func BenchmarkRecord(b *testing.B) {
	for _, be := range backends {
		for _, writers := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/writers=%d", be.name, writers), func(b *testing.B) {
				l := openLog(b, be, be.fresh(b), Options{})
				recs := make([]recordArg, 64)
				for i := range recs {
					recs[i] = recordArg(testRecord(i))
				}
				var next atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				runWriters(b, writers, func() {
					i := next.Add(1)
					if err := l.Record(context.Background(), recs[i%int64(len(recs))]); err != nil {
						b.Error(err)
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
				st := l.Stats()
				b.ReportMetric(float64(st.Records)/float64(max(st.Batches, 1)), "records/batch")
			})
		}
	}
}

// BenchmarkRecordBaseline is the floor under BenchmarkRecord: one fsync of
// a small write to a file in the same place, what any durable commit costs
// at least on this disk, so that records/s can be read against it.
func BenchmarkRecordBaseline(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "fsync"))
	require.NoError(b, err)
	defer f.Close()
	buf := make([]byte, 512)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := f.WriteAt(buf, 0); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "fsyncs/s")
}

// BenchmarkHashRecord is the CPU cost of chaining one record, against
// hashing its bytes with SHA-256 alone as the baseline.
func BenchmarkHashRecord(b *testing.B) {
	rec := testRecord(1)
	b.Run("chain", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := HashRecord(7, &rec, GenesisHash); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline/sha256", func(b *testing.B) {
		enc := appendRecord(nil, 7, &rec, [32]byte{})
		b.ReportAllocs()
		for range b.N {
			_ = sha256.Sum256(enc)
		}
	})
}
