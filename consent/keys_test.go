package consent

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0xfb, 0x3e, 0x01}, 11)[:32] // 0xfb makes '+' and '/' in base64
	raw := strings.Repeat("correct horse battery staple ", 2)
	tests := map[string]struct {
		in      string
		want    []byte
		wantErr string
	}{
		"hex":                 {in: hex.EncodeToString(key), want: key},
		"upper-case hex":      {in: strings.ToUpper(hex.EncodeToString(key)), want: key},
		"hex with newline":    {in: hex.EncodeToString(key) + "\n", want: key},
		"base64":              {in: base64.StdEncoding.EncodeToString(key), want: key},
		"base64 unpadded":     {in: base64.RawStdEncoding.EncodeToString(key), want: key},
		"base64 url":          {in: base64.URLEncoding.EncodeToString(key), want: key},
		"base64 url unpadded": {in: base64.RawURLEncoding.EncodeToString(key), want: key},
		"raw bytes":           {in: raw, want: []byte(strings.TrimSpace(raw))},
		"binary raw bytes":    {in: string(append([]byte{0, 0xff}, key...)), want: append([]byte{0, 0xff}, key...)},
		"empty":               {in: "  \n", wantErr: "empty"},
		"short hex is not raw text": {
			in: hex.EncodeToString(key[:16]), wantErr: "hex key has 16 bytes"},
		"short base64": {in: base64.StdEncoding.EncodeToString(key[:20]), wantErr: "base64 key has 20 bytes"},
		"short raw":    {in: "hunter2!", wantErr: "raw key has 8 bytes"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseKey(tt.in)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrBadKey)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseKeyErrorHidesKey(t *testing.T) {
	t.Parallel()
	_, err := ParseKey("0123456789abcdef0123")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "0123456789abcdef")
}
