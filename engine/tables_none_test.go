//go:build !consent_tables

package engine_test

import (
	"testing"

	"github.com/jitconsent/jitconsent/engine"
)

// TestEmbeddedWithoutTables: a program built without the tables has no
// embedded engine, and says so with nil rather than an empty engine.
func TestEmbeddedWithoutTables(t *testing.T) {
	if e, err := engine.Embedded(engine.Options{}); e != nil || err != nil {
		t.Fatalf("got %v, %v; want nil, nil", e, err)
	}
}
