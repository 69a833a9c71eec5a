// Command gen writes internal/rewrite/entity_hosts.go: the named character
// references whose character, inside a host, a browser's "domain to ASCII"
// (UTS #46, golang.org/x/net/idna) maps to ASCII or drops. The HTML parser
// resolves a reference before the URL parser sees the host, so
// "www.&gopf;oogle-analytics.com" loads www.google-analytics.com; the
// rewriter must look such a host up as the browser will.
//
// The names come from golang.org/x/net/html's own table (html/entity.go in
// the module the repository requires), so the list follows the HTML
// standard's as that package does. Run it with `go generate
// ./internal/rewrite/`.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// profile is the lookup profile rewrite's host normalisation uses (see
// internal/trackers): UTS #46 mapping, non-transitional, lenient about
// what a registry would refuse.
var profile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false),
	idna.StrictDomainName(false), idna.CheckHyphens(false), idna.CheckJoiners(true), idna.VerifyDNSLength(false))

func main() {
	log.SetFlags(0)
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/net").Output()
	if err != nil {
		log.Fatalf("gen: find golang.org/x/net (run from the repository): %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "html", "entity.go")
	refs, err := entities(src)
	if err != nil {
		log.Fatalf("gen: %v", err)
	}
	var names []string
	for name, v := range refs {
		if !strings.HasSuffix(name, ";") || isASCII(v) {
			continue // the legacy form without ';' of every such name has one with it
		}
		h, err := profile.ToASCII("ab" + v + "cd.com")
		if err != nil || strings.Contains(h, "xn--") || strings.Contains(h, " ") {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString(header)
	line := "\t"
	for _, name := range names {
		e := fmt.Sprintf("%q: %q, ", strings.TrimSuffix(name, ";"), refs[name])
		if len(line)+len(e) > 110 {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = "\t"
		}
		line += e
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n}\n")
	code, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("gen: format: %v", err)
	}
	if err := os.WriteFile("entity_hosts.go", code, 0o644); err != nil {
		log.Fatalf("gen: %v", err)
	}
	log.Printf("gen: entity_hosts.go: %d references from %s", len(names), src)
}

const header = `// Code generated from the HTML standard's named character references and
// golang.org/x/net/idna's UTS #46 mapping by go generate (./gen); DO NOT EDIT.
// The generator kept every name whose character, inside a host, a browser's
// "domain to ASCII" maps to ASCII or drops (after the HTML parser has
// resolved the reference), so that "www.&gopf;oogle-analytics.com" and
// "www.google-ana&shy;lytics.com" are looked up as the host they name.

package rewrite

// hostRefs maps the names (without ';') of those references to their
// characters.
var hostRefs = map[string]string{
`

// entities reads the maps entity (one rune) and entity2 (two) of
// x/net/html's entity.go.
func entities(path string) (map[string]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range g.Specs {
			vs, ok := s.(*ast.ValueSpec)
			if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 || (vs.Names[0].Name != "entity" && vs.Names[0].Name != "entity2") {
				continue
			}
			lit, ok := vs.Values[0].(*ast.CompositeLit)
			if !ok {
				continue
			}
			for _, el := range lit.Elts {
				kv := el.(*ast.KeyValueExpr)
				k, err := strconv.Unquote(kv.Key.(*ast.BasicLit).Value)
				if err != nil {
					return nil, err
				}
				var v []rune
				switch x := kv.Value.(type) {
				case *ast.BasicLit:
					r, _, _, err := strconv.UnquoteChar(strings.Trim(x.Value, "'"), '\'')
					if err != nil {
						return nil, fmt.Errorf("%s: %w", k, err)
					}
					v = append(v, r)
				case *ast.CompositeLit:
					for _, e := range x.Elts {
						r, _, _, err := strconv.UnquoteChar(strings.Trim(e.(*ast.BasicLit).Value, "'"), '\'')
						if err != nil {
							return nil, fmt.Errorf("%s: %w", k, err)
						}
						v = append(v, r)
					}
				}
				m[k] = string(v)
			}
		}
	}
	if len(m) < 2000 {
		return nil, fmt.Errorf("%s: %d references read, fewer than the standard's 2,231: has its form changed?", path, len(m))
	}
	return m, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
