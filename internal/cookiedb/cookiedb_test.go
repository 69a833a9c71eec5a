package cookiedb

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, cookie, platform, category string
	}{
		{"exact", "_ga", "Google Analytics", analytics},
		{"wildcard", "_ga_ABC123XYZ", "Google Analytics", analytics},
		{"wildcard with empty suffix", "_ga_", "Google Analytics", analytics},
		{"exact beats wildcard", "_gat", "Google Analytics", analytics},
		{"longest prefix wins", "_gac_gb_123", "Google Ads", marketing},
		{"shorter prefix", "_gac_UA-1", "Google Analytics", marketing},
		{"marketing", "_fbp", "Facebook", marketing},
		{"functional is necessary", "XSRF-TOKEN", "", necessary},
		{"security is necessary", "__AntiXsrfToken", "Azure / Microsoft", necessary},
		{"personalization is preferences", "sidebarPinned", "Salesforce", preferences},
		{"placeholder NNN is a prefix", "pm_sess_123", "Google AdSense", necessary},
		{"placeholder * is a prefix", "SSPR_abc", "Adkernel", marketing},
		{"soft hyphen dropped from the name", "logglytrackingsession", "Loggly", necessary},
		{"trailing tab dropped from the name", "ce_need_secure_cookie", "Crazy Egg", analytics},
		// Corrections.
		{"Hotjar session user", "_hjSessionUser_1234567", "Hotjar", analytics},
		{"Hotjar session", "_hjSession_1234567", "Hotjar", analytics},
		{"Hotjar first seen", "_hjFirstSeen", "Hotjar", analytics},
		{"YouTube YSC", "YSC", "Youtube", marketing},
		{"LinkedIn li_fat_id", "li_fat_id", "LinkedIn", marketing},
		{"Matomo consent record", "mtm_consent", "Matomo", necessary},
		{"Piwik PRO consent record", "ppms_privacy_abc", "Piwik", necessary},
		{"locale", "locale", "Facebook", preferences},
		// Names listed twice: the stricter category wins.
		{"duplicate token", "token", "Adform", marketing},
		{"duplicate chk", "chk", "Mediarithmics", marketing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, ok := Lookup(tt.cookie)
			require.True(t, ok)
			assert.Equal(t, tt.platform, e.Platform)
			assert.Equal(t, tt.category, e.Category)
		})
	}
}

func TestLookupEntryFields(t *testing.T) {
	t.Parallel()
	e, ok := Lookup("_ga")
	require.True(t, ok)
	assert.Equal(t, Entry{
		Platform: "Google Analytics", Category: analytics, Retention: "2 years",
		Controller: "Google", PrivacyURL: "https://business.safety.google/privacy/",
	}, e)
}

func TestLookupMisses(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "session_of_my_own_app", "_GA", "_g", "ga"} {
		_, ok := Lookup(name)
		assert.False(t, ok, name)
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	Lookup("_ga") // build the index first
	allocs := testing.AllocsPerRun(100, func() {
		Lookup("_ga")
		Lookup("_fbp")
		Lookup("_ga_ABC123")
		Lookup("no-such-cookie-name")
	})
	assert.Zero(t, allocs)
}

// TestCorrectionsAreNeeded fails when a correction names no row of the data
// or the data already says what it says.
func TestCorrectionsAreNeeded(t *testing.T) {
	t.Parallel()
	rows := map[string][]string{} // name -> mapped categories of its rows
	eachRow(func(name, category string) { rows[name] = append(rows[name], categoryMap[category]) })
	seen := map[string]bool{}
	for _, c := range corrections {
		t.Run(c.name, func(t *testing.T) {
			assert.NotEmpty(t, c.reason)
			assert.False(t, seen[c.name], "listed twice")
			seen[c.name] = true
			assert.Contains(t, []string{necessary, preferences, analytics, marketing}, c.category)
			cats, ok := rows[c.name]
			require.True(t, ok, "no row named %q: the correction is stale", c.name)
			cats = slices.Compact(slices.Sorted(slices.Values(cats)))
			assert.NotEqual(t, []string{c.category}, cats, "the data already says %s: the correction is redundant", c.category)
		})
	}
}

func TestEveryRowIsIndexed(t *testing.T) {
	t.Parallel()
	n := 0
	eachRow(func(name, category string) {
		n++
		_, ok := categoryMap[category]
		assert.True(t, ok, "category %q of %q is not mapped", category, name)
		e, ok := Lookup(name)
		assert.True(t, ok, name)
		assert.NotEmpty(t, e.Category, name)
	})
	t.Logf("%d rows from %s", n, dataSource)
	assert.Greater(t, n, 2000)
}

func eachRow(fn func(name, category string)) {
	for _, l := range strings.Split(strings.TrimSuffix(data, "\n"), "\n") {
		if strings.HasPrefix(l, "@") {
			continue
		}
		f := strings.Split(l, "\t")
		fn(f[0], f[2])
	}
}

func BenchmarkLookup(b *testing.B) {
	Lookup("_ga")
	names := []string{"_ga", "_ga_ABC123", "_fbp", "_hjSessionUser_123", "session", "my_app_pref"}
	b.Run("cookiedb", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, n := range names {
				Lookup(n)
			}
		}
	})
	b.Run("baseline-map", func(b *testing.B) {
		m := map[string]Entry{}
		for k, l := range db().exact {
			m[k] = l.entry()
		}
		b.ReportAllocs()
		for b.Loop() {
			for _, n := range names {
				_ = m[n]
			}
		}
	})
}

func BenchmarkBuildIndex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		buildIndex()
	}
}
