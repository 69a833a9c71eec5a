package trackers

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestWithGoogleTag pins the advanced Consent Mode exception: the Google
// tag's one URL is let through, every look-alike stays a tracker.
func TestWithGoogleTag(t *testing.T) {
	t.Parallel()
	adv := Default().WithGoogleTag()
	tests := []struct {
		name, url string
		exempt    bool
	}{
		{"gtag with id", "https://www.googletagmanager.com/gtag/js?id=G-ABC123", true},
		{"gtag ads id", "https://www.googletagmanager.com/gtag/js?id=AW-1&l=dataLayer", true},
		{"no query", "https://www.googletagmanager.com/gtag/js", true},
		{"fragment", "https://www.googletagmanager.com/gtag/js#x", true},
		{"protocol relative", "//www.googletagmanager.com/gtag/js?id=G-1", true},
		{"http upper case", "HTTP://WWW.GoogleTagManager.COM/gtag/js?id=G-1", true},
		{"surrounding spaces", "  https://www.googletagmanager.com/gtag/js?id=G-1 ", true},
		{"tag manager container", "https://www.googletagmanager.com/gtm.js?id=GTM-ABC", false},
		{"gtag asked for a container", "https://www.googletagmanager.com/gtag/js?id=GTM-ABC", false},
		{"container id lower case", "https://www.googletagmanager.com/gtag/js?id=gtm-abc", false},
		{"container id escaped", "https://www.googletagmanager.com/gtag/js?id=%47TM-ABC", false},
		{"container as second id", "https://www.googletagmanager.com/gtag/js?id=G-1&id=GTM-2", false},
		{"semicolon query", "https://www.googletagmanager.com/gtag/js?id=G-1;id=GTM-2", false},
		{"longer path", "https://www.googletagmanager.com/gtag/js2?id=G-1", false},
		{"sub path", "https://www.googletagmanager.com/gtag/js/x?id=G-1", false},
		{"dot segments", "https://www.googletagmanager.com/gtag/js/../../gtm.js?id=GTM-1", false},
		{"upper case path", "https://www.googletagmanager.com/GTAG/JS?id=G-1", false},
		{"escaped path", "https://www.googletagmanager.com/gtag/j%73?id=G-1", false},
		{"path in query", "https://www.googletagmanager.com/gtm.js?x=/gtag/js", false},
		{"bare host", "https://googletagmanager.com/gtag/js?id=G-1", false},
		{"other subdomain", "https://x.googletagmanager.com/gtag/js?id=G-1", false},
		{"look-alike host", "https://www.googletagmanager.com.evil.example/gtag/js", false},
		{"look-alike on a tracker", "https://www.googletagmanager.com.doubleclick.net/gtag/js", false},
		{"user info", "https://www.googletagmanager.com@evil.example/gtag/js", false},
		{"port", "https://www.googletagmanager.com:443/gtag/js?id=G-1", false},
		{"trailing dot", "https://www.googletagmanager.com./gtag/js?id=G-1", false},
		{"backslash", `https:\\www.googletagmanager.com\gtag\js?id=G-1`, false},
		{"tab in path", "https://www.googletagmanager.com/gtag/\tjs?id=G-1", false},
		{"analytics host", "https://www.google-analytics.com/gtag/js?id=G-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Without the switch, the Google tag is a tracker like any other;
			// with it, only the exempt URL changes.
			def, defOK := Default().LookupURL(tt.url)
			want, wantOK := def, defOK
			if tt.exempt {
				assert.Equal(t, Analytics, def, "default table")
				want, wantOK = "", false
			}
			got, ok := adv.LookupURL(tt.url)
			assert.Equal(t, want, got, "advanced table, string")
			assert.Equal(t, wantOK, ok)
			got, ok = adv.LookupURLBytes([]byte(tt.url))
			assert.Equal(t, want, got, "advanced table, bytes")
			assert.Equal(t, wantOK, ok)
			assert.Equal(t, tt.exempt, isGoogleTagURL(tt.url))
		})
	}
}

// TestWithGoogleTagKeepsHosts: the exception is one URL, never the host.
func TestWithGoogleTagKeepsHosts(t *testing.T) {
	t.Parallel()
	adv := Default().WithGoogleTag()
	c, ok := adv.Lookup("www.googletagmanager.com")
	assert.True(t, ok)
	assert.Equal(t, Analytics, c)
	c, ok = adv.LookupHostBytes([]byte("www.googletagmanager.com"))
	assert.True(t, ok)
	assert.Equal(t, Analytics, c)
	// With keeps the switch; a developer's override still wins.
	w := adv.With(map[string]string{"example.com": "marketing"})
	_, ok = w.LookupURL("https://www.googletagmanager.com/gtag/js?id=G-1")
	assert.False(t, ok, "With keeps WithGoogleTag")
	off := adv.With(map[string]string{"www.googletagmanager.com": Marketing})
	c, ok = off.LookupURL("https://www.googletagmanager.com/gtm.js?id=GTM-1")
	assert.True(t, ok)
	assert.Equal(t, Marketing, c)
	// The default table is not changed by WithGoogleTag.
	_, ok = Default().LookupURL("https://www.googletagmanager.com/gtag/js?id=G-1")
	assert.True(t, ok)
}

// TestWithGoogleTagAllocs: the rewriter's lookups of other tracker URLs do
// not pay for the exception.
func TestWithGoogleTagAllocs(t *testing.T) {
	adv := Default().WithGoogleTag()
	u := []byte("https://www.googletagmanager.com/gtm.js?id=GTM-ABC")
	adv.LookupURLBytes(u) // builds the filter
	assert.Zero(t, testing.AllocsPerRun(100, func() { adv.LookupURLBytes(u) }))
}
