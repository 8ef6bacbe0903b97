// Package pgtest finds the PostgreSQL server the records tests use and
// gives each test a schema of its own.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// DSN returns the test server's DSN from RECORDS_PG_DSN, and skips the
// test without it, saying how to get one. make test counts a skip as a
// failure (internal/testverdict), so there the PostgreSQL tests always
// run; .ci/run starts a server and sets RECORDS_PG_DSN.
func DSN(t testing.TB) string {
	dsn := os.Getenv("RECORDS_PG_DSN")
	if dsn == "" {
		t.Skip("RECORDS_PG_DSN is not set: the PostgreSQL tests need a server. Start one with\n" +
			"\teval \"$(records/testdata/postgres.sh start /tmp/records-pg)\"\n" +
			"(Debian's postgresql package; .ci/run does this), or set RECORDS_PG_DSN to a database the tests may create schemas in.")
	}
	return dsn
}

// Schema creates a schema with a random name, drops it when t ends, and
// returns dsn with that schema as its search path.
func Schema(t testing.TB, dsn string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("RECORDS_PG_DSN: %v", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	name := "records_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	return WithParam(dsn, "search_path", name)
}

// WithParam adds a connection parameter to a DSN, URL or key=value.
func WithParam(dsn, key, value string) string {
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + key + "=" + value
	}
	return dsn + " " + key + "=" + value
}
