package banner

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// direct renders d through the template, bypassing the cache.
func direct(c *cache, d *Data) string {
	var buf bytes.Buffer
	c.slow(&buf, d)
	return buf.String()
}

func cached(c *cache, d *Data) string {
	var buf bytes.Buffer
	c.render(&buf, d)
	return buf.String()
}

// Returns and nonces that exercise every escaping rule of the holes.
var holeValues = []string{
	"", "/", "/news/2024/05/city-council-votes?page=2", `/a b?c=d&e=f+g#h`, `/"'<>&+`,
	"/\x00\xff", "/ünïcødé/ملف", "javascript:alert(1)", "%41%zz", "rAnd0mN0nce+/base64==",
}

func TestCacheEqualsTemplate(t *testing.T) {
	t.Parallel()
	for _, s := range append(states, struct {
		name string
		data func() *Data
	}{"hostile", hostile}) {
		for _, c := range []*cache{headCache, bodyCache, optoutCache} {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				for _, v := range holeValues {
					d := s.data()
					d.Return = v
					if d.Nonce != "" {
						d.Nonce = v + "n"
					}
					require.NotNil(t, c.build(d), "every rendering can be cached")
					// Twice: the first may fill the cache, the second reads it.
					assert.Equal(t, direct(c, d), cached(c, d), "return %q", v)
					assert.Equal(t, direct(c, d), cached(c, d), "return %q", v)
				}
			})
		}
	}
}

// FuzzCacheEqualsTemplate holds the hand-written escapers to html/template.
func FuzzCacheEqualsTemplate(f *testing.F) {
	for _, v := range holeValues {
		f.Add(v, v)
	}
	f.Fuzz(func(t *testing.T, ret, nonce string) {
		for _, d := range []*Data{undecided(), decided()} {
			d.Return, d.Nonce = ret, nonce
			for _, c := range []*cache{headCache, bodyCache} {
				if got, want := cached(c, d), direct(c, d); got != want {
					t.Fatalf("%s: cached\n%s\ntemplate\n%s", c.name, got, want)
				}
			}
		}
	})
}

// TestCacheKeyCoversData changes each field of Data in turn and checks that
// the cache tells the result apart, except for the fields rendered through
// holes or never shown by Head and Body. A field added to Data without
// being added to keyHash and sameKey fails here.
func TestCacheKeyCoversData(t *testing.T) {
	t.Parallel()
	// Nonce fills a hole; only whether it is set changes the markup.
	notInKey := map[string]bool{"Return": true, "ConsentID": true, "Nonce": true}
	base := undecided()
	for _, path := range fieldPaths(reflect.TypeOf(Data{}), nil) {
		name := reflect.TypeOf(Data{}).FieldByIndex(path[:1]).Name
		t.Run(name+"/"+reflect.TypeOf(Data{}).FieldByIndex(path).Name, func(t *testing.T) {
			t.Parallel()
			d := undecided()
			mutate(reflect.ValueOf(d).Elem().FieldByIndex(path))
			same := sameKey(base, d) && keyHash(base) == keyHash(d)
			assert.Equal(t, notInKey[name], same)
		})
	}
	t.Run("nonce set or not", func(t *testing.T) {
		t.Parallel()
		d := undecided()
		d.Nonce = ""
		assert.False(t, sameKey(base, d))
		assert.NotEqual(t, keyHash(base), keyHash(d))
	})
}

// fieldPaths lists the leaf fields of t (descending into structs).
func fieldPaths(t reflect.Type, prefix []int) [][]int {
	var out [][]int
	for i := range t.NumField() {
		p := append(append([]int{}, prefix...), i)
		if t.Field(i).Type.Kind() == reflect.Struct {
			out = append(out, fieldPaths(t.Field(i).Type, p)...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// mutate changes v to a different value of its kind.
func mutate(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "~")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int:
		v.SetInt(v.Int() + 1000)
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		e := c.Index(0)
		if e.Kind() == reflect.Struct {
			mutate(e.Field(0))
		} else {
			mutate(e)
		}
		v.Set(c)
	}
}

func TestCacheIsBounded(t *testing.T) {
	t.Parallel()
	c := &cache{name: "body", prep: prepBody, m: map[uint64][]*entry{}}
	d := undecided()
	for i := range maxEntries + 10 {
		d.Texts.Title = string(rune('a'+i%26)) + string(rune(i))
		assert.Equal(t, direct(c, d), cached(c, d))
	}
	assert.Equal(t, maxEntries, c.n)
}

// TestCacheKeyDoesNotAliasCallerSlices: callers reuse their Data's slices
// (the consent package pools them); a cached key must not change with them,
// or entries go stale (and, under load, race with the caller's writes).
func TestCacheKeyDoesNotAliasCallerSlices(t *testing.T) {
	mk := func() *Data {
		return &Data{Lang: "en", Dir: "ltr", Prefix: "/consent", Return: "/alias", Decided: true,
			Categories: []Category{{ID: "necessary", Locked: true}, {ID: "aliasing", Granted: true}}}
	}
	count := func() int { headCache.mu.RLock(); defer headCache.mu.RUnlock(); return headCache.n }
	d := mk()
	var buf bytes.Buffer
	Head(&buf, d)
	before := count()
	d.Categories[1].Granted = false // the caller reuses its slice for other data
	d.Categories[1].ID = "reused"
	buf.Reset()
	Head(&buf, mk()) // the same data as the first call, in fresh slices
	assert.Contains(t, buf.String(), `data-g="necessary aliasing"`)
	assert.Equal(t, before, count(), "the first entry must still match its data")
}
