package banner

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signalsModuleBudget bounds the vendor signals module, gzipped: fetched
// once, and only on pages where a vendor is.
const signalsModuleBudget = 1024

func TestHeadSignalsLoader(t *testing.T) {
	t.Parallel()
	for _, s := range states {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			d := s.data()
			var plain, with bytes.Buffer
			Head(&plain, d)
			d.Signals = true
			Head(&with, d)
			assert.Contains(t, plain.String(), "/assets/"+jsName+`"`)
			assert.NotContains(t, plain.String(), signalsJSName)
			assert.Contains(t, with.String(), "/assets/"+signalsJSName+`"`)
			assert.Equal(t, strings.Replace(plain.String(), jsName, signalsJSName, 1), with.String(),
				"the loader's name is all that changes")
		})
	}
	// The hook loader finds its stylesheets and the module beside it.
	base := strings.TrimSuffix(signalsJSName, ".js")
	for _, name := range []string{base + ".css", base + ".d.css", signalsName} {
		_, _, ok := Asset(name)
		assert.True(t, ok, name)
	}
	assert.Equal(t, base+".s.js", signalsName)
	plain, _, _ := Asset(jsName)
	hook, _, _ := Asset(signalsJSName)
	assert.NotContains(t, string(plain), `"s.js"`, "the plain loader never loads the signals module")
	assert.Contains(t, string(hook), `"s.js"`)
	assert.True(t, strings.HasSuffix(string(hook), "})();\n"), "the hook sits inside the loader's function")
}

func TestGoogleTagHostsFile(t *testing.T) {
	t.Parallel()
	assert.Equal(t, File{}, GoogleTagHostsFile(File{}), "no host set, no guard, no exception")
	f := HostsFile(3, []HostSet{{Category: "analytics", N: 2, Data: riceCode([]uint32{5, 9}, 3)}}, true)
	require.NotEmpty(t, f.Name)
	g := GoogleTagHostsFile(f)
	assert.Regexp(t, `^ck-hosts\.[0-9a-f]{8}\.js$`, g.Name)
	assert.NotEqual(t, f.Name, g.Name)
	assert.True(t, bytes.HasPrefix(g.Body, f.Body), "the same host set")
	assert.Contains(t, string(g.Body), `self.ckX=`)
	assert.Equal(t, f.ContentType, g.ContentType)
	assert.Equal(t, g.Body, gunzip(t, g.Gzip))
}

func TestSignalsSize(t *testing.T) {
	t.Parallel()
	plain, _ := AssetGzip(jsName)
	hook, _ := AssetGzip(signalsJSName)
	module, _ := AssetGzip(signalsName)
	body, _, _ := Asset(signalsName)
	f := HostsFile(3, []HostSet{{Category: "analytics", N: 2, Data: riceCode([]uint32{5, 9}, 3)}}, true)
	g := GoogleTagHostsFile(f)
	t.Logf("loader %d B gz, with the signals hook %d B gz (+%d); signals module %d B raw / %d B gz; advanced Consent Mode adds %d B raw / %d B gz to the host set",
		len(plain), len(hook), len(hook)-len(plain), len(body), len(module), len(g.Body)-len(f.Body), len(g.Gzip)-len(f.Gzip))
	assert.LessOrEqual(t, len(module), signalsModuleBudget)
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}
