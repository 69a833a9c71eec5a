package consent

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// ParseKey reads a secret key as it usually arrives from the environment, a
// secret store or a file, so that the cookie key (KeyPair.HashKey) and the
// consent log's key (auditlog.Options.Key) are written one way everywhere:
//
//   - hex: 64 or more hex digits ("openssl rand -hex 32");
//   - base64, standard or URL alphabet, padded or not ("openssl rand -base64 32");
//   - otherwise the raw bytes themselves, such as a file of random bytes.
//
// Surrounding white space (a file's final newline) is ignored. A value that
// is valid hex or base64 is always decoded, never taken as raw bytes, so a key
// that decodes to fewer than 32 bytes is an error rather than a weaker key
// read as text. Errors wrap ErrBadKey and never contain the key.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: the key is empty; generate one with `openssl rand -hex 32`", ErrBadKey)
	}
	b, format := decodeKey(s)
	if len(b) < minHashKeyLen {
		return nil, fmt.Errorf("%w: the %s key has %d bytes, need at least %d random bytes (64 hex digits); generate one with `openssl rand -hex 32`",
			ErrBadKey, format, len(b), minHashKeyLen)
	}
	return b, nil
}

// decodeKey decodes s by the first format of ParseKey's list it is valid in.
func decodeKey(s string) ([]byte, string) {
	if len(s)%2 == 0 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, "hex"
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, "base64"
		}
	}
	return []byte(s), "raw"
}
