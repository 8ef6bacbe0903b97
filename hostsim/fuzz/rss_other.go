//go:build !unix

package fuzz

import "os"

// peakRSS is not measured on this system.
func peakRSS(*os.ProcessState) int64 { return 0 }
