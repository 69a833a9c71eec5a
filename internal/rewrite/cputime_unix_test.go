//go:build unix

package rewrite_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used so far, user and system,
// on all its threads: the baseline's garbage collector runs on a second
// core while it works, and that time counts against it as it would against
// a loaded server's other requests.
func processCPU() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
