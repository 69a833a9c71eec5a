// Package loader builds the banner's minified scripts from their readable
// sources. It is shared by the generator (internal/banner/gen) and the test
// that checks the committed output is fresh, so both make the same bytes.
package loader

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/consentkit/consentkit/internal/jsmin"
)

// ErrNoEnd reports a loader source that does not end its function with
// "})();", where the vendor signals hook goes.
var ErrNoEnd = errors.New("loader: ck.js does not end with })();")

// Build returns the minified files by name: "ck.js" (the loader),
// "ck.v.js" (the loader with the vendor signals hook inserted last inside
// its function, where the hook sees the loader's variables), "ck.s.js"
// (the signals module), "ck.p.js" (the preferences dialog module) and
// "ck-r.js" (the discovery reporter).
func Build(ck, hook, signals, prefs, reporter []byte) (map[string][]byte, error) {
	end := bytes.LastIndex(ck, []byte("})();"))
	if end < 0 {
		return nil, ErrNoEnd
	}
	hooked := append(append(append([]byte(nil), ck[:end]...), hook...), ck[end:]...)
	out := map[string][]byte{}
	for name, src := range map[string][]byte{"ck.js": ck, "ck.v.js": hooked, "ck.s.js": signals, "ck.p.js": prefs, "ck-r.js": reporter} {
		b, err := jsmin.Minify(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = b
	}
	return out, nil
}
