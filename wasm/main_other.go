//go:build !wasip1

package main

import (
	"fmt"
	"os"
)

// main says how to build the module, so that `go build ./...` and
// `go run ./wasm` on a development machine explain themselves.
func main() {
	fmt.Fprintln(os.Stderr, "wasm: the consent module is built for GOOS=wasip1 GOARCH=wasm: run make wasm")
	os.Exit(2)
}
