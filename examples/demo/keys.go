package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/consentkit/consentkit/consent"
)

// devKeys holds the keys the demo needs. In production they come from a
// secret store; here they come from the environment or, failing that, from
// a file of generated keys in the data directory, with a warning.
type devKeys struct {
	Cookie []byte // signs the consent cookie
	Log    []byte // signs the consent log's checkpoints
}

func loadKeys(dataDir string, log *slog.Logger) (devKeys, error) {
	var k devKeys
	var err error
	if k.Cookie, err = envKey("CONSENT_COOKIE_KEY"); err != nil {
		return k, err
	}
	if k.Log, err = envKey("CONSENT_LOG_KEY"); err != nil {
		return k, err
	}
	if k.Cookie != nil && k.Log != nil {
		return k, nil
	}
	path := filepath.Join(dataDir, "dev-keys")
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		lines := strings.Fields(string(b))
		if len(lines) != 2 {
			return k, fmt.Errorf("%s: want two hex keys, one per line; delete the file to make new ones", path)
		}
		var ck, lk []byte
		if ck, err = consent.ParseKey(lines[0]); err == nil {
			lk, err = consent.ParseKey(lines[1])
		}
		if err != nil {
			return k, fmt.Errorf("%s: %w; delete the file to make new ones", path, err)
		}
		k.Cookie, k.Log = fill(k.Cookie, ck), fill(k.Log, lk)
	case errors.Is(err, os.ErrNotExist):
		ck, lk := make([]byte, 32), make([]byte, 32)
		_, _ = rand.Read(ck)
		_, _ = rand.Read(lk)
		data := hex.EncodeToString(ck) + "\n" + hex.EncodeToString(lk) + "\n"
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			return k, fmt.Errorf("saving generated keys: %w", err)
		}
		k.Cookie, k.Log = fill(k.Cookie, ck), fill(k.Log, lk)
	default:
		return k, err
	}
	log.Warn("demo: using generated development keys; set CONSENT_COOKIE_KEY and CONSENT_LOG_KEY in production (32 random bytes each, as consent.ParseKey reads them: hex, base64 or raw)", "file", path)
	return k, nil
}

func fill(have, generated []byte) []byte {
	if have != nil {
		return have
	}
	return generated
}

func envKey(name string) ([]byte, error) {
	v := os.Getenv(name)
	if v == "" {
		return nil, nil
	}
	b, err := consent.ParseKey(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}
