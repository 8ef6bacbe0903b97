// Package main is the WebAssembly module: a GOOS=wasip1 reactor that
// carries the compiled bundle of the shipped policy (wasm/bundle.json,
// copied there by `make wasm` and never committed) and will answer the
// engine's requests through the ABI documented in ABI.md.
//
// Build it with `make wasm`; it is compiled only for GOOS=wasip1.
package main
