package sqlite_test

import (
	"context"
	"log"
	"os"

	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/sqlite"
)

// The log file is created on first use.
func ExampleFile() {
	ctx := context.Background()
	clog, err := auditlog.Open(ctx, sqlite.File("consent-log.sqlite"),
		auditlog.Options{Key: []byte(os.Getenv("LOG_KEY"))})
	if err != nil {
		log.Fatal(err)
	}
	defer clog.Close()
}
