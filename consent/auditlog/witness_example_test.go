package auditlog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
)

func ExampleNewFileWitness() {
	dir, err := os.MkdirTemp("", "consentlog")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	// In production the witness file lives on another disk or host than
	// the database, out of reach of whoever can write the database.
	witness, err := auditlog.NewFileWitness(filepath.Join(dir, "witness.jsonl"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer witness.Close()
	opts := auditlog.Options{Key: []byte("example key: 32 bytes or longer!"), Witness: witness}
	log, err := auditlog.Open(ctx, sqlite.File(filepath.Join(dir, "consent.db")), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = log.Record(ctx, consent.Record{
		ConsentID: "0123456789abcdef0123456789abcdef",
		Time:      time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Outcome:   consent.OutcomeAcceptAll,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = log.Close() // witnesses the last head

	log, err = auditlog.Open(ctx, sqlite.File(filepath.Join(dir, "consent.db")), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer log.Close()
	rep, err := log.Verify(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("verified:", rep.OK, "proven up to:", rep.ProvenSeq, "by:", rep.ProvenBy, "unproven:", rep.Unproven)
	// Output: verified: true proven up to: 1 by: witness unproven: 0
}
