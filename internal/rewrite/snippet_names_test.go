package rewrite

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"
)

// TestSnippetNamesCoverTheMatchers checks that snippetNames, whose last two
// bytes let snippetCategory pass most calls over unread, holds every name
// snippetIdent and isQueueMethod match: a name added to their switches but
// not to the list would never be looked at.
func TestSnippetNamesCoverTheMatchers(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "text.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "snippetIdent" && fn.Name.Name != "isQueueMethod" {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			cc, ok := n.(*ast.CaseClause)
			if !ok {
				return true
			}
			for _, e := range cc.List {
				lit, ok := e.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				name, _ := strconv.Unquote(lit.Value)
				found++
				if !slices.Contains(snippetNames[:], name) {
					t.Errorf("%s matches %q, which snippetNames lacks", fn.Name.Name, name)
				}
			}
			return true
		})
	}
	if found < len(snippetNames) {
		t.Errorf("found %d names in the switches, snippetNames has %d: a stale entry or a switch the test no longer reads", found, len(snippetNames))
	}
	for _, n := range snippetNames {
		if !snippetEnd(n[len(n)-2], n[len(n)-1]) {
			t.Errorf("snippetEnds lacks the last two bytes of %q", n)
		}
	}
	// The pairs are told apart by case, and from every pair no name ends
	// in, by no more than '_' and '$' sharing a number.
	for _, p := range []string{"Ag", "aG", "xy", "a(", "(a", "q_", "$q"} {
		if snippetEnd(p[0], p[1]) {
			t.Errorf("snippetEnd(%q) is true", p)
		}
	}
}
