package banner

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConsentModeSnippet(t *testing.T) {
	t.Parallel()
	all := func(granted bool) []ModeType {
		var m []ModeType
		for _, n := range []string{"ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
			"functionality_storage", "personalization_storage", "security_storage"} {
			m = append(m, ModeType{n, granted})
		}
		return m
	}
	for _, s := range []struct {
		name    string
		mode    []ModeType
		decided bool
		wait    int
		regions []string
		want    string // the object passed to gtag; "" means no snippet
	}{
		{"no consent mode", nil, false, 500, nil, ""},
		{"undecided waits", all(false), false, 500, nil,
			`{ad_storage:"denied",ad_user_data:"denied",ad_personalization:"denied",analytics_storage:"denied",functionality_storage:"denied",personalization_storage:"denied",security_storage:"denied",wait_for_update:500}`},
		{"decided does not wait", all(true), true, 500, nil,
			`{ad_storage:"granted",ad_user_data:"granted",ad_personalization:"granted",analytics_storage:"granted",functionality_storage:"granted",personalization_storage:"granted",security_storage:"granted"}`},
		{"regions, bad ones left out", []ModeType{{"analytics_storage", false}}, false, 0, []string{"ES", "US-CA", `x"`, "", "TOOLONGREGION"},
			`{analytics_storage:"denied",region:["ES","US-CA"]}`},
		{"unknown types left out", []ModeType{{"ad_storage", true}, {"</script>", true}}, false, 0, nil,
			`{ad_storage:"granted"}`},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := &Data{ConsentMode: s.mode, Decided: s.decided, WaitForUpdate: s.wait, Regions: s.regions}
			got := string(appendMode(nil, d))
			if s.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, gtagStub+`gtag("consent","default",`+s.want+`)`, got)
		})
	}
}

// TestConsentModeRunsInNode runs the head snippet in node and reads what it
// queued for the Google tag: the proof that it is valid JavaScript and says
// what the server knows.
func TestConsentModeRunsInNode(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	d := decided()
	d.Regions = []string{"ES"}
	script := "var window=globalThis;" + string(appendMode(nil, d)) +
		";console.log(JSON.stringify(dataLayer.map(a=>Array.from(a))))"
	path := filepath.Join(t.TempDir(), "mode.js")
	require.NoError(t, os.WriteFile(path, []byte(script), 0o600))
	out, err := exec.Command(node, path).Output()
	require.NoError(t, err)
	var queued [][]any
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(out), &queued))
	require.Len(t, queued, 1)
	assert.Equal(t, []any{"consent", "default", map[string]any{
		"ad_storage": "denied", "ad_user_data": "denied", "ad_personalization": "denied",
		"analytics_storage": "granted", "functionality_storage": "denied", "personalization_storage": "denied",
		"security_storage": "granted", "region": []any{"ES"},
	}}, queued[0])
}

// TestRegionModesScript: per-region defaults come before the general one,
// each a separate statement, and malformed regions never reach the script.
func TestRegionModesScript(t *testing.T) {
	t.Parallel()
	d := unplaced()
	d.RegionModes = append(d.RegionModes, RegionMode{Regions: []string{"</script>"}, Types: d.ConsentMode})
	got := string(appendMode(nil, d))
	assert.Contains(t, got, `security_storage:"granted",region:["US-CA"]});gtag("consent","default",{ad_storage:"denied"`)
	assert.NotContains(t, got, "script")
	assert.NotContains(t, got, `bad"region`)
	assert.Equal(t, 2, strings.Count(got, `gtag("consent","default"`), "a region mode without a valid region is left out")
}

// TestRegionModesRunInNode: the per-region commands are valid JavaScript
// and queue before the general default.
func TestRegionModesRunInNode(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	script := "var window=globalThis;" + string(appendMode(nil, unplaced())) +
		";console.log(JSON.stringify(dataLayer.map(a=>Array.from(a))))"
	path := filepath.Join(t.TempDir(), "mode.js")
	require.NoError(t, os.WriteFile(path, []byte(script), 0o600))
	out, err := exec.Command(node, path).Output()
	require.NoError(t, err)
	var queued [][]any
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(out), &queued))
	require.Len(t, queued, 2)
	assert.Equal(t, []any{"US-CA"}, queued[0][2].(map[string]any)["region"])
	assert.Equal(t, "granted", queued[0][2].(map[string]any)["ad_storage"])
	assert.Nil(t, queued[1][2].(map[string]any)["region"])
}
