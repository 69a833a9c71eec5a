package banner

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestReporterSize: the discovery reporter is its own asset, fetched only
// after the guard blocked something, and its trigger in the host set is
// small; neither is part of the undecided budget (TestSize).
func TestReporterSize(t *testing.T) {
	t.Parallel()
	body, ctype, ok := Asset(reporterName)
	assert.True(t, ok)
	assert.Equal(t, "text/javascript; charset=utf-8", ctype)
	gz, _ := AssetGzip(reporterName)
	set := []HostSet{{Category: "analytics", N: 1, Data: []byte{0, 0, 0, 0}}}
	quiet, reporting := HostsFile(19, set, false), HostsFile(19, set, true)
	trigger := len(reporting.Gzip) - len(quiet.Gzip)
	t.Logf("reporter %s: %d B raw, %d B gz; its trigger in the host set: %d B raw, %d B gz",
		reporterName, len(body), len(gz), len(reporting.Body)-len(quiet.Body), trigger)
	assert.Less(t, len(gz), 640)
	assert.Less(t, trigger, 200)
	js, _ := AssetNames()
	jsBody, _, _ := Asset(js)
	assert.NotContains(t, string(jsBody), reporterName, "the loader does not name the reporter: the host set does")
}
