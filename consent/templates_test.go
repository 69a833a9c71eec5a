package consent

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTemplateFuncs(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	tmpl := template.Must(template.New("p").Funcs(m.TemplateFuncs()).Parse(
		`{{if consentAllowed . "analytics"}}A{{else}}no-A{{end}} {{if consentAllowed .Context "marketing"}}M{{else}}no-M{{end}} ` +
			`{{consentSettingsLink .}} {{consentScript "/app.js?a=1&b=<2>" "n0nce"}} [{{consentID .}}]`))
	req := httptest.NewRequest(http.MethodGet, "/page?x=1", nil)
	req.Header.Set("Accept-Language", "es")
	req = req.WithContext(WithState(req.Context(), NewState([]string{"analytics", "marketing"}, "analytics")))
	var b strings.Builder
	require.NoError(t, tmpl.Execute(&b, req))
	out := b.String()
	assert.True(t, strings.HasPrefix(out, "A no-M "), out)
	assert.Contains(t, out, `class="ck-settings"`)
	assert.Contains(t, out, "Configuración de cookies")
	assert.Contains(t, out, `nonce="n0nce"`)
	assert.Contains(t, out, `src="/app.js?a=1&amp;b=%3c2%3e"`)

	// Bound to one request, without arguments.
	bound := template.Must(template.Must(template.New("p").Funcs(m.TemplateFuncsFor(nil)).Parse(
		`{{if consentAllowed "analytics"}}A{{else}}no-A{{end}}`)).Clone())
	bound.Funcs(m.TemplateFuncsFor(req))
	b.Reset()
	require.NoError(t, bound.Execute(&b, nil))
	assert.Equal(t, "A", b.String())

	// Anything else is undecided.
	b.Reset()
	require.NoError(t, tmpl.Execute(&b, struct{ Context any }{}))
	assert.True(t, strings.HasPrefix(b.String(), "no-A no-M "), b.String())
	assert.Contains(t, b.String(), "Cookie settings", "without a request the link is in English")
	assert.True(t, strings.HasSuffix(b.String(), "[]"), "no consent ID")
}
