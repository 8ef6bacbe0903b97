// Package main is the WebAssembly module consent.wasm: a GOOS=wasip1
// reactor that carries the compiled bundle of the shipped policy, as the
// engine's tables (engine/tables_gen.go, which `make wasm` writes from
// wasm/bundle.json with `promptc tables` and git ignores; build tag
// consent_tables), and answers the engine's requests through the ABI documented in ABI.md.
// The JavaScript host that loads it in browsers, webviews and
// mini-programs is in js/.
//
// Build it with `make wasm`; it is compiled only for GOOS=wasip1. The
// consentfaults build tag adds faults.go, which makes some requests hang
// or trap, for the tests of hosts (make wasm-test builds it as
// dist/consent-faulty.wasm); the shipped module is built without it.
// Go tests do not use dist/: package wasmtest builds each variant, with
// the bundle compiled from source and its tables, for the test binary that needs it.
package main
