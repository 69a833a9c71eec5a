package consent

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Compression configures the gzip compression the middleware applies to
// its own output (Config.Compression).
//
// Why the middleware compresses at all: a compressed HTML body cannot be
// rewritten, so the middleware hides Accept-Encoding from the handlers it
// wraps (a compressor registered inside it then has nothing to do) and
// compresses what it sends itself. One wrapper is then enough, whichever
// order the site's middlewares are in, and a site whose compressor sat
// inside does not turn uncompressed.
type Compression struct {
	// Disabled turns the middleware's own gzip off, for sites that compress
	// in a reverse proxy or with brotli outside the middleware. Handlers
	// inside still do not see Accept-Encoding on requests that may produce
	// a page. Default is false: responses of compressible types are gzipped
	// for clients that accept gzip.
	Disabled bool
	// Level is the gzip level, from 1 (fastest) to 9 (smallest). Default is
	// defaultCompressionLevel.
	Level int
	// MinSize is the smallest body, in bytes, worth compressing; smaller
	// bodies go out as they are (unless the client refuses identity).
	// Default is defaultCompressionMinSize.
	MinSize int
}

// Defaults of Compression.
const (
	// defaultCompressionLevel is gzip level 5. On the 181 pages of the
	// real-page corpus it leaves 20.0% of the HTML against 19.8% at level
	// 6 (gzip.DefaultCompression) for 10-25% less CPU, and level 1 is
	// twice as fast but 18% larger (BenchmarkCompressLevels).
	defaultCompressionLevel = 5
	// defaultCompressionMinSize is about one network packet: a smaller
	// body gains nothing from compression.
	defaultCompressionMinSize = 1400
)

// normalizeCompression fills the defaults of c.Compression and checks it.
func (c *Config) normalizeCompression() error {
	z := &c.Compression
	if z.Level == 0 {
		z.Level = defaultCompressionLevel
	}
	if z.Level < gzip.BestSpeed || z.Level > gzip.BestCompression {
		return fmt.Errorf("%w: Compression.Level %d; use 1 (fastest) to 9 (smallest), or 0 for the default", ErrBadConfig, z.Level)
	}
	if z.MinSize == 0 {
		z.MinSize = defaultCompressionMinSize
	}
	if z.MinSize < 0 {
		return fmt.Errorf("%w: Compression.MinSize %d is negative; use a size in bytes, or 0 for the default", ErrBadConfig, z.MinSize)
	}
	return nil
}

// What a request's Accept-Encoding allows (respWriter.accept).
const (
	acceptGzip       uint8 = 1 << iota // gzip is acceptable and not less wanted than identity
	acceptNoIdentity                   // identity is refused: compress whatever the size
)

// parseAcceptEncoding reads Accept-Encoding values (RFC 9110 12.5.3) for
// what the middleware can send: gzip or identity. Codings it does not
// offer (br, zstd) are ignored. A malformed q-value counts as q=0: not
// compressing is always safe, compressing for a client that cannot decode
// is not.
func parseAcceptEncoding(values []string) uint8 {
	qGzip, qIdentity, qAny := -1, -1, -1 // per mille; -1: not listed
	for _, v := range values {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.TrimSpace(coding)
			q := 1000
			for params != "" {
				var p string
				p, params, _ = strings.Cut(params, ";")
				k, val, _ := strings.Cut(p, "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					q = parseQ(strings.TrimSpace(val))
				}
			}
			switch {
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				qGzip = max(qGzip, q)
			case strings.EqualFold(coding, "identity"):
				qIdentity = q
			case coding == "*":
				qAny = q
			}
		}
	}
	if qGzip < 0 {
		qGzip = max(qAny, 0)
	}
	if qIdentity < 0 {
		// Identity is acceptable unless refused, but an unlisted identity
		// carries no preference: any listed coding is preferred to it.
		qIdentity = 1
		if qAny >= 0 {
			qIdentity = min(qAny, 1)
		}
	}
	var a uint8
	if qGzip > 0 && qGzip >= qIdentity {
		a |= acceptGzip
	}
	if qIdentity == 0 {
		a |= acceptNoIdentity
	}
	return a
}

// parseQ reads a qvalue ("0", "0.5", "1.000") in per mille, or 0 when it is
// malformed.
func parseQ(s string) int {
	if s == "" || (s[0] != '0' && s[0] != '1') || len(s) > 5 || (len(s) > 1 && s[1] != '.') {
		return 0
	}
	q := int(s[0]-'0') * 1000
	scale := 100
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		q += int(s[i]-'0') * scale
		scale /= 10
	}
	return min(q, 1000)
}

// subresourceDests are the Sec-Fetch-Dest values of requests a browser
// never renders as a page: a script, a style sheet, an image. Such
// requests keep their Accept-Encoding, so that precompressed assets (a
// brotli bundle, say) still reach the browser as they are. fetch() is
// dest "empty", which htmx and hx-boost use for pages too, so it is not
// here. Should a subresource answer with encoded HTML after all, gzip is
// decoded and anything else refused (encodedHTML), as for any request.
var subresourceDests = map[string]bool{
	"script": true, "style": true, "image": true, "font": true, "audio": true, "video": true,
	"track": true, "manifest": true, "worker": true, "sharedworker": true, "serviceworker": true,
	"audioworklet": true, "paintworklet": true,
}

// mayBeHTML reports whether a request may be answered with a page. Only a
// subresource's Sec-Fetch-Dest says no: browsers set it and page scripts
// cannot. Accept is no such sign: a fetch() asking for JSON from a URL
// that answers with a page would get that page br-encoded from a
// compressor inside, which can only be refused with a 500.
func mayBeHTML(h http.Header) bool {
	d := h["Sec-Fetch-Dest"]
	return len(d) != 1 || !subresourceDests[d[0]]
}

// negotiate reads what r's Accept-Encoding allows for the middleware's own
// output and returns the request to pass to the wrapped handler: r without
// Accept-Encoding when the response may be HTML, so that a compressor
// inside the middleware leaves the page readable to the rewriter.
//
// r must be the middleware's own shallow copy of the caller's request
// (Handler's WithContext made it). Its Header map is still the caller's,
// and middlewares outside read that map after the handler returns (access
// logs) or at their own WriteHeader (a compressor outside deciding late),
// so the map is never edited in place: the copy gets a new map without
// Accept-Encoding. That costs one map of the header's size per request
// that sends Accept-Encoding; the value slices are shared, not copied.
func (rw *respWriter) negotiate(r *http.Request) *http.Request {
	ae, ok := r.Header["Accept-Encoding"]
	if !ok {
		return r
	}
	if !rw.m.cfg.Compression.Disabled {
		rw.accept = parseAcceptEncoding(ae)
	}
	if !mayBeHTML(r.Header) {
		return r
	}
	h := make(http.Header, len(r.Header))
	for k, v := range r.Header {
		if k != "Accept-Encoding" {
			h[k] = v
		}
	}
	r.Header = h
	rw.r = r
	return r
}

// compressibleType reports whether a Content-Type is worth gzipping: text,
// JSON, XML, JavaScript, SVG, WebAssembly. Images, fonts in WOFF and
// archives are compressed already; an event stream is left alone because
// some proxies buffer compressed streams.
func compressibleType(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.ToLower(strings.TrimSpace(ct))
	typ, sub, ok := strings.Cut(ct, "/")
	switch {
	case !ok:
		return false
	case typ == "text":
		return sub != "event-stream"
	case strings.HasSuffix(sub, "+json"), strings.HasSuffix(sub, "+xml"):
		return true
	case typ == "application":
		switch sub {
		case "json", "javascript", "x-javascript", "ecmascript", "xml", "wasm", "manifest+json":
			return true
		}
	case typ == "font":
		return sub == "ttf" || sub == "otf"
	}
	return false
}

// sendHeader sends the final status of a response, or, when the middleware
// is to gzip the body, holds it in a compressor that sends it once it knows
// whether the body reaches Compression.MinSize.
func (rw *respWriter) sendHeader(code int) {
	if rw.accept&acceptGzip == 0 || code < 200 || code == http.StatusNoContent || code == http.StatusPartialContent ||
		code == http.StatusNotModified || rw.r.Method == http.MethodHead {
		rw.w.WriteHeader(code)
		return
	}
	h := rw.w.Header()
	if first(h, "Content-Encoding") != "" || first(h, "Content-Range") != "" || !compressibleType(first(h, "Content-Type")) || noTransform(h) {
		rw.w.WriteHeader(code)
		return
	}
	minSize := rw.m.cfg.Compression.MinSize
	if rw.accept&acceptNoIdentity != 0 {
		minSize = 0
	}
	if cl := first(h, "Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n < int64(minSize) {
			rw.w.WriteHeader(code) // known to be small: no need to hold anything
			return
		}
	}
	z := compressorPool.Get().(*compressor)
	z.rw, z.status, z.min, z.level = rw, code, minSize, rw.m.cfg.Compression.Level
	rw.cz = z
}

func noTransform(h http.Header) bool {
	for _, v := range h["Cache-Control"] {
		if containsFold(v, "no-transform") {
			return true
		}
	}
	return false
}

// containsFold is strings.Contains for an ASCII lower-case needle, ignoring
// the case of s, without allocating.
func containsFold(s, lower string) bool {
	for i := 0; i+len(lower) <= len(s); i++ {
		j := 0
		for ; j < len(lower); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[j] {
				break
			}
		}
		if j == len(lower) {
			return true
		}
	}
	return false
}

// body is where the response's bytes go: the compressor when there is one.
func (rw *respWriter) body() io.Writer {
	if rw.cz != nil {
		return rw.cz
	}
	return rw.w
}

// bodySink is the rewriter's destination: the response's body, wherever
// sendHeader decides it goes (it decides after the rewriter is set up).
type bodySink struct{ rw *respWriter }

func (s bodySink) Write(p []byte) (int, error) { return s.rw.body().Write(p) }

// compressor gzips one response's body. Until MinSize bytes have come it
// holds them with the status; then it sends the headers, marked as gzip,
// and streams through a pooled gzip.Writer. A Flush before that starts the
// gzip stream (a streaming response is worth compressing); the end of a
// response below MinSize sends it as it is.
type compressor struct {
	rw     *respWriter
	status int
	min    int
	level  int
	buf    []byte
	zw     *gzip.Writer
	mode   uint8
}

const (
	czHolding uint8 = iota
	czGzip
	czPlain
)

var compressorPool = sync.Pool{New: func() any { return new(compressor) }}

// gzipPools hold gzip writers per level: a writer costs about 800 KB of
// tables to make, so it is made rarely and reset per response.
var gzipPools [gzip.BestCompression + 1]sync.Pool

func (z *compressor) Write(p []byte) (int, error) {
	switch z.mode {
	case czGzip:
		return z.zw.Write(p)
	case czPlain:
		return z.rw.w.Write(p)
	}
	if len(z.buf)+len(p) < z.min {
		z.buf = append(z.buf, p...)
		return len(p), nil
	}
	if err := z.start(true); err != nil {
		return 0, err
	}
	return z.zw.Write(p)
}

// start sends the headers, gzip-encoded or not, then what was held.
func (z *compressor) start(compress bool) error {
	rw := z.rw
	h := rw.w.Header()
	// net/http ignores headers set after WriteHeader; holding the status
	// would let them through, so they pass the same filters again.
	rw.m.filterSetCookies(h, rw.st)
	rw.m.filterFetchHeaders(h, rw.st)
	if !compress {
		z.mode = czPlain
		rw.w.WriteHeader(z.status)
		_, err := rw.w.Write(z.buf)
		return err
	}
	z.mode = czGzip
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	h.Del("Accept-Ranges") // ranges would count the uncompressed bytes
	if et := h.Get("Etag"); et != "" && !strings.HasPrefix(et, "W/") {
		h.Set("Etag", "W/"+et)
	}
	addVary(h, "Accept-Encoding")
	rw.w.WriteHeader(z.status)
	if zw, _ := gzipPools[z.level].Get().(*gzip.Writer); zw != nil {
		zw.Reset(rw.w)
		z.zw = zw
	} else {
		z.zw, _ = gzip.NewWriterLevel(rw.w, z.level) // level checked by New
	}
	_, err := z.zw.Write(z.buf)
	return err
}

// flush pushes everything written so far to the client's side of gzip.
func (z *compressor) flush() error {
	if z.mode == czHolding {
		if err := z.start(true); err != nil {
			return err
		}
	}
	if z.mode == czGzip {
		return z.zw.Flush()
	}
	return nil
}

// close ends the body and returns z to its pool. hijacked says the
// connection is gone: nothing is written then.
func (z *compressor) close(hijacked bool) {
	if !hijacked {
		if z.mode == czHolding {
			_ = z.start(z.min == 0)
		}
		if z.mode == czGzip {
			_ = z.zw.Close()
		}
	}
	if z.zw != nil {
		z.zw.Reset(io.Discard)
		gzipPools[z.level].Put(z.zw)
	}
	buf := z.buf[:0]
	if cap(buf) > 64<<10 {
		buf = nil // MinSize was set very large: do not pin it in the pool
	}
	*z = compressor{buf: buf}
	compressorPool.Put(z)
}
