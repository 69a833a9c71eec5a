// Command gen writes the minified loader files of internal/banner from
// their readable sources, with esbuild (internal/jsmin). Run it with
// `go generate ./internal/banner/`; TestMinifiedAssetsAreFresh fails when
// a source changed and this was not run.
//
//	assets/ck.js            -> assets/min/ck.js    the loader
//	assets/ck.js + ck.v.js  -> assets/min/ck.v.js  the loader with the vendor signals hook
//	assets/ck.s.js          -> assets/min/ck.s.js  the vendor signals module
//	assets/ck.p.js          -> assets/min/ck.p.js  the preferences dialog module
//	assets/ck-r.js          -> assets/min/ck-r.js  the discovery reporter
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/consentkit/consentkit/internal/banner/loader"
)

func main() {
	dir := "assets"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return b
	}
	out, err := loader.Build(read("ck.js"), read("ck.v.js"), read("ck.s.js"), read("ck.p.js"), read("ck-r.js"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for name, b := range out {
		if err := os.WriteFile(filepath.Join(dir, "min", name), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
