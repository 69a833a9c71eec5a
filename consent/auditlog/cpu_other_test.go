//go:build !unix

package auditlog

import "time"

// cpuTime is unknown here: reportCPU then reports nothing.
func cpuTime() time.Duration { return -1 }
