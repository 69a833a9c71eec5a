//go:build !unix

package rewrite_test

import "time"

// processCPU is not measured on this system: the CPU ratio is not reported.
func processCPU() time.Duration { return 0 }
