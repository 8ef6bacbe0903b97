package engine

// TablesTag is the build tag under which a program compiles the engine's
// tables that package gotables wrote into package engine
// (tables_gen.go), for Embedded to return.
const TablesTag = "consent_tables"

// Embedded returns an engine on the tables compiled into the program
// (package gotables), with the options' service keys; its bundle hash is the
// one the tables were written with, and a different o.BundleHash is an
// error. It returns nil and no error when the program has no tables.
// Engines Embedded returns share the tables, which never change but for
// the hashes they remember.
func Embedded(o Options) (*Engine, error) {
	if embeddedTables == nil {
		return nil, nil
	}
	if o.BundleHash != "" && o.BundleHash != embeddedTables.bundleHash {
		return nil, badBundle("the embedded tables are of bundle " + embeddedTables.bundleHash + ", not " + o.BundleHash)
	}
	e := &Engine{tables: embeddedTables}
	if err := e.setServiceKeys(o.ServiceKeys); err != nil {
		return nil, err
	}
	return e, nil
}
