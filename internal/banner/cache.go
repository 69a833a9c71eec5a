package banner

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
)

// Rendering Head and Body through html/template costs tens of microseconds
// and hundreds of allocations, on every HTML page. Yet only Return and Nonce
// change from one request to the next; texts, categories and states repeat.
// So each distinct Data (Return, Nonce and ConsentID aside) is rendered once
// with placeholders, cut into pieces, and later requests write the pieces
// with Return and Nonce escaped the way html/template escapes them in that
// spot. A test checks, also under fuzzing, that the result is byte for byte
// what the template renders.

// maxEntries bounds each cache; past it, rendering falls back to the
// template, so odd data cannot grow memory without limit.
const maxEntries = 512

// holes are the spots of a cached rendering that vary per request, named by
// the escaping html/template applies there.
type hole uint8

const (
	holeNone  hole = iota
	holeAttr       // Return in an attribute value
	holeQuery      // Return as a query parameter value
	holeNonce      // Nonce in an attribute value
)

// piece is a literal followed by a hole.
type piece struct {
	lit  string
	hole hole
}

type entry struct {
	key    Data // the Data rendered, with Return, Nonce and ConsentID cleared
	pieces []piece
}

type cache struct {
	name string // the template
	prep func(*view)
	mu   sync.RWMutex
	m    map[uint64][]*entry
	n    int
}

var (
	seed = maphash.MakeSeed()
	// The placeholders are random per process, so no catalog text or path
	// can contain them by accident or on purpose.
	markReturn, markNonce = randomMark(), randomMark()

	headCache  = &cache{name: "head", prep: prepHead, m: map[uint64][]*entry{}}
	startCache = &cache{name: "start", prep: func(*view) {}, m: map[uint64][]*entry{}}
	bodyCache  = &cache{name: "body", prep: prepBody, m: map[uint64][]*entry{}}
	// optoutCache renders the opt-out and notice models' block (optout.go).
	optoutCache = &cache{name: "optout", prep: func(*view) {}, m: map[uint64][]*entry{}}
)

func randomMark() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported systems
	return "ck" + hex.EncodeToString(b[:])
}

// render writes d through the cache, filling it on a miss.
func (c *cache) render(buf *bytes.Buffer, d *Data) {
	k := keyHash(d)
	c.mu.RLock()
	e := c.find(k, d)
	c.mu.RUnlock()
	if e == nil {
		e = c.build(d)
		if e == nil {
			c.slow(buf, d)
			return
		}
		c.mu.Lock()
		if c.find(k, d) == nil && c.n < maxEntries {
			c.m[k] = append(c.m[k], e)
			c.n++
		}
		c.mu.Unlock()
	}
	e.write(buf, d)
}

func (c *cache) find(k uint64, d *Data) *entry {
	for _, e := range c.m[k] {
		if sameKey(&e.key, d) {
			return e
		}
	}
	return nil
}

// slow renders d through the template, without the cache.
func (c *cache) slow(buf *bytes.Buffer, d *Data) {
	v := newView(d)
	c.prep(v)
	execute(buf, c.name, v)
}

// build renders d with placeholders and cuts the output at them. It returns
// nil when a placeholder lands somewhere it cannot be told apart, which the
// templates never do; the caller then renders without the cache.
func (c *cache) build(d *Data) *entry {
	k := *d
	// The key outlives the call: it must not share the caller's slices,
	// which callers reuse (the consent package pools its Data).
	k.Categories = append([]Category(nil), d.Categories...)
	k.Languages = append([]Language(nil), d.Languages...)
	k.ConsentMode = append([]ModeType(nil), d.ConsentMode...)
	k.Regions = append([]string(nil), d.Regions...)
	k.RegionModes = cloneRegionModes(d.RegionModes)
	k.Return, k.ConsentID = markReturn, ""
	if d.Nonce != "" {
		k.Nonce = markNonce
	}
	var buf bytes.Buffer
	c.slow(&buf, &k)
	out := buf.String()
	k.Return = ""
	e := &entry{key: k} // k.Nonce stays the mark: sameKey only asks whether it is set
	for {
		ir, in := strings.Index(out, markReturn), strings.Index(out, markNonce)
		if ir < 0 && in < 0 {
			e.pieces = append(e.pieces, piece{lit: out})
			return e
		}
		p := piece{}
		var i int
		if in < 0 || (ir >= 0 && ir < in) {
			i, p.lit = ir, out[:ir]
			switch {
			case strings.HasSuffix(p.lit, "?return="):
				p.hole = holeQuery
			case strings.HasSuffix(p.lit, `value="`):
				p.hole = holeAttr
			default:
				return nil
			}
			out = out[i+len(markReturn):]
		} else {
			i, p.lit, p.hole = in, out[:in], holeNonce
			if !strings.HasSuffix(p.lit, `nonce="`) {
				return nil
			}
			out = out[i+len(markNonce):]
		}
		e.pieces = append(e.pieces, p)
	}
}

func (e *entry) write(buf *bytes.Buffer, d *Data) {
	for _, p := range e.pieces {
		buf.WriteString(p.lit)
		switch p.hole {
		case holeAttr:
			writeAttr(buf, d.Return)
		case holeQuery:
			writeQuery(buf, d.Return)
		case holeNonce:
			writeAttr(buf, d.Nonce)
		}
	}
}

// keyHash hashes every field of d that a cached rendering depends on: all
// but Return and ConsentID, and of Nonce only whether it is set.
func keyHash(d *Data) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	s := func(v string) {
		h.WriteString(v)
		h.WriteByte(0)
	}
	flag := func(v bool) {
		if v {
			h.WriteByte(1)
		} else {
			h.WriteByte(2)
		}
	}
	s(d.Lang)
	s(d.Dir)
	t := &d.Texts
	for _, v := range [...]string{t.Title, t.Text, t.AcceptAll, t.RejectAll, t.Choose, t.Policy,
		t.Language, t.LanguageSubmit, t.GPC, t.PrefsTitle, t.PrefsText, t.Save, t.Close, t.AlwaysOn,
		t.Receipt, t.History, t.Saved, t.Settings} {
		s(v)
	}
	for _, c := range d.Categories {
		s(c.ID)
		s(c.Title)
		s(c.Description)
		flag(c.Granted)
		flag(c.Locked)
	}
	flag(d.Decided)
	flag(d.GPC)
	flag(d.Nonce != "")
	flag(d.Signals)
	s(d.Prefix)
	s(d.Hosts)
	s(d.PolicyURL)
	s(d.Layout)
	s(d.Corner)
	for _, l := range d.Languages {
		s(l.Tag)
		s(l.Name)
		flag(l.Selected)
	}
	for _, m := range d.ConsentMode {
		s(m.Name)
		flag(m.Granted)
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(d.WaitForUpdate))
	h.Write(n[:])
	for _, r := range d.Regions {
		s(r)
	}
	for _, rm := range d.RegionModes {
		for _, r := range rm.Regions {
			s(r)
		}
		for _, m := range rm.Types {
			s(m.Name)
			flag(m.Granted)
		}
	}
	flag(d.OptOut)
	flag(d.Honored)
	flag(d.Notice)
	return h.Sum64()
}

// sameKey reports whether d renders like the cached key k, comparing the
// fields keyHash hashes.
func sameKey(k, d *Data) bool {
	return k.Lang == d.Lang && k.Dir == d.Dir && k.Texts == d.Texts &&
		slices.Equal(k.Categories, d.Categories) && k.Decided == d.Decided && k.GPC == d.GPC &&
		(k.Nonce != "") == (d.Nonce != "") && k.Prefix == d.Prefix && k.Hosts == d.Hosts && k.PolicyURL == d.PolicyURL &&
		k.Layout == d.Layout && k.Corner == d.Corner && k.Signals == d.Signals &&
		slices.Equal(k.Languages, d.Languages) && slices.Equal(k.ConsentMode, d.ConsentMode) &&
		k.WaitForUpdate == d.WaitForUpdate && slices.Equal(k.Regions, d.Regions) &&
		k.OptOut == d.OptOut && k.Honored == d.Honored && k.Notice == d.Notice &&
		equalRegionModes(k.RegionModes, d.RegionModes)
}

func cloneRegionModes(rms []RegionMode) []RegionMode {
	if rms == nil {
		return nil
	}
	out := make([]RegionMode, len(rms))
	for i, rm := range rms {
		out[i] = RegionMode{Regions: append([]string(nil), rm.Regions...), Types: append([]ModeType(nil), rm.Types...)}
	}
	return out
}

func equalRegionModes(a, b []RegionMode) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !slices.Equal(a[i].Regions, b[i].Regions) || !slices.Equal(a[i].Types, b[i].Types) {
			return false
		}
	}
	return true
}
