package locales

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCatalog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		wantKeys []string
		wantErr  bool
	}{
		{"empty object", `{}`, nil, false},
		{"keeps file order", `{"b": "2", "a": "1", "_name": "X"}`, []string{"b", "a", "_name"}, false},
		{"escapes", `{"q": "\u201cx\u201d"}`, []string{"q"}, false},
		{"empty input", ``, nil, true},
		{"array", `["a"]`, nil, true},
		{"number value", `{"a": 1}`, nil, true},
		{"nested object", `{"a": {"b": "c"}}`, nil, true},
		{"null value", `{"a": null}`, nil, true},
		{"duplicate key", `{"a": "1", "a": "2"}`, nil, true},
		{"trailing data", `{"a": "1"} {}`, nil, true},
		{"unterminated", `{"a": "1"`, nil, true},
		{"byte order mark", "\uFEFF{}", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			keys, msgs, err := parseCatalog([]byte(tt.in))
			if tt.wantErr {
				require.Error(t, err)
				assert.ErrorIs(t, err, errInvalidCatalog)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantKeys, keys)
			assert.Len(t, msgs, len(keys))
		})
	}
}

func FuzzParseCatalog(f *testing.F) {
	f.Add([]byte(`{"_name": "English", "_dir": "ltr", "decl.days": "%d days"}`))
	f.Add([]byte(`{"a": "1", "a": "2"}`))
	f.Add([]byte(`{"a": {"b": []}}`))
	f.Add([]byte(`{"a": "1"} trailing`))
	f.Add([]byte("\uFEFF{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, msgs, err := parseCatalog(data)
		if err != nil {
			assert.ErrorIs(t, err, errInvalidCatalog)
			return
		}
		// Every key is kept once, in a list as long as the map.
		assert.Len(t, msgs, len(keys))
		for _, k := range keys {
			assert.Contains(t, msgs, k)
		}
	})
}
