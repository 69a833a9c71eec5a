package consent

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecisionNamesStorageToClear(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.Cookies = []CookieSpec{
			{Name: "_ga", Category: "analytics", Path: "/", LocalStorage: []string{"ga:clientId"}, Purpose: map[string]string{"en": "Visits."}},
			{Category: "marketing", LocalStorage: []string{"fb_*"}, Purpose: map[string]string{"en": "Ads."}},
		}
	})
	resp, body := f.postJSON(t, f.c, `{"action":"save","categories":["analytics"]}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var got decisionAnswer
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, []string{"fb_*"}, got.ClearStorage)
	assert.Equal(t, "granted", got.ConsentMode["analytics_storage"])
	assert.Equal(t, "denied", got.ConsentMode["ad_storage"])
	assert.Equal(t, "granted", got.ConsentMode["security_storage"])
	resp, body = f.postJSON(t, f.c, `{"action":"reject_all"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.Unmarshal(body, &got))
	assert.ElementsMatch(t, []string{"ga:clientId", "fb_*"}, got.ClearStorage)
}
