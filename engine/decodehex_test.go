package engine

import (
	"encoding/hex"
	"testing"
)

// TestDecodeHex: decodeHex, which replaced hex.Decode so that the module
// does not link fmt and reflect through hex.InvalidByteError (make size),
// accepts and decodes what hex.Decode does and refuses what it refuses.
func TestDecodeHex(t *testing.T) {
	for _, s := range []string{"", "00", "ff", "FF", "aB09", "0123456789abcdefABCDEF00", "0", "abc", "0g", "g0", " 0", "0x", "zz", "é0", "\x000"} {
		want := make([]byte, len(s)/2)
		_, err := hex.Decode(want, []byte(s))
		got := make([]byte, len(s)/2)
		ok := decodeHex(got, []byte(s))
		if ok != (err == nil) || (ok && string(got) != string(want)) {
			t.Errorf("decodeHex(%q) = %x, %v; hex.Decode: %x, %v", s, got, ok, want, err)
		}
	}
}

func FuzzDecodeHex(f *testing.F) {
	f.Add([]byte("00ff"))
	f.Fuzz(func(t *testing.T, s []byte) {
		want := make([]byte, len(s)/2)
		_, err := hex.Decode(want, s)
		got := make([]byte, len(s)/2)
		if ok := decodeHex(got, s); ok != (err == nil) || (ok && string(got) != string(want)) {
			t.Errorf("decodeHex(%q) = %x, %v; hex.Decode: %x, %v", s, got, ok, want, err)
		}
	})
}
