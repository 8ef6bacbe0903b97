//go:build !consent_tables

package engine

// embeddedTables are the tables compiled into the program: none without
// the build tag TablesTag (see package gotables).
var embeddedTables *tables
