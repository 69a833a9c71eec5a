// Package jsmin minifies the loader's JavaScript with esbuild's Go API: a
// real parser, so the minified code means what the source means, where a
// hand-written squeezer could only drop spaces it was sure of. It runs at
// go generate time (internal/banner/gen) and in the test that checks the
// committed output is fresh; programs that import consentkit never link it.
package jsmin

import (
	"errors"
	"fmt"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// ErrMinify reports JavaScript esbuild could not parse or transform.
var ErrMinify = errors.New("jsmin: cannot minify")

// options are fixed so that every run, and the freshness test, produce the
// same bytes. The target is ES2022: the loader uses ?., ||= and Array.at,
// which need the browsers <dialog> needs anyway (Safari 15.4), so nothing
// is rewritten down to older syntax.
var options = api.TransformOptions{
	Loader:            api.LoaderJS,
	Target:            api.ES2022,
	Charset:           api.CharsetUTF8,
	LegalComments:     api.LegalCommentsNone,
	MinifyWhitespace:  true,
	MinifySyntax:      true,
	MinifyIdentifiers: true,
}

// Minify returns src minified, ending in one newline.
func Minify(src []byte) ([]byte, error) {
	r := api.Transform(string(src), options)
	if len(r.Errors) > 0 {
		msgs := make([]string, len(r.Errors))
		for i, m := range r.Errors {
			msgs[i] = m.Text
			if m.Location != nil {
				msgs[i] = fmt.Sprintf("%d:%d: %s", m.Location.Line, m.Location.Column, m.Text)
			}
		}
		return nil, fmt.Errorf("%w: %s", ErrMinify, strings.Join(msgs, "; "))
	}
	return r.Code, nil
}
