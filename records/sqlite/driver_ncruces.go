//go:build !modernc

package sqlite

import _ "github.com/ncruces/go-sqlite3/driver"

const driverName = "sqlite3"
