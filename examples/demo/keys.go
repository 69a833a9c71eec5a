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
		if ck, err = hex.DecodeString(lines[0]); err == nil {
			lk, err = hex.DecodeString(lines[1])
		}
		if err != nil || len(ck) < 32 || len(lk) < 32 {
			return k, fmt.Errorf("%s: keys are not 32-byte hex; delete the file to make new ones", path)
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
	log.Warn("demo: using generated development keys; set CONSENT_COOKIE_KEY and CONSENT_LOG_KEY (64 hex digits each) in production", "file", path)
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
	b, err := hex.DecodeString(v)
	if err != nil || len(b) < 32 {
		return nil, fmt.Errorf("%s must be at least 64 hex digits (32 bytes)", name)
	}
	return b, nil
}
