//go:build race

package auditlog

// raceEnabled reports whether the tests run under the race detector, which
// slows the pure-Go SQLite down about a hundredfold: writing 100,000 rows
// takes it a minute or more.
const raceEnabled = true
