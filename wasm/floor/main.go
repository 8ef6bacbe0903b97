//go:build wasip1

//lint:file-ignore U1000 the host calls the exports through //go:wasmexport, which staticcheck does not follow

// Command floor is the floor of the consent module's cold start: a Go
// wasip1 reactor with the module's exports consent_alloc, consent_decide
// and consent_info, linking the cryptography any such module must carry
// (crypto/sha256 for the bundle's and the receipts' hashes,
// crypto/ed25519 for signed bundles and checkpoints), and no engine. It is
// built exactly as the module is (`make floor`, the flags of `make wasm`)
// and measured beside it by `make bench-hosts` (cmd/benchhosts): what the
// module costs beyond it is the engine's.
//
// consent_decide answers {"actions":[],"hash":"<SHA-256 of the request>"}.
// A request that begins with a zero byte, which no JSON does, is read as a
// public key, a signature and a message and answers whether the signature
// verifies: ed25519 is reached from an export, so the linker keeps it, but
// a benchmark's JSON requests never run it, as a module's decisions
// never verify a signature unless a bundle or a checkpoint comes with them.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"unsafe"
)

// Set at build time like the module's (-X main.moduleVersion=...).
var moduleVersion = "dev"

var (
	buffers = map[uint32][]byte{} // live consent_alloc buffers by address
	out     []byte                // the last answer; valid until the next call
)

// consent_alloc returns a buffer of size bytes (1..4 MiB) for the host to
// write a request into, or 0.
//
//go:wasmexport consent_alloc
func consentAlloc(size int32) int32 {
	if size <= 0 || size > 4<<20 {
		return 0
	}
	buf := make([]byte, size)
	p := uint32(uintptr(unsafe.Pointer(&buf[0])))
	buffers[p] = buf
	return int32(p)
}

// consent_decide hashes the request at ptr, len (see the package comment).
//
//go:wasmexport consent_decide
func consentDecide(ptr, n int32) int64 {
	buf, ok := buffers[uint32(ptr)]
	if !ok || n < 0 || int(n) > len(buf) {
		return answer(append(out[:0], `{"error":{"code":"bad_pointer"}}`...))
	}
	in := buf[:n]
	if len(in) > 1+ed25519.PublicKeySize+ed25519.SignatureSize && in[0] == 0 {
		key, sig := in[1:1+ed25519.PublicKeySize], in[1+ed25519.PublicKeySize:1+ed25519.PublicKeySize+ed25519.SignatureSize]
		ok := ed25519.Verify(key, in[1+ed25519.PublicKeySize+ed25519.SignatureSize:], sig)
		return answer(append(strconv.AppendBool(append(out[:0], `{"verified":`...), ok), '}'))
	}
	sum := sha256.Sum256(in)
	b := append(out[:0], `{"actions":[],"hash":"`...)
	b = hex.AppendEncode(b, sum[:])
	return answer(append(b, `"}`...))
}

// consent_info names the build.
//
//go:wasmexport consent_info
func consentInfo() int64 {
	b := append(out[:0], `{"module":`...)
	b = strconv.AppendQuote(b, moduleVersion)
	return answer(append(b, `,"abi":1,"floor":true}`...))
}

// answer keeps b as the answer and packs its address and length.
func answer(b []byte) int64 {
	out = b
	if len(b) == 0 {
		return 0
	}
	return int64(uintptr(unsafe.Pointer(&b[0])))<<32 | int64(len(b))
}

func main() {}
