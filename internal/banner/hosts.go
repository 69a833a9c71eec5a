package banner

import (
	"crypto/sha256"
	"encoding/base64"
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
// it, finds them: self.ckH = [k, category, N, base64 of Data, category, …].
// Base64 costs almost nothing once gzipped, and atob decodes it.
func HostsFile(k uint8, sets []HostSet) File {
	b := append(make([]byte, 0, 64), "self.ckH=["...)
	b = strconv.AppendUint(b, uint64(k), 10)
	n := 0
	for _, s := range sets {
		if s.N == 0 {
			continue
		}
		n += s.N
		b = append(b, ',')
		b = strconv.AppendQuote(b, s.Category)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(s.N), 10)
		b = append(b, ",\""...)
		b = base64.StdEncoding.AppendEncode(b, s.Data)
		b = append(b, '"')
	}
	if n == 0 {
		return File{}
	}
	b = append(b, "];\n"...)
	sum := sha256.Sum256(b)
	return File{
		Name:        "ck-hosts." + hex.EncodeToString(sum[:4]) + ".js",
		Body:        b,
		Gzip:        gzipBytes(b),
		ContentType: "text/javascript; charset=utf-8",
	}
}
