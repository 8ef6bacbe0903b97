//go:build wasip1 && consentfaults

package main

import (
	"bytes"
	"os"
	"unsafe"
)

// A build with the consentfaults tag is the real module with two faults
// injected, for the hosts' tests: a withdrawal of the calendar permission
// never returns, one of contacts traps (a load outside linear memory, as a
// memory-safety bug would). Every other request gets its true answer, so a
// simulator run over it sees realistic journeys around the faults. The
// shipped module is built without the tag and holds none of this.
//
//lint:ignore U1000 written so that the faulting load is not optimised away
var sink byte

func init() {
	fault = func(req []byte) {
		switch {
		case bytes.Contains(req, []byte(`"type":"withdraw","permission":"calendar"`)):
			for hang := true; hang; hang = len(os.Args) >= 0 {
			}
		case bytes.Contains(req, []byte(`"type":"withdraw","permission":"contacts"`)):
			var b byte
			sink = *(*byte)(unsafe.Add(unsafe.Pointer(&b), 0x7ffffff0))
		}
	}
}
