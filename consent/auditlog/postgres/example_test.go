package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/consentkit/consentkit/consent/auditlog"
	"github.com/consentkit/consentkit/consent/auditlog/postgres"
)

// Every app instance opens the same database and extends one chain.
func ExampleDSN() {
	ctx := context.Background()
	clog, err := auditlog.Open(ctx, postgres.DSN(os.Getenv("DATABASE_URL")),
		auditlog.Options{Key: []byte(os.Getenv("LOG_KEY"))})
	if err != nil {
		log.Fatal(err)
	}
	defer clog.Close()
}
