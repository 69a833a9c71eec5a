package locales

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// errInvalidCatalog marks a catalog file that is not a flat JSON object of
// strings; load errors wrap it so tests can tell them from other failures.
var errInvalidCatalog = errors.New("invalid catalog")

// parseCatalog decodes one catalog file: a single JSON object whose values are
// all strings. It walks the tokens itself rather than unmarshalling into a map
// because the key order of en.json is part of the API (Keys) and because
// json.Unmarshal would silently let a duplicated key overwrite the first one.
func parseCatalog(data []byte) (keys []string, msgs map[string]string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errInvalidCatalog, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("%w: want a JSON object, got %v", errInvalidCatalog, tok)
	}
	msgs = make(map[string]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", errInvalidCatalog, err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, nil, fmt.Errorf("%w: want a key, got %v", errInvalidCatalog, tok)
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: key %q: %w", errInvalidCatalog, key, err)
		}
		val, ok := tok.(string)
		if !ok {
			return nil, nil, fmt.Errorf("%w: key %q: want a string value, got %v", errInvalidCatalog, key, tok)
		}
		if _, dup := msgs[key]; dup {
			return nil, nil, fmt.Errorf("%w: key %q appears twice", errInvalidCatalog, key)
		}
		keys = append(keys, key)
		msgs[key] = val
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, fmt.Errorf("%w: %w", errInvalidCatalog, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%w: trailing data after the object", errInvalidCatalog)
	}
	return keys, msgs, nil
}
