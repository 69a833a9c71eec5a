package ckfiber

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestParseTargetAgreesWithNetURL: the short cut gives what
// url.ParseRequestURI gives, on the targets it takes and on those it
// hands over.
func TestParseTargetAgreesWithNetURL(t *testing.T) {
	t.Parallel()
	for _, target := range []string{
		"/", "/page", "/a/b.json?x=1&y=2", "/q?", "/q?a?b", "/sp%20ace", "/frag#x", "//host/path",
		"/a;b", "/ü", "*", "http://example.com/abs?x", "/%zz", "/tab\tx", "/consent/decision",
	} {
		want, wantErr := url.ParseRequestURI(target)
		got, err := parseTarget(target)
		if wantErr != nil {
			assert.Error(t, err, target)
			continue
		}
		if assert.NoError(t, err, target) {
			assert.Equal(t, want, got, target)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"/", "/a?b", "/%41", "//x", "/a#b", "/?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		want, wantErr := url.ParseRequestURI(target)
		got, err := parseTarget(target)
		if (wantErr == nil) != (err == nil) {
			t.Fatalf("%q: error %v, net/url %v", target, err, wantErr)
		}
		if err == nil && *got != *want {
			t.Fatalf("%q: %#v, net/url %#v", target, got, want)
		}
	})
}
