package ckfiber

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/valyala/fasthttp"
)

// convert fills r from ctx's request, as fasthttpadaptor.ConvertRequest
// does, in fewer allocations and without pointing into fasthttp's buffers:
// every string of r (target, host, address, header keys and values) is a
// piece of one string copied once, so a handler that edits the fasthttp
// request changes nothing consentkit reads, and one header costs no
// allocation of its own. r.Header must be an empty map; scratch is a
// buffer kept from one request to the next.
func convert(ctx *fasthttp.RequestCtx, r *http.Request, scratch *[]byte) error {
	// One pass over the headers copies them into scratch and notes where
	// each one is; the string made of scratch is then cut at those places.
	type span struct{ k, v int }
	var stack [24]span
	spans := stack[:0]
	buf := append((*scratch)[:0], ctx.RequestURI()...)
	nURI := len(buf)
	// The Host header, as net/http's r.Host; ctx.Host() would parse the
	// whole URI for it.
	host := ctx.Request.Header.Host()
	if len(host) == 0 {
		host = ctx.Host() // an absolute request target without Host
	}
	buf = append(buf, host...)
	nHost := len(buf) - nURI
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		buf = a.AddrPort().AppendTo(buf)
	} else {
		buf = append(buf, ctx.RemoteAddr().String()...)
	}
	nRemote := len(buf) - nURI - nHost
	for k, v := range ctx.Request.Header.All() {
		buf = append(buf, k...)
		buf = append(buf, v...)
		spans = append(spans, span{len(k), len(v)})
	}
	*scratch = buf
	arena := string(buf)
	take := func(l int) string {
		s := arena[:l]
		arena = arena[l:]
		return s
	}
	r.RequestURI = take(nURI)
	r.Host = take(nHost)
	r.RemoteAddr = take(nRemote)
	u, err := parseTarget(r.RequestURI)
	if err != nil {
		return err
	}
	r.URL = u
	r.Method = method(ctx.Method())
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	if p := ctx.Request.Header.Protocol(); string(p) == "HTTP/1.0" {
		r.Proto, r.ProtoMinor = "HTTP/1.0", 0
	} else if string(p) == "HTTP/2" {
		r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/2.0", 2, 0
	}
	r.TLS = ctx.TLSConnectionState()
	if body := ctx.PostBody(); len(body) > 0 {
		r.ContentLength = int64(len(body))
		r.Body = io.NopCloser(bytes.NewReader(body))
	} else {
		r.Body = http.NoBody
	}
	vals := make([]string, len(spans))
	for i, sp := range spans {
		key := take(sp.k)
		if ck := knownRequestKey(key); ck != "" {
			key = ck
		} else {
			key = http.CanonicalHeaderKey(key)
		}
		val := take(sp.v)
		switch key {
		case "Host":
			continue // r.Host, as net/http's server does
		case "Transfer-Encoding":
			r.TransferEncoding = append(r.TransferEncoding, val)
			continue
		}
		if old, ok := r.Header[key]; ok {
			r.Header[key] = append(old[:len(old):len(old)], val)
			continue
		}
		vals[i] = val
		r.Header[key] = vals[i : i+1 : i+1]
	}
	return nil
}

// parseTarget is url.ParseRequestURI, with a short cut for the usual
// target: an absolute path of the bytes net/url leaves unescaped in a path,
// and maybe a query without escapes, fragment, control or non-ASCII bytes:
// its URL is its two halves as they are.
func parseTarget(t string) (*url.URL, error) {
	if len(t) == 0 || t[0] != '/' || (len(t) > 1 && t[1] == '/') {
		return url.ParseRequestURI(t)
	}
	q := -1
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c <= ' ' || c >= 0x7f || c == '%' || c == '#':
			return url.ParseRequestURI(t)
		case q >= 0:
		case c == '?':
			q = i
		case !plainPathByte(c):
			return url.ParseRequestURI(t)
		}
	}
	if q < 0 {
		return &url.URL{Path: t}, nil
	}
	return &url.URL{Path: t[:q], RawQuery: t[q+1:], ForceQuery: q == len(t)-1}, nil
}

// plainPathByte reports whether net/url keeps c as it is in a path.
func plainPathByte(c byte) bool { return plainPath[c] }

var plainPath = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-_.~$&+,/:;=@", byte(c)) >= 0
	}
	return t
}()

// method returns m as one of net/http's method constants, without
// allocating, or as a new string.
func method(m []byte) string {
	switch string(m) {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	case http.MethodHead:
		return http.MethodHead
	case http.MethodPut:
		return http.MethodPut
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodPatch:
		return http.MethodPatch
	case http.MethodOptions:
		return http.MethodOptions
	}
	return string(m)
}

// knownRequestKey returns the canonical form of the request headers
// browsers send on every request, or "".
func knownRequestKey(k string) string {
	switch k {
	case "Host":
		return "Host"
	case "User-Agent":
		return "User-Agent"
	case "Accept":
		return "Accept"
	case "Accept-Encoding":
		return "Accept-Encoding"
	case "Accept-Language":
		return "Accept-Language"
	case "Cookie":
		return "Cookie"
	case "Referer":
		return "Referer"
	case "Origin":
		return "Origin"
	case "Content-Type":
		return "Content-Type"
	case "Content-Length":
		return "Content-Length"
	case "Sec-Fetch-Dest":
		return "Sec-Fetch-Dest"
	case "Sec-Fetch-Mode":
		return "Sec-Fetch-Mode"
	case "Sec-Fetch-Site":
		return "Sec-Fetch-Site"
	case "Sec-Gpc":
		return "Sec-Gpc"
	case "Connection":
		return "Connection"
	case "Upgrade-Insecure-Requests":
		return "Upgrade-Insecure-Requests"
	}
	return ""
}
