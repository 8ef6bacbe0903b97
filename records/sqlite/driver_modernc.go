//go:build modernc

package sqlite

import _ "modernc.org/sqlite"

const driverName = "sqlite"
