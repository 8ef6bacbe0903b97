package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/jitconsent/jitconsent/records"
	"github.com/jitconsent/jitconsent/records/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func(t *testing.T) records.Store {
		path := filepath.Join(t.TempDir(), "records.db")
		return func(t *testing.T) records.Store {
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}
