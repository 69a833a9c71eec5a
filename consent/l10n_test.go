package consent

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/consentkit/consentkit/internal/locales"
)

// TestTextsResolveByOneRule pins the language fallback: for every catalog
// language and its regional variants, a category's title and description,
// a cookie's purpose and a Config.Messages override, given by the developer
// under the same tag, resolve to the same tag's text. Before one resolver, a visitor whose language was
// "pt" got Purpose{"pt-BR": …} but Titles{"en": …}.
func TestTextsResolveByOneRule(t *testing.T) {
	t.Parallel()
	for _, loc := range locales.Locales() {
		tag := loc.Tag.String()
		base, _ := loc.Tag.Base()
		region, _ := loc.Tag.Region()
		// The developer's key: the catalog's own tag, its bare language,
		// or the language in its likely region ("pt" → "pt-BR").
		keys := []string{tag, base.String(), base.String() + "-" + region.String()}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		fallback := "en"
		if base.String() == "en" {
			fallback = "de"
		}
		for _, key := range keys {
			texts := func(kind string) map[string]string {
				return map[string]string{key: kind + " " + key, fallback: kind + " " + fallback}
			}
			m := cookieManager(t, func(c *Config) {
				c.Categories = append(DefaultCategories(), Category{ID: "video", Titles: texts("T"), Descriptions: texts("D")})
				c.Cookies = []CookieSpec{{Name: "yt", Category: "video", Purpose: texts("P")}}
				c.Messages = map[string]map[string]string{key: {"banner.title": "M " + key}, fallback: {"banner.title": "M " + fallback}}
			})
			// The visitor asks in the catalog's tag or a regional variant,
			// which may match a sibling catalog (pt-BR for pt): the
			// developer's text is in their language either way.
			for _, asked := range slices.Compact([]string{tag, base.String() + "-" + region.String()}) {
				t.Run(key+"/"+asked, func(t *testing.T) {
					d := m.CookieDeclaration(asked)
					l, _ := language.MustParse(d.Lang).Base()
					require.Equal(t, base, l)
					i := slices.IndexFunc(d.Categories, func(c DeclaredCategory) bool { return c.ID == "video" })
					require.GreaterOrEqual(t, i, 0)
					c := d.Categories[i]
					require.Len(t, c.Cookies, 1)
					want := " " + key
					assert.True(t, strings.HasSuffix(c.Title, want), "title %q", c.Title)
					assert.True(t, strings.HasSuffix(c.Description, want), "description %q", c.Description)
					assert.True(t, strings.HasSuffix(c.Cookies[0].Purpose, want), "purpose %q", c.Cookies[0].Purpose)
					title := m.l10n.locale(locales.Match("", asked)).texts.Title
					assert.True(t, strings.HasSuffix(title, want), "banner title override %q", title)
				})
			}
		}
	}
}

// TestMessagesBadTag: an override under a key that is not a language tag
// could never apply, so New says so instead of ignoring it.
func TestMessagesBadTag(t *testing.T) {
	t.Parallel()
	_, err := New(Config{Keys: []KeyPair{{HashKey: testKey1}}, Logger: quietLog,
		Messages: map[string]map[string]string{"english!": {"banner.title": "x"}}})
	assert.ErrorIs(t, err, ErrBadConfig)
}
