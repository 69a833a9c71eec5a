// Command gen writes the tables that internal/trackers and internal/cookiedb
// embed, from the open data sets in ../shared/data:
//
//   - internal/trackers/adguard_gen.go from AdguardTeam/companiesdb's
//     dist/trackers.json (CC BY-SA 4.0);
//   - internal/cookiedb/cookies_gen.go from jkwakman/Open-Cookie-Database's
//     open-cookie-database.csv (Apache 2.0).
//
// Run it with `go generate ./internal/trackers/`. It only changes the form of
// the data (compact text lines sorted for stable diffs); every decision about
// what the data means for consent lives in the hand-written override files of
// those packages.
//
// Usage:
//
//	go run ./internal/trackers/gen [-data dir] [-out dir]
//
// -data is the folder holding adguard-companiesdb/ and open-cookie-database/
// (default: ../shared/data beside the repository root, found by walking up to
// go.mod); -out is the root under which internal/trackers/adguard_gen.go and
// internal/cookiedb/cookies_gen.go are written (default: the repository root).
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The revisions of the data sets in ../shared/data (see its README.md). Update
// them together with the data.
const (
	adguardCommit  = "94ac1779b1de"
	cookiedbCommit = "0ee5a17fe1cb"
)

func main() {
	data := flag.String("data", "", "folder with adguard-companiesdb/ and open-cookie-database/ (default: ../shared/data beside the repository root)")
	out := flag.String("out", "", "root to write internal/trackers/adguard_gen.go and internal/cookiedb/cookies_gen.go under (default: the repository root)")
	flag.Parse()
	if err := run(*data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(data, out string) error {
	if data == "" || out == "" {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		if data == "" {
			data = filepath.Join(root, "..", "shared", "data")
		}
		if out == "" {
			out = root
		}
	}
	trackers, err := genTrackers(filepath.Join(data, "adguard-companiesdb", "trackers.json"))
	if err != nil {
		return err
	}
	cookies, err := genCookies(filepath.Join(data, "open-cookie-database", "open-cookie-database.csv"))
	if err != nil {
		return err
	}
	if err := write(filepath.Join(out, "internal", "trackers", "adguard_gen.go"), trackers); err != nil {
		return err
	}
	return write(filepath.Join(out, "internal", "cookiedb", "cookies_gen.go"), cookies)
}

// repoRoot walks up from the working directory to the folder holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run from inside the repository or pass -data and -out")
		}
		dir = parent
	}
}

func write(path string, src []byte) error {
	formatted, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("formatting %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, formatted, 0o644)
}

// adguardFile is the part of companiesdb's dist/trackers.json the table uses.
type adguardFile struct {
	TimeUpdated string            `json:"timeUpdated"`
	Categories  map[string]string `json:"categories"`
	Trackers    map[string]struct {
		CategoryID *int `json:"categoryId"`
	} `json:"trackers"`
	TrackerDomains map[string]string `json:"trackerDomains"`
}

// genTrackers renders adguard_gen.go: AdGuard's category names by ID, and one
// line per tracker, "id categoryID domain domain …", sorted by tracker ID
// with its domains sorted. Tracker names, URLs and companies are left out:
// the lookup needs none of them.
func genTrackers(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f adguardFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	updated, err := time.Parse(time.RFC3339, f.TimeUpdated)
	if err != nil {
		return nil, fmt.Errorf("%s: timeUpdated: %w", path, err)
	}
	domains := map[string][]string{}
	for d, id := range f.TrackerDomains {
		if !isHostName(d) {
			return nil, fmt.Errorf("%s: domain %q is not a lower-case ASCII host name: convert it to punycode here before using it", path, d)
		}
		t, ok := f.Trackers[id]
		if !ok || t.CategoryID == nil {
			return nil, fmt.Errorf("%s: domain %q names tracker %q, which is missing or has no category", path, d, id)
		}
		if _, ok := f.Categories[strconv.Itoa(*t.CategoryID)]; !ok {
			return nil, fmt.Errorf("%s: tracker %q has unknown category %d", path, id, *t.CategoryID)
		}
		if !isField(id) {
			return nil, fmt.Errorf("%s: tracker ID %q cannot be written as one field", path, id)
		}
		domains[id] = append(domains[id], d)
	}
	ids := make([]string, 0, len(domains))
	for id := range domains {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	catIDs := make([]int, 0, len(f.Categories))
	for k := range f.Categories {
		n, err := strconv.Atoi(k)
		if err != nil {
			return nil, fmt.Errorf("%s: category ID %q is not a number", path, k)
		}
		catIDs = append(catIDs, n)
	}
	slices.Sort(catIDs)

	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by "go run ./gen" (go generate ./internal/trackers/); DO NOT EDIT.

// This file, and only this file of the consentkit repository, is licensed
// under the Creative Commons Attribution-ShareAlike 4.0 International licence
// (CC BY-SA 4.0, https://creativecommons.org/licenses/by-sa/4.0/); the rest of
// the repository is under the MIT licence. It is an adaptation of:
//
//	AdGuard companiesdb, dist/trackers.json
//	https://github.com/AdguardTeam/companiesdb, commit %s (data updated %s)
//	© AdGuard and the companiesdb contributors, building on the WhoTracks.Me
//	tracker database; licensed under CC BY-SA 4.0.
//
// Changes: only the tracker IDs, their category IDs and their domains are
// kept, reformatted into the text lines below. The data is provided as is,
// without warranties. If you share this file or an adaptation of it, keep it
// under CC BY-SA 4.0 with this notice.

package trackers

// adguardDataSource names the data set and revision this file was made from.
const adguardDataSource = "AdguardTeam/companiesdb dist/trackers.json %s (%s)"

// adguardCategories maps AdGuard's category IDs, as written in adguardData,
// to AdGuard's category names.
var adguardCategories = map[string]string{
`, adguardCommit, updated.UTC().Format(time.DateOnly), adguardCommit, updated.UTC().Format(time.DateOnly))
	for _, n := range catIDs {
		fmt.Fprintf(&b, "%q: %q,\n", strconv.Itoa(n), f.Categories[strconv.Itoa(n)])
	}
	b.WriteString(`}

// adguardData holds one line per AdGuard tracker: its ID, its category ID and
// its domains, separated by single spaces. A domain covers its subdomains.
const adguardData = ` + "`")
	for _, id := range ids {
		ds := domains[id]
		slices.Sort(ds)
		fmt.Fprintf(&b, "%s %d %s\n", id, *f.Trackers[id].CategoryID, strings.Join(ds, " "))
	}
	b.WriteString("`\n")
	return b.Bytes(), nil
}

// isHostName reports whether s is a lower-case ASCII host name of the
// characters the table's text format and the lookup expect.
func isHostName(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// isField reports whether s can be written as one field of a generated text
// line: no separators, no line breaks and no back quote that would end the
// raw string.
func isField(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n`")
}

// cookieRow is one row of the Open Cookie Database.
type cookieRow struct {
	name, category, retention string
	wildcard                  bool
}

// cookieGroup is the rows that share a platform, controller and privacy page.
type cookieGroup struct {
	platform, controller, privacyURL string
	rows                             []cookieRow
}

// The database's categories; a new one needs a decision in
// internal/cookiedb before it can be generated.
var cookieCategories = map[string]bool{
	"Functional": true, "Security": true, "Necessary": true,
	"Personalization": true, "Analytics": true, "Marketing": true,
}

// genCookies renders cookies_gen.go: rows grouped by platform, controller and
// privacy page, each group a header line "@platform\tcontroller\turl"
// followed by lines "name\twildcard\tcategory\tretention". Groups are sorted
// by their header and rows by name; a name listed twice keeps file order.
func genCookies(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	need := []string{"Platform", "Category", "Cookie / Data Key name", "Retention period", "Data Controller", "User Privacy & GDPR Rights Portals", "Wildcard match"}
	for _, h := range need {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("%s: no column %q", path, h)
		}
	}
	groups := map[[3]string]*cookieGroup{}
	line := 1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		get := func(h string) string { return cleanField(rec[col[h]]) }
		row := cookieRow{name: get("Cookie / Data Key name"), category: get("Category"), retention: get("Retention period")}
		switch w := get("Wildcard match"); w {
		case "0":
		case "1":
			row.wildcard = true
		default:
			return nil, fmt.Errorf("%s:%d: wildcard flag %q is neither 0 nor 1", path, line, w)
		}
		row.name, row.wildcard = placeholderPrefix(row.name, row.wildcard)
		if row.name == "" || strings.HasPrefix(row.name, "@") || strings.ContainsAny(row.name, "\t\n`") {
			return nil, fmt.Errorf("%s:%d: cookie name %q cannot be written", path, line, row.name)
		}
		if !cookieCategories[row.category] {
			return nil, fmt.Errorf("%s:%d: unknown category %q: map it in internal/cookiedb first", path, line, row.category)
		}
		key := [3]string{get("Platform"), get("Data Controller"), get("User Privacy & GDPR Rights Portals")}
		for _, s := range append(key[:], row.retention) {
			if strings.ContainsAny(s, "\t\n`") {
				return nil, fmt.Errorf("%s:%d: field %q cannot be written", path, line, s)
			}
		}
		g := groups[key]
		if g == nil {
			g = &cookieGroup{platform: key[0], controller: key[1], privacyURL: key[2]}
			groups[key] = g
		}
		g.rows = append(g.rows, row)
	}
	list := make([]*cookieGroup, 0, len(groups))
	for _, g := range groups {
		slices.SortStableFunc(g.rows, func(a, b cookieRow) int { return strings.Compare(a.name, b.name) })
		list = append(list, g)
	}
	slices.SortFunc(list, func(a, b *cookieGroup) int {
		return slices.Compare([]string{a.platform, a.controller, a.privacyURL}, []string{b.platform, b.controller, b.privacyURL})
	})

	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by "go run ./internal/trackers/gen" (go generate ./internal/trackers/); DO NOT EDIT.

// This file is derived from the Open Cookie Database,
// https://github.com/jkwakman/Open-Cookie-Database, open-cookie-database.csv
// at commit %s, © jkwakman and the Open Cookie Database contributors,
// licensed under the Apache License, Version 2.0
// (https://www.apache.org/licenses/LICENSE-2.0). Changes: the ID, domain and
// description columns are dropped, whitespace and soft hyphens are trimmed
// from fields, placeholder suffixes of names ("NNN", "*", "%%INTEGER%%") are
// turned into prefix matches, and rows are regrouped into the text below.

package cookiedb

// dataSource names the data set and revision this file was made from.
const dataSource = "jkwakman/Open-Cookie-Database open-cookie-database.csv %s"

// data holds the database's rows grouped by platform: a line
// "@platform\tcontroller\tprivacy URL" starts a group, and each following line
// "name\twildcard\tcategory\tretention" is a cookie or storage key of it,
// wildcard being 1 when the name is a prefix.
const data = `+"`", cookiedbCommit, cookiedbCommit)
	for _, g := range list {
		fmt.Fprintf(&b, "@%s\t%s\t%s\n", g.platform, g.controller, g.privacyURL)
		for _, r := range g.rows {
			w := "0"
			if r.wildcard {
				w = "1"
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", r.name, w, r.category, r.retention)
		}
	}
	b.WriteString("`\n")
	return b.Bytes(), nil
}

// cleanField trims surrounding white space and drops soft hyphens, which the
// database has inside at least one name and which no cookie name contains.
func cleanField(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\u00ad", ""))
}

// placeholderPrefix turns the database's placeholder spellings of a variable
// suffix ("pm_sess_NNN", "SSPR_*", "pagead/conv/%INTEGER%") into prefix
// entries.
func placeholderPrefix(name string, wildcard bool) (string, bool) {
	for _, p := range []string{"NNN", "*", "%INTEGER%"} {
		if len(name) > len(p) && strings.HasSuffix(name, p) {
			return strings.TrimSuffix(name, p), true
		}
	}
	return name, wildcard
}
