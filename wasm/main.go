//go:build wasip1

package main

import (
	_ "embed"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

//go:embed bundle.json
var defaultBundle []byte

// active is the bundle the module decides with; nil if the embedded one
// failed to open, which `make wasm` rules out by compiling it first.
var active *bundle.Bundle

func init() {
	active, _ = bundle.OpenUnsigned(defaultBundle)
}

// consent_abi_version returns the version of the module's ABI.
//
//go:wasmexport consent_abi_version
func consentABIVersion() int32 { return 1 }

func main() {}
