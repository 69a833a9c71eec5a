// Package corpustest holds what the real-page corpus tests share: finding
// the corpus of saved article pages (../shared/corpus/pages from the
// repository root), judging whether a host is a tracker (the generated table
// of internal/trackers and, independently, a list written by hand here), and
// a checker that parses a page with golang.org/x/net/html and lists every
// live element that would fetch or run a tracker.
//
// It is used only by tests (consent/corpus_test.go and
// internal/e2e/corpus_test.go); nothing in the library imports it.
package corpustest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/consentkit/consentkit/internal/trackers"
)

// ErrNoCorpus is returned (wrapped) when the corpus folder is not there, for
// example in a fresh clone outside CI: the tests skip then.
var ErrNoCorpus = errors.New("corpus not found")

// Dir returns the corpus folder: ../shared/corpus/pages relative to the
// repository root, found by walking up from the working directory to go.mod.
func Dir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", fmt.Errorf("%w: no go.mod above %s", ErrNoCorpus, wd)
		}
		root = parent
	}
	dir := filepath.Join(root, "..", "shared", "corpus", "pages")
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return "", fmt.Errorf("%w: %s is not a folder (the real-page corpus lives beside the repository; see its README)", ErrNoCorpus, filepath.Clean(dir))
	}
	return filepath.Clean(dir), nil
}

// Page is one corpus page, decompressed.
type Page struct {
	Name string // the file name without .html.gz
	HTML []byte
}

// Load reads every *.html.gz page of the corpus, sorted by name.
func Load() ([]Page, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.html.gz"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no *.html.gz in %s", ErrNoCorpus, dir)
	}
	sort.Strings(names)
	pages := make([]Page, 0, len(names))
	for _, name := range names {
		b, err := readGzip(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		pages = append(pages, Page{Name: strings.TrimSuffix(filepath.Base(name), ".html.gz"), HTML: b})
	}
	return pages, nil
}

func readGzip(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, z); err != nil {
		return nil, err
	}
	return buf.Bytes(), z.Close()
}

// Short is a page name cut to its first 12 characters, for logs.
func Short(name string) string {
	if len(name) > 12 {
		return name[:12]
	}
	return name
}

// Judgement says which lists know a host.
type Judgement struct {
	Table string // the category the generated table gives, "" when absent
	Own   string // the matching entry of the hand-written list, "" when absent
}

// Tracker reports whether either list knows the host.
func (j Judgement) Tracker() bool { return j.Table != "" || j.Own != "" }

// By is "table", "own list only" or "table+own", for reports.
func (j Judgement) By() string {
	switch {
	case j.Table != "" && j.Own != "":
		return "table+own"
	case j.Table != "":
		return "table"
	case j.Own != "":
		return "own list only"
	}
	return ""
}

// Judge looks host up in trackers.Default() and in the hand-written list.
func Judge(host string) Judgement {
	var j Judgement
	if host == "" {
		return j
	}
	if c, ok := trackers.Default().Lookup(host); ok && c != "" && c != "necessary" {
		j.Table = c
	}
	if e, ok := ownLookup(host); ok {
		j.Own = e
	}
	return j
}
