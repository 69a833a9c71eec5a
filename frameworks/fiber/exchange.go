package ckfiber

import (
	"bufio"
	"net/http"
	"sync"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
)

// exchange is one request's trip through consentkit: the *http.Request
// consentkit reads, and the in-memory http.ResponseWriter it writes to,
// whose result commit copies into the fasthttp response. Exchanges are
// pooled, with their maps and buffers.
type exchange struct {
	c       fiber.Ctx
	req     http.Request
	r       *http.Request       // req as consentkit hands it to the chain
	sw      func(*bufio.Writer) // a page begun with SendStreamWriter
	hdr     http.Header
	status  int
	entered bool // consentkit ran the chain (not one of its endpoints)

	// src is the chain's body as forward hands it to consentkit. When
	// consentkit passes it on unchanged in one write (a response it
	// neither rewrites nor compresses), same is set and nothing is
	// copied: the fasthttp response keeps its body.
	src  []byte
	same bool
	out  []byte // what consentkit wrote, otherwise
	in   []byte // a streamed page, read to its end

	scratch []byte // convert's buffer

	keepStream bool // the fasthttp response keeps its body stream
	streamLen  int  // its Content-Length (-1: chunked)
	dropCE     bool // consentkit's Content-Encoding does not apply to it
}

var exchanges = sync.Pool{New: func() any {
	return &exchange{hdr: make(http.Header), req: http.Request{Header: make(http.Header)}}
}}

// maxPooledBuf keeps a rare huge page from pinning its buffers in the pool.
const maxPooledBuf = 1 << 20

func getExchange(c fiber.Ctx) *exchange {
	x := exchanges.Get().(*exchange) //nolint:forcetypeassert // the pool's New
	x.c = c
	return x
}

func (x *exchange) release() {
	h := x.req.Header
	clear(h)
	x.req = http.Request{Header: h}
	clear(x.hdr)
	out, in, scratch := x.out[:0], x.in[:0], x.scratch[:0]
	if cap(out) > maxPooledBuf {
		out = nil
	}
	if cap(in) > maxPooledBuf {
		in = nil
	}
	if cap(scratch) > 64<<10 {
		scratch = nil
	}
	*x = exchange{req: x.req, hdr: x.hdr, out: out, in: in, scratch: scratch}
	exchanges.Put(x)
}

// exchangeOf finds the exchange under the writers consentkit wrapped
// around it, through their Unwrap methods.
func exchangeOf(w http.ResponseWriter) *exchange {
	for {
		switch v := w.(type) {
		case *exchange:
			return v
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return nil
		}
	}
}

func (x *exchange) Header() http.Header { return x.hdr }

func (x *exchange) WriteHeader(code int) {
	if x.status != 0 || code < 200 {
		return // informational responses (103) are not relayed
	}
	x.status = code
}

func (x *exchange) Write(p []byte) (int, error) {
	if x.status == 0 {
		x.status = http.StatusOK
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !x.same && len(x.out) == 0 && len(p) == len(x.src) && &p[0] == &x.src[0] {
		x.same = true // retained, against the io.Writer rule: commit reads it before anyone changes it
		return len(p), nil
	}
	if x.same {
		x.out = append(x.out, x.src...)
		x.same = false
	}
	x.out = append(x.out, p...)
	return len(p), nil
}

// commit copies what consentkit wrote into resp.
func (x *exchange) commit(resp *fasthttp.Response) {
	status := x.status
	if status == 0 {
		status = http.StatusOK
	}
	if x.entered {
		// x.hdr holds every header the chain set, as consentkit left them.
		resp.Header.Reset()
	} else {
		// One of consentkit's endpoints: keep what middleware before this
		// one set, unless the endpoint sets it too.
		for k := range x.hdr {
			resp.Header.Del(k)
		}
	}
	resp.SetStatusCode(status)
	if _, ok := x.hdr["Content-Type"]; !ok {
		resp.Header.SetNoDefaultContentType(true)
	}
	for k, vs := range x.hdr {
		switch k {
		case "Content-Length", "Transfer-Encoding", "Date":
			continue // fasthttp writes these itself
		case "Content-Encoding":
			if x.dropCE {
				continue // consentkit meant to gzip the empty body it saw
			}
		}
		for _, v := range vs {
			resp.Header.Add(k, v)
		}
	}
	switch {
	case x.keepStream:
		resp.Header.SetContentLength(x.streamLen)
	case x.same:
		// The body is the chain's own, unchanged.
	default:
		old := resp.SwapBody(x.out)
		x.out = old[:0]
	}
}
