package banner

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// HostSet is one category's tracker hosts as the loader's runtime guard
// looks them up: the N sorted, distinct 32-bit FNV-1a hashes of the hosts,
// delta-coded as Golomb-Rice codes, bits packed most significant first (the
// form of trackers.GuardCategory). The guard hashes a URL's host and then
// each parent domain; the first hash found in a set gives the category.
type HostSet struct {
	// Category is the consent category, such as "marketing": a category ID
	// as Config validates them (letters, digits, "-" and "_").
	Category string
	// N is the number of hashes coded in Data.
	N int
	// Data holds the codes.
	Data []byte
}

// File is a static file the middleware serves under {prefix}/assets/ by
// Name, which carries a hash of the content, so that it may be cached for a
// year ("immutable"). Gzip is Body compressed once, for clients that accept
// it. The slices are shared and must not be modified.
type File struct {
	Name        string
	Body, Gzip  []byte
	ContentType string
}

// HostsFile builds the host set the runtime guard needs, a script named
// ck-hosts.<hash>.js, from Golomb-Rice coded sets with parameter k. It
// returns the zero File when no set holds a host: there is nothing to guard,
// and Data.Hosts stays empty.
//
// The script only leaves the sets where the loader, which comes right after
// it, finds them: self.ckH = [category, deltas, category, deltas, …], each
// deltas string the set's hashes as differences from the previous one (the
// first from 0) in base 36, separated by commas. Headless Chromium turns
// 4,000 of them into Sets with split and parseInt in 1 to 3 ms, where reading
// the Golomb-Rice bits one by one took 15 ms, on every page; the text weighs
// an eighth more once gzipped, once per visitor.
//
// With report, the script also leaves self.ckR, which the guard calls with
// each host it blocks and its category: the first call loads the discovery
// reporter (ck-r.<hash>.js), which sends them to {prefix}/report; until it
// runs they wait in self.ckQ. Without report, ckR only passes the category
// on. The guard needs ckR either way.
func HostsFile(k uint8, sets []HostSet, report bool) File {
	b := append(make([]byte, 0, 64), "self.ckH=["...)
	n := 0
	for _, s := range sets {
		if s.N == 0 {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n += s.N
		b = strconv.AppendQuote(b, s.Category)
		b = append(b, ",\""...)
		for i, d := range riceDeltas(s.Data, s.N, k) {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, uint64(d), 36)
		}
		b = append(b, '"')
	}
	if n == 0 {
		return File{}
	}
	b = append(b, "];\n"...)
	if report {
		// currentScript is read now: it is null once this script has run.
		// The prototype's createElement: the reporter is not the page's
		// script, and a wrapper the page put on document (a tag manager's)
		// has no business seeing it.
		b = append(b, `self.ckR=((q,s)=>(u,c)=>(q.push(u+" "+c)<2&&document.head.append(Object.assign(Document.prototype.createElement.call(document,"script"),`+
			`{src:s.src.replace(/[^/]*$/,"`+reporterName+`"),nonce:s.nonce})),c))(self.ckQ=[],document.currentScript);`+"\n"...)
	} else {
		b = append(b, "self.ckR=(u,c)=>c;\n"...)
	}
	sum := sha256.Sum256(b)
	return File{
		Name:        "ck-hosts." + hex.EncodeToString(sum[:4]) + ".js",
		Body:        b,
		Gzip:        gzipBytes(b),
		ContentType: "text/javascript; charset=utf-8",
	}
}

// riceDeltas reads n Golomb-Rice codes with parameter k: for each, one-bits
// up to a zero-bit, each worth 1<<k, then k bits, most significant first.
// Data cut short reads as zero bits: the sets come from the package that
// coded them, never from a request.
func riceDeltas(data []byte, n int, k uint8) []uint32 {
	out := make([]uint32, 0, n)
	p := 0
	bit := func() uint32 {
		if p/8 >= len(data) {
			return 0
		}
		b := uint32(data[p/8]>>(7-p%8)) & 1
		p++
		return b
	}
	for range n {
		var q, r uint32
		for bit() == 1 {
			q++
		}
		for range k {
			r = r<<1 | bit()
		}
		out = append(out, q<<k|r)
	}
	return out
}

// googleTagGuard is what the runtime guard lets through under advanced
// Consent Mode while analytics or marketing is refused: the Google tag's
// script, exactly www.googletagmanager.com/gtag/js without a Tag Manager
// container ID (trackers.Table.WithGoogleTag, read here with the browser's
// own URL parser), and the cookieless pings it then sends to Google
// Analytics' /g/collect. The loader calls self.ckX with each URL it parsed.
const googleTagGuard = `self.ckX=u=>/^https?:$/.test(u.protocol)&&(u.hostname=="www.googletagmanager.com"&&u.pathname=="/gtag/js"&&!u.searchParams.getAll("id").some(i=>/^gtm-/i.test(i))||/(^|\.)google-analytics\.com$|^analytics\.google\.com$/.test(u.hostname)&&u.pathname=="/g/collect");` + "\n"

// GoogleTagHostsFile returns the host set f with the advanced Consent Mode
// exception added (see googleTagGuard), under a name of its own. Pages get
// it instead of f only where the Google tag may load before consent: when
// the site chose advanced Consent Mode and the page carries the Consent
// Mode defaults. The zero File stays zero: without a host set there is no
// guard to make an exception in.
func GoogleTagHostsFile(f File) File {
	if f.Name == "" {
		return f
	}
	b := append(append([]byte(nil), f.Body...), googleTagGuard...)
	sum := sha256.Sum256(b)
	return File{
		Name:        "ck-hosts." + hex.EncodeToString(sum[:4]) + ".js",
		Body:        b,
		Gzip:        gzipBytes(b),
		ContentType: f.ContentType,
	}
}
