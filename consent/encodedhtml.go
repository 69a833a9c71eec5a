package consent

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// encodedHTML handles an HTML response that arrives already encoded, from a
// handler that compressed whatever Accept-Encoding said: gzip is decoded
// and rewritten like any page; any other coding is refused, because passing
// it on would serve the page with its trackers live and no banner. It
// returns the status to send.
func (rw *respWriter) encodedHTML(h http.Header, code int) int {
	ce := strings.Join(h.Values("Content-Encoding"), ", ") // several lines: several codings
	if isGzipCoding(ce) {
		rw.m.warnOncef("content-encoding-gzip", "consent: an HTML response arrived gzip-compressed from inside the consent middleware; "+
			"it is decoded and rewritten, which costs a decompression: make the handler respect Accept-Encoding or put compression outside",
			"path", rw.r.URL.Path)
		h.Del("Content-Encoding")
		rw.beginRewrite(h)
		if rw.html != nil {
			rw.html = newGunzipHTML(rw.html, rw)
		}
		return code
	}
	rw.m.log.Error("consent: refused an HTML response compressed inside the consent middleware: it cannot be rewritten, "+
		"and serving it would run its trackers without consent; put compression outside the consent middleware or make the handler respect Accept-Encoding",
		"path", rw.r.URL.Path, "content_encoding", ce)
	for _, k := range []string{"Content-Encoding", "Content-Length", "Content-Range", "Accept-Ranges", "Etag", "Last-Modified", "Content-Security-Policy"} {
		h.Del(k)
	}
	msg := "Internal Server Error\n"
	if localDevelopment(rw.r) {
		msg = fmt.Sprintf(refusedEncodingPage, ce)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	rw.html = &refusedHTML{dst: bodySink{rw}, msg: msg}
	// 500: this is the server's own setup error, never something the
	// visitor's request caused, and it must not be cached as the page.
	return http.StatusInternalServerError
}

const refusedEncodingPage = `500 Internal Server Error (consentkit, shown on localhost only)

This page was not served: its HTML reached the consent middleware already
compressed (Content-Encoding: %q), so the middleware could neither add the
consent banner nor block the page's trackers. Serving it as it is would run
every tracker without consent.

Fix one of these:
- Put the compression middleware outside the consent middleware. In chi the
  first r.Use is the outermost: r.Use(middleware.Compress(5)) before
  r.Use(cm.Handler). With net/http: gzip(cm.Handler(app)).
- Or let the handler respect Accept-Encoding: the consent middleware removes
  it from page requests, and gzips its own output (Config.Compression).

gzip-compressed HTML is decoded and rewritten; other codings are refused.
Visitors who are not on localhost see a plain "Internal Server Error".
`

func isGzipCoding(ce string) bool {
	ce = strings.TrimSpace(ce)
	return strings.EqualFold(ce, "gzip") || strings.EqualFold(ce, "x-gzip")
}

// localDevelopment reports whether r is a developer's own browser: sent
// from a loopback address to a loopback host name. Behind a reverse proxy
// the address is loopback too, but the host name is the site's.
func localDevelopment(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return false
	}
	name := r.Host
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(name, "[]"))
	return ip != nil && ip.IsLoopback()
}

// refusedHTML replaces a refused body with msg and swallows the handler's
// bytes.
type refusedHTML struct {
	dst  io.Writer
	msg  string
	sent bool
}

func (r *refusedHTML) send() error {
	if r.sent {
		return nil
	}
	r.sent = true
	_, err := io.WriteString(r.dst, r.msg)
	return err
}

func (r *refusedHTML) Write(p []byte) (int, error) {
	if err := r.send(); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (r *refusedHTML) Flush() error { return r.send() }
func (r *refusedHTML) Close() error { return r.send() }
