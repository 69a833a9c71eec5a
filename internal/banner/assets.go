package banner

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed assets/ck.js assets/ck-r.js assets/ck.css assets/ck.d.css templates/banner.tmpl
var embedded embed.FS

// asset is one static file as served: minified, with its gzip form ready so
// the server never compresses it per request.
type asset struct {
	body, gz    []byte
	contentType string
}

// The static files, built once at start-up from the readable sources.
var (
	jsName, cssName string
	// dialogCSSName is the dialog's stylesheet, cssName with ".d.css": the
	// loader derives it from its own name when the dialog opens.
	dialogCSSName string
	// reporterName is the discovery reporter, ck-r.<hash>.js, which the
	// host set loads only once the guard blocked something (HostsFile):
	// it is not part of what every visitor downloads.
	reporterName string
	assets       map[string]asset
	version      string
)

func init() {
	js := minifyJS(mustRead("assets/ck.js"))
	css := minifyCSS(mustRead("assets/ck.css"))
	dcss := minifyCSS(mustRead("assets/ck.d.css"))
	// One hash for both names: the loader finds the stylesheet by swapping
	// its own extension, so the page carries one name instead of two.
	h := sha256.New()
	h.Write(js)
	h.Write(css)
	h.Write(dcss)
	sum := hex.EncodeToString(h.Sum(nil))
	jsName, cssName, dialogCSSName = "ck."+sum[:8]+".js", "ck."+sum[:8]+".css", "ck."+sum[:8]+".d.css"
	assets = map[string]asset{
		jsName:        {js, gzipBytes(js), "text/javascript; charset=utf-8"},
		cssName:       {css, gzipBytes(css), "text/css; charset=utf-8"},
		dialogCSSName: {dcss, gzipBytes(dcss), "text/css; charset=utf-8"},
	}
	rjs := minifyJS(mustRead("assets/ck-r.js"))
	rsum := sha256.Sum256(rjs)
	reporterName = "ck-r." + hex.EncodeToString(rsum[:4]) + ".js"
	assets[reporterName] = asset{rjs, gzipBytes(rjs), "text/javascript; charset=utf-8"}
	h.Write(mustRead("templates/banner.tmpl"))
	version = hex.EncodeToString(h.Sum(nil))[:12]
}

// mustRead reads an embedded file; a missing one is a build mistake that the
// package's tests catch, never something a request can cause.
func mustRead(name string) []byte {
	b, err := fs.ReadFile(embedded, name)
	if err != nil {
		panic("banner: embedded file missing: " + err.Error())
	}
	return b
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	zw.Write(b)                                              // writes to a bytes.Buffer cannot fail
	zw.Close()
	return buf.Bytes()
}

// Asset returns an embedded static file by its hashed name, as named by
// AssetNames, with its Content-Type. The names change whenever the content
// does, so the files may be cached for a year ("immutable"). The returned
// slice is shared and must not be modified.
func Asset(name string) (content []byte, contentType string, ok bool) {
	a, ok := assets[name]
	return a.body, a.contentType, ok
}

// AssetGzip returns the gzip-compressed form of Asset(name), compressed once
// at start-up, for a server that answers Accept-Encoding: gzip with
// Content-Encoding: gzip (and Vary: Accept-Encoding). The returned slice is
// shared and must not be modified.
func AssetGzip(name string) (gz []byte, ok bool) {
	a, ok := assets[name]
	return a.gz, ok
}

// AssetNames returns the hashed names of the loader and the stylesheet, such
// as "ck.3f2a91c0.js" and "ck.3f2a91c0.css". They share the hash.
func AssetNames() (js, css string) {
	return jsName, cssName
}

// Version identifies the banner's templates, script and stylesheet: it
// changes whenever any of them does, so a consent record can name the exact
// banner a visitor saw.
func Version() string {
	return version
}
