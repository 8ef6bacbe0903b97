//go:build unix

package fuzz

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSS is an ended process's peak resident memory in bytes.
func peakRSS(st *os.ProcessState) int64 {
	if st == nil {
		return 0
	}
	ru, ok := st.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return ru.Maxrss // bytes there, KiB elsewhere
	}
	return ru.Maxrss << 10
}
