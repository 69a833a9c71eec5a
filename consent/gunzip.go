package consent

import (
	"compress/gzip"
	"context"
	"io"
)

// gunzipHTML decodes a gzip-encoded HTML body on its way into the
// rewriter, for handlers that compress whatever Accept-Encoding says.
//
// gzip.Reader pulls its input and the handler pushes it, so a goroutine
// runs the decoder, and the two sides hand the body over in lock step:
// Write returns only once the decoder has used all of p and asks for more.
// Only one goroutine at a time therefore touches the rewriter and the
// ResponseWriter, and a Flush after a Write finds everything decodable so
// far already rewritten (a gzip sync flush ends a block, and the decoder
// hands a finished block out before it reads on). This path exists only
// for a misconfigured site, so its goroutine is no concern for the hot
// path.
type gunzipHTML struct {
	dst  htmlStream
	rw   *respWriter
	in   chan []byte   // handler -> decoder: the next compressed bytes; closed at Close
	idle chan struct{} // decoder -> handler: the bytes are used, send more
	done chan struct{} // closed when the decoder stops
	err  error         // why it stopped, set before done is closed
	shut bool          // in is closed
}

func newGunzipHTML(dst htmlStream, rw *respWriter) *gunzipHTML {
	g := &gunzipHTML{dst: dst, rw: rw, in: make(chan []byte), idle: make(chan struct{}), done: make(chan struct{})}
	go g.run(rw.r.Context())
	return g
}

// run decodes until the input ends. ctx ends when the request does, also
// when the handler panicked and Close never comes, so the goroutine never
// outlives its request.
func (g *gunzipHTML) run(ctx context.Context) {
	defer close(g.done)
	src := &handoff{g: g, ctx: ctx}
	zr, err := gzip.NewReader(src)
	if err == io.EOF {
		return // an empty body
	}
	if err == nil {
		buf := make([]byte, 16<<10)
		for {
			n, rerr := zr.Read(buf)
			if src.aborted {
				return // the request is over: the ResponseWriter is not ours any more
			}
			if n > 0 {
				if _, werr := g.dst.Write(buf[:n]); werr != nil {
					g.err = werr // the client went away: nothing to report
					return
				}
			}
			if rerr == io.EOF {
				return // the input ended after a whole gzip stream
			}
			if rerr != nil {
				err = rerr
				break
			}
		}
	}
	if src.aborted {
		return
	}
	g.err = err
	g.rw.m.log.Error("consent: could not decode a gzip-encoded HTML response; the rest of it is dropped", "path", g.rw.r.URL.Path, "err", err)
}

func (g *gunzipHTML) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	select {
	case g.in <- p:
	case <-g.done:
		return 0, errGunzipStopped
	}
	select {
	case <-g.idle:
		return len(p), nil
	case <-g.done:
		if g.err != nil {
			return 0, errGunzipStopped
		}
		return len(p), nil
	}
}

// Flush runs while the decoder waits for input (or has stopped), so the
// rewriter is the handler goroutine's to flush.
func (g *gunzipHTML) Flush() error { return g.dst.Flush() }

func (g *gunzipHTML) Close() error {
	if !g.shut {
		g.shut = true
		close(g.in)
	}
	<-g.done
	return g.dst.Close()
}

// handoff is the decoder's input: the handler's writes, one at a time.
type handoff struct {
	g       *gunzipHTML
	ctx     context.Context
	cur     []byte
	started bool
	aborted bool
}

func (s *handoff) Read(p []byte) (int, error) {
	for len(s.cur) == 0 {
		if !s.more() {
			if s.aborted {
				return 0, s.ctx.Err()
			}
			return 0, io.EOF
		}
	}
	n := copy(p, s.cur)
	s.cur = s.cur[n:]
	return n, nil
}

// more tells the handler its last bytes are used and waits for the next;
// false when the body ended or the request is over.
func (s *handoff) more() bool {
	if s.started {
		select {
		case s.g.idle <- struct{}{}:
		case <-s.ctx.Done():
			s.aborted = true
			return false
		}
	}
	s.started = true
	select {
	case b, ok := <-s.g.in:
		s.cur = b
		return ok
	case <-s.ctx.Done():
		s.aborted = true
		return false
	}
}
