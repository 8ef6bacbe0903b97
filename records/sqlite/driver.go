package sqlite

// The driver: github.com/ncruces/go-sqlite3, SQLite's own C compiled to
// wasm and translated to Go (no cgo). It was chosen over modernc.org/sqlite
// (SQLite's C translated to Go) by measurement, in the commit that removed
// the other: on this 2-core machine the two stored receipts for the same
// CPU within the noise of a shared machine (BenchmarkAppend, 36 to 54
// CPU-us per receipt for both) and both passed 5,000 receipts/s through
// the service (records bench); ncruces builds from a cold cache in 136 s
// against 226 s and brings 3 modules (itself, go-sqlite3-wasm, julianday)
// instead of 8.
import _ "github.com/ncruces/go-sqlite3/driver"

const driverName = "sqlite3"
