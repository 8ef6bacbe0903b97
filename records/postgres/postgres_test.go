package postgres

import (
	"context"
	"testing"

	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/postgres/pgtest"
	"github.com/jitconsent/jitconsent/records/storetest"
)

// TestStore runs the store suite on the PostgreSQL server RECORDS_PG_DSN
// names, each test in a schema of its own that it drops after.
func TestStore(t *testing.T) {
	dsn := pgtest.DSN(t)
	storetest.Run(t, func(t *testing.T) func(t *testing.T) records.Store {
		schemaDSN := pgtest.Schema(t, dsn)
		return func(t *testing.T) records.Store {
			s, err := Open(context.Background(), schemaDSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}
