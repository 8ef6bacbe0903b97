//go:build !wasip1

package main

import (
	"fmt"
	"os"
)

// main says how to build the floor reactor, so that `go build ./...`
// explains itself on a development machine.
func main() {
	fmt.Fprintln(os.Stderr, "wasm/floor: the floor reactor is built for GOOS=wasip1 GOARCH=wasm: run make floor")
	os.Exit(2)
}
