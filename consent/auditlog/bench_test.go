package auditlog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/stretchr/testify/require"
)

// BenchmarkRecord measures durable appends: each Record returns only after
// its transaction committed and was fsynced. records/s is the figure to
// watch; with 16 writers, group commit shares each fsync among the
// records queued meanwhile.
//
// The records are what a site logs (see benchTraffic): a real browser's
// User-Agent, an article's URL, and consent IDs made the way the consent
// package makes them, time first. Seven in eight are a new visitor's first
// decision; the eighth changes the decision of a returning visitor, one of
// 4096 whose IDs are a day old, so its index entry lands on an older page.
func BenchmarkRecord(b *testing.B) {
	for _, be := range backends {
		for _, writers := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/writers=%d", be.name, writers), func(b *testing.B) {
				l := openLog(b, be, be.fresh(b), Options{})
				traffic := newBenchTraffic(b)
				var next atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				runWriters(b, writers, func() {
					if err := l.Record(context.Background(), traffic.record(next.Add(1))); err != nil {
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

// benchTraffic makes BenchmarkRecord's records.
type benchTraffic struct {
	recs      []consent.Record
	returning []string // consent IDs of returning visitors
}

func newBenchTraffic(b *testing.B) *benchTraffic {
	t := &benchTraffic{recs: make([]consent.Record, 64), returning: make([]string, 4096)}
	for i := range t.recs {
		rec := testRecord(i)
		rec.Time = time.Time{} // the Log's clock: records arrive now
		rec.UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
		rec.PageURL = fmt.Sprintf("/news/2026/11/27/council-approves-new-cycle-lanes-%d?utm_source=newsletter", i)
		t.recs[i] = rec
	}
	yesterday := time.Now().Add(-24 * time.Hour)
	for i := range t.returning {
		t.returning[i] = timeOrderedID(b, yesterday.Add(time.Duration(i)*time.Second))
	}
	return t
}

// record returns the i-th record: a copy of a template with its consent ID.
func (t *benchTraffic) record(i int64) consent.Record {
	rec := t.recs[i%int64(len(t.recs))]
	if i%8 == 7 {
		rec.ConsentID = t.returning[(i*2654435761)%int64(len(t.returning))]
	} else {
		rec.ConsentID = timeOrderedID(nil, time.Now())
	}
	return rec
}

// timeOrderedID makes a consent ID the way the consent package does: 48
// bits of Unix milliseconds, then 80 random bits.
func timeOrderedID(b *testing.B, at time.Time) string {
	var id [16]byte
	binary.BigEndian.PutUint64(id[:8], uint64(at.UnixMilli())<<16)
	if _, err := rand.Read(id[6:]); err != nil && b != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(id[:])
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
		enc := appendRecord(nil, HashVersion, 7, &rec, [32]byte{})
		b.ReportAllocs()
		for range b.N {
			_ = sha256.Sum256(enc)
		}
	})
}
