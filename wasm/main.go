//go:build wasip1

//lint:file-ignore U1000 the host calls the exports through //go:wasmexport, which staticcheck does not follow

package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"unsafe"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
)

// ABIVersion is the version of the ABI in ABI.md.
const ABIVersion = 1

// Set at build time with -ldflags "-X main.trustedKeys=... -X main.serviceKeys=... -X main.moduleVersion=...":
// trustedKeys lists the base64 ed25519 public keys that may sign a bundle
// given to consent_load_bundle, serviceKeys those of the consent-record
// service that may sign a request's checkpoint, each separated by commas.
// moduleVersion is the build's version, which consent_info reports as
// "module" and the npm package carries: make gives X.Y.Z at a tag vX.Y.Z,
// 0.0.0-g<commit>[.dirty] otherwise (wasm/js/scripts/version.sh).
var (
	trustedKeys   string
	serviceKeys   string
	moduleVersion = "dev"
)

// Limits on what the host may make the module hold, so that no sequence
// of calls grows it without bound.
const (
	maxBuffer  = 4 << 20  // one buffer: a request or a bundle
	maxLive    = 16 << 20 // all buffers not yet freed
	maxBuffers = 64
)

// The module's state. It is the only mutable package-level state of the
// project: the ABI is a set of functions over one instance.
var (
	active  *engine.Engine
	hash    string // of the active bundle's payload
	keys    []ed25519.PublicKey
	service []ed25519.PublicKey
	out     []byte                // the last answer; valid until the next call
	buffers = map[uint32][]byte{} // live consent_alloc buffers by address
	live    int
	initErr error
	opened  bool
	cache   engine.StateCache    // the state the module returned last, read
	fault   func(request []byte) // set only by the consentfaults build (faults.go)
)

func init() {
	keys, service = parseKeys(trustedKeys), parseKeys(serviceKeys)
}

func parseKeys(list string) []ed25519.PublicKey {
	var out []ed25519.PublicKey
	for _, k := range strings.Split(list, ",") {
		if raw, err := base64.StdEncoding.DecodeString(k); err == nil && len(raw) == ed25519.PublicKeySize {
			out = append(out, ed25519.PublicKey(raw))
		}
	}
	return out
}

// ready takes the engine of the module's own bundle, which make compiles
// in as the engine's tables (engine.Embedded, built with the tag
// consent_tables from wasm/bundle.json): nothing is parsed or built, so
// the first decision costs what any decision costs.
func ready() {
	if opened {
		return
	}
	opened = true
	e, err := engine.Embedded(engine.Options{ServiceKeys: service})
	switch {
	case err != nil:
		initErr = errors.New("the embedded bundle does not open: " + err.Error())
	case e == nil:
		initErr = errors.New("the module was built without its bundle's tables: build it with make wasm (the tag " + engine.TablesTag + ")")
	default:
		active, hash = e, e.BundleHash()
	}
}

// open reads an envelope given to consent_load_bundle: only one signed by
// a trusted key.
func open(env []byte) (*engine.Engine, string, error) {
	b, err := bundle.Open(env, keys)
	if err != nil {
		return nil, "", err
	}
	payload, err := bundle.Payload(env)
	if err != nil {
		return nil, "", err
	}
	hash := bundle.Hash(payload)
	e, err := engine.NewWith(b, engine.Options{BundleHash: hash, ServiceKeys: service})
	if err != nil {
		return nil, "", err
	}
	return e, hash, nil
}

// consent_abi_version returns the ABI version, 1.
//
//go:wasmexport consent_abi_version
func consentABIVersion() int32 { return ABIVersion }

// consent_alloc returns a buffer of size bytes for the host to write a
// request or a bundle into, or 0 if size is out of range or the host holds
// too much already.
//
//go:wasmexport consent_alloc
func consentAlloc(size int32) int32 {
	if size <= 0 || size > maxBuffer || live+int(size) > maxLive || len(buffers) >= maxBuffers {
		return 0
	}
	buf := make([]byte, size)
	p := uint32(uintptr(unsafe.Pointer(&buf[0])))
	buffers[p] = buf
	live += int(size)
	return int32(p)
}

// consent_free releases a buffer from consent_alloc; other values are
// ignored.
//
//go:wasmexport consent_free
func consentFree(ptr int32) {
	if buf, ok := buffers[uint32(ptr)]; ok {
		live -= len(buf)
		delete(buffers, uint32(ptr))
	}
}

// consent_decide answers a request (the engine's JSON contract) written at
// ptr, len in a buffer from consent_alloc.
//
//go:wasmexport consent_decide
func consentDecide(ptr, n int32) (res int64) {
	defer guard(&res)
	in, err := input(ptr, n)
	if err != nil {
		return answer(engine.AppendError(out[:0], err))
	}
	if ready(); active == nil {
		return answer(engine.AppendError(out[:0], &errcode.Error{Code: errcode.NoBundle, Message: initErr.Error()}))
	}
	if fault != nil {
		fault(in)
	}
	return answer(active.DecideCached(out[:0], in, &cache))
}

// consent_load_bundle replaces the active bundle with a newer one signed
// by a trusted key. A rejected bundle leaves the active one in place.
//
//go:wasmexport consent_load_bundle
func consentLoadBundle(ptr, n int32) (res int64) {
	defer guard(&res)
	in, err := input(ptr, n)
	if err != nil {
		return answer(engine.AppendError(out[:0], err))
	}
	ready()
	e, h, openErr := open(in)
	if openErr != nil {
		// The bundle reader's and New's errors carry their code and wrap
		// nothing; a type assertion, not errors.As, which would link
		// internal/reflectlite (58 KB, make size).
		err, ok := openErr.(*errcode.Error)
		if !ok {
			err = &errcode.Error{Code: errcode.BadBundle, Message: openErr.Error()}
		}
		return answer(engine.AppendError(out[:0], err))
	}
	if active != nil {
		id, version := active.Policy()
		newID, newVersion := e.Policy()
		if newID != id {
			return answer(engine.AppendError(out[:0], &errcode.Error{Code: errcode.BadBundle, Message: "the bundle is for policy " + newID + ", not " + id}))
		}
		if !bundle.PolicyVersionLess(version, newVersion) {
			return answer(engine.AppendError(out[:0], &errcode.Error{Code: errcode.OlderVersion, Message: "version " + newVersion + " is not newer than the active " + version}))
		}
	}
	active, hash = e, h
	b := append(out[:0], `{"ok":true,"policy":`...)
	b = appendPolicy(b)
	b = append(b, `,"hash":"`...)
	b = append(b, hash...)
	return answer(append(b, `"}`...))
}

// consent_info describes the module and its active bundle.
//
//go:wasmexport consent_info
func consentInfo() (res int64) {
	defer guard(&res)
	ready()
	b := append(out[:0], `{"module":`...)
	b = strconv.AppendQuote(b, moduleVersion)
	b = append(b, `,"abi":`...)
	b = strconv.AppendInt(b, ABIVersion, 10)
	if active != nil {
		b = append(b, `,"policy":`...)
		b = appendPolicy(b)
		b = append(b, `,"hash":"`...)
		b = append(b, hash...)
		b = append(b, `","locales":[`...)
		for i, l := range active.Locales() {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, l)
		}
		b = append(b, ']')
	} else {
		b = append(b, `,"error":`...)
		b = strconv.AppendQuote(b, initErr.Error())
	}
	b = appendKeys(append(b, `,"keys":`...), keys)
	b = appendKeys(append(b, `,"service_keys":`...), service)
	return answer(append(b, '}'))
}

func appendKeys(b []byte, keys []ed25519.PublicKey) []byte {
	b = append(b, '[')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, bundle.KeyID(k))
	}
	return append(b, ']')
}

func appendPolicy(b []byte) []byte {
	id, version := active.Policy()
	b = append(b, `{"id":`...)
	b = strconv.AppendQuote(b, id)
	b = append(b, `,"version":`...)
	b = strconv.AppendQuote(b, version)
	return append(b, '}')
}

// input returns the bytes at ptr, n if they lie in a live buffer.
func input(ptr, n int32) ([]byte, *errcode.Error) {
	buf, ok := buffers[uint32(ptr)]
	if !ok || n < 0 || int(n) > len(buf) {
		return nil, &errcode.Error{Code: errcode.BadPointer, Message: "ptr, len must lie in a buffer from consent_alloc"}
	}
	return buf[:n], nil
}

// answer keeps b as the module's answer and packs its address and length.
func answer(b []byte) int64 {
	if cap(b) > 1<<20 { // one huge answer must not stay resident
		b = append([]byte(nil), b...)
	}
	out = b
	if len(b) == 0 {
		return 0
	}
	return int64(uintptr(unsafe.Pointer(&b[0])))<<32 | int64(len(b))
}

// guard turns a panic into an error answer, so that the module keeps
// answering; the engine is fuzzed never to panic, this is the last line.
func guard(res *int64) {
	if r := recover(); r != nil {
		*res = answer(engine.AppendError(nil, &errcode.Error{Code: errcode.Internal, Message: "the module failed on this input; it is still usable"}))
	}
}

func main() {}
