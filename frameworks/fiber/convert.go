package ckfiber

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"

	"github.com/valyala/fasthttp"
)

// convert fills r from ctx's request, as fasthttpadaptor.ConvertRequest
// does, in fewer allocations and without pointing into fasthttp's buffers:
// every string of r (target, host, header keys and values) is a piece of
// one string copied once, so a handler that edits the fasthttp request
// changes nothing consentkit reads, and one header costs no allocation of
// its own. r.Header must be an empty map.
func convert(ctx *fasthttp.RequestCtx, r *http.Request) error {
	rh := &ctx.Request.Header
	var remote []byte
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		remote = a.AddrPort().AppendTo(make([]byte, 0, 64))
	} else {
		remote = []byte(ctx.RemoteAddr().String())
	}
	n := len(ctx.RequestURI()) + len(ctx.Host()) + len(remote)
	kvs := 0
	for k, v := range rh.All() {
		n += len(k) + len(v)
		kvs++
	}
	buf := make([]byte, 0, n)
	buf = append(buf, ctx.RequestURI()...)
	buf = append(buf, ctx.Host()...)
	buf = append(buf, remote...)
	for k, v := range rh.All() {
		buf = append(buf, k...)
		buf = append(buf, v...)
	}
	arena := string(buf)
	take := func(l int) string {
		s := arena[:l]
		arena = arena[l:]
		return s
	}
	r.RequestURI = take(len(ctx.RequestURI()))
	r.Host = take(len(ctx.Host()))
	r.RemoteAddr = take(len(remote))
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		return err
	}
	r.URL = u
	r.Method = method(ctx.Method())
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	if p := rh.Protocol(); string(p) == "HTTP/1.0" {
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
	vals := make([]string, kvs)
	i := 0
	for k, v := range rh.All() {
		key := take(len(k))
		if ck := knownRequestKey(k); ck != "" {
			key = ck
		} else {
			key = http.CanonicalHeaderKey(key)
		}
		val := take(len(v))
		if key == "Host" {
			continue // r.Host, as net/http's server does
		}
		if key == "Transfer-Encoding" {
			r.TransferEncoding = append(r.TransferEncoding, val)
			continue
		}
		if old, ok := r.Header[key]; ok {
			r.Header[key] = append(old[:len(old):len(old)], val)
			continue
		}
		vals[i] = val
		r.Header[key] = vals[i : i+1 : i+1]
		i++
	}
	return nil
}

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
func knownRequestKey(k []byte) string {
	switch string(k) {
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
