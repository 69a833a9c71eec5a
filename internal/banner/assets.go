package banner

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:generate go run ./gen

//go:embed assets/min/ck.js assets/min/ck.v.js assets/min/ck.s.js assets/min/ck.p.js assets/min/ck-r.js assets/ck.css assets/ck.d.css templates/banner.tmpl templates/optout.tmpl
var embedded embed.FS

// asset is one static file as served: minified, with its gzip form ready so
// the server never compresses it per request.
type asset struct {
	body, gz    []byte
	contentType string
}

// The static files, built once at start-up: the scripts as generated, the
// stylesheets minified from their readable sources.
var (
	jsName, cssName string
	// dialogCSSName is the dialog's stylesheet, cssName with ".d.css": the
	// loader derives it from its own name when the dialog opens.
	dialogCSSName string
	// signalsJSName is the loader with the vendor signals hook (ck.v.js),
	// and signalsName the module it imports, ck.<hash>.s.js beside it.
	signalsJSName, signalsName string
	// prefsName is the preferences dialog module, ck.<hash>.p.js, which
	// the loader imports when the dialog first opens (signalsJSName's
	// loader imports its own copy, under its own hash).
	prefsName string
	// reporterName is the discovery reporter, ck-r.<hash>.js, which the
	// host set loads only once the guard blocked something (HostsFile):
	// it is not part of what every visitor downloads.
	reporterName string
	assets       map[string]asset
	version      string
)

func init() {
	// The scripts are minified by esbuild at go generate time (see gen and
	// TestMinifiedAssetsAreFresh); the stylesheets here, by minifyCSS.
	js := mustRead("assets/min/ck.js")
	vjs := mustRead("assets/min/ck.v.js")
	sjs := mustRead("assets/min/ck.s.js")
	pjs := mustRead("assets/min/ck.p.js")
	css := minifyCSS(mustRead("assets/ck.css"))
	dcss := minifyCSS(mustRead("assets/ck.d.css"))
	// One hash for the loader and what it loads: the loader finds the
	// stylesheets and the two modules by swapping its own extension, so
	// the page carries one name instead of several. The loader with the
	// hook gets its own hash, and its own copies of the names.
	names := func(loader []byte) (hash string) {
		h := sha256.New()
		h.Write(loader)
		h.Write(css)
		h.Write(dcss)
		h.Write(sjs)
		h.Write(pjs)
		return hex.EncodeToString(h.Sum(nil))[:8]
	}
	sum, vsum := names(js), names(vjs)
	jsName, cssName, dialogCSSName = "ck."+sum+".js", "ck."+sum+".css", "ck."+sum+".d.css"
	signalsJSName, signalsName = "ck."+vsum+".js", "ck."+vsum+".s.js"
	prefsName = "ck." + sum + ".p.js"
	jsType, cssType := "text/javascript; charset=utf-8", "text/css; charset=utf-8"
	cssAsset, dcssAsset := asset{css, gzipBytes(css), cssType}, asset{dcss, gzipBytes(dcss), cssType}
	prefsAsset := asset{pjs, gzipBytes(pjs), jsType}
	assets = map[string]asset{
		jsName:                  {js, gzipBytes(js), jsType},
		cssName:                 cssAsset,
		dialogCSSName:           dcssAsset,
		signalsJSName:           {vjs, gzipBytes(vjs), jsType},
		"ck." + vsum + ".css":   cssAsset,
		"ck." + vsum + ".d.css": dcssAsset,
		signalsName:             {sjs, gzipBytes(sjs), jsType},
		prefsName:               prefsAsset,
		"ck." + vsum + ".p.js":  prefsAsset,
	}
	rjs := mustRead("assets/min/ck-r.js")
	rsum := sha256.Sum256(rjs)
	reporterName = "ck-r." + hex.EncodeToString(rsum[:4]) + ".js"
	assets[reporterName] = asset{rjs, gzipBytes(rjs), jsType}
	h := sha256.New()
	h.Write(js)
	h.Write(css)
	h.Write(dcss)
	h.Write(pjs)
	h.Write(mustRead("templates/banner.tmpl"))
	h.Write(mustRead("templates/optout.tmpl"))
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
