// Package geoip locates visitors for consent.Regions from a MaxMind-format
// database (GeoLite2 or GeoIP2 Country or City, or any .mmdb with the same
// "country" and "subdivisions" fields) that the site supplies: this library
// ships no database. It is its own package so that sites behind a CDN, which
// read the CDN's geo header instead (consent.LocateHeaders), do not link the
// reader.
//
//	db, err := geoip.Open("/var/lib/GeoIP/GeoLite2-City.mmdb", nil)
//	…
//	cfg.Regions = consent.Regions{Rules: …, Locate: db.Locate}
package geoip

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/consentkit/consentkit/consent"
)

// ErrOpen is wrapped by Open's errors: the file is missing, unreadable, or
// not a MaxMind DB.
var ErrOpen = errors.New("geoip: cannot open the database")

// cacheSize bounds the decoded records kept: a lookup then costs the tree
// walk only. Records are shared by whole networks, and a country database
// has a few hundred.
const cacheSize = 4096

// Reader locates requests by their client address. It is safe for
// concurrent use.
type Reader struct {
	db       *maxminddb.Reader
	clientIP func(*http.Request) string

	mu    sync.RWMutex
	cache map[uintptr]consent.Region // data offset → its region
}

// record is what a lookup decodes: the fields GeoIP2 and GeoLite2 Country
// and City databases share.
type record struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"subdivisions"`
}

// Open opens the database at path. clientIP returns a request's client
// address, such as consent.Config.ClientIP: behind a reverse proxy, the
// address the proxy reports. nil uses the host of http.Request.RemoteAddr.
// Close the Reader when done.
func Open(path string, clientIP func(*http.Request) string) (*Reader, error) {
	db, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w; download GeoLite2-Country or GeoLite2-City from MaxMind", ErrOpen, path, err)
	}
	return newReader(db, clientIP), nil
}

// OpenBytes is Open for a database already in memory.
func OpenBytes(b []byte, clientIP func(*http.Request) string) (*Reader, error) {
	db, err := maxminddb.OpenBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOpen, err)
	}
	return newReader(db, clientIP), nil
}

func newReader(db *maxminddb.Reader, clientIP func(*http.Request) string) *Reader {
	if clientIP == nil {
		clientIP = remoteHost
	}
	return &Reader{db: db, clientIP: clientIP, cache: make(map[uintptr]consent.Region)}
}

// Close releases the database.
func (g *Reader) Close() error { return g.db.Close() }

// Locate is a consent.Regions.Locate function: the country and first
// subdivision of the request's client address; the zero Region when the
// address is not valid or not in the database.
func (g *Reader) Locate(r *http.Request) consent.Region {
	a, err := netip.ParseAddr(strings.TrimSpace(g.clientIP(r)))
	if err != nil {
		return consent.Region{}
	}
	return g.Lookup(a)
}

// Lookup returns the region of an address.
func (g *Reader) Lookup(a netip.Addr) consent.Region {
	res := g.db.Lookup(a.Unmap().WithZone(""))
	if !res.Found() {
		return consent.Region{}
	}
	off := res.Offset()
	g.mu.RLock()
	reg, ok := g.cache[off]
	g.mu.RUnlock()
	if ok {
		return reg
	}
	var rec record
	if res.Decode(&rec) != nil {
		return consent.Region{}
	}
	sub := ""
	if len(rec.Subdivisions) > 0 {
		sub = rec.Subdivisions[0].ISOCode
	}
	reg = consent.MakeRegion(rec.Country.ISOCode, sub)
	g.mu.Lock()
	if len(g.cache) >= cacheSize {
		for k := range g.cache { // map order is random: random eviction
			delete(g.cache, k)
			break
		}
	}
	g.cache[off] = reg
	g.mu.Unlock()
	return reg
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
