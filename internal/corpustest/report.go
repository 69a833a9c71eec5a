package corpustest

import (
	"encoding/json"
	"os"
	"sync"
)

// ReportEnv names a file that the corpus tests append their findings to,
// one JSON object a line, when it is set: for diagnosing what leaks across
// the corpus without scraping test logs.
const ReportEnv = "CONSENT_CORPUS_REPORT"

var reportMu sync.Mutex

// Report appends v as one JSON line to the file named by CONSENT_CORPUS_REPORT,
// and does nothing when it is not set.
func Report(v any) error {
	name := os.Getenv(ReportEnv)
	if name == "" {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
