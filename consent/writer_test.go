package consent

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fake inner writers with every combination of optional interfaces.
type fW struct{ http.ResponseWriter }
type fhW struct{ http.ResponseWriter }
type frW struct{ http.ResponseWriter }
type fhrW struct{ http.ResponseWriter }

func (fW) Flush()                                         {}
func (fhW) Flush()                                        {}
func (fhW) Hijack() (net.Conn, *bufio.ReadWriter, error)  { return nil, nil, http.ErrHijacked }
func (frW) Flush()                                        {}
func (frW) ReadFrom(r io.Reader) (int64, error)           { return 0, nil }
func (fhrW) Flush()                                       {}
func (fhrW) Hijack() (net.Conn, *bufio.ReadWriter, error) { return nil, nil, http.ErrHijacked }
func (fhrW) ReadFrom(r io.Reader) (int64, error)          { return 0, nil }

func TestWrapperKeepsExactlyTheInnerInterfaces(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	rec := func() *httptest.ResponseRecorder { return httptest.NewRecorder() }
	type onlyW struct{ http.ResponseWriter } // hides the recorder's Flush
	tests := map[string]http.ResponseWriter{
		"none":        onlyW{rec()},
		"flusher":     fW{rec()},
		"hijacker":    onlyHijack{rec()},
		"readerfrom":  onlyReadFrom{rec()},
		"f+h":         fhW{rec()},
		"f+r":         frW{rec()},
		"h+r":         onlyHR{rec()},
		"f+h+r":       fhrW{rec()},
		"recorder(f)": rec(),
	}
	for name, inner := range tests {
		t.Run(name, func(t *testing.T) {
			st := NewState(nil, Necessary)
			got, core, r := m.wrap(inner, httptest.NewRequest("GET", "/", nil), st)
			assert.Same(t, st, FromRequest(r), "the request carries the State")
			assert.Same(t, r, core.r)
			_, wantF := inner.(http.Flusher)
			_, wantH := inner.(http.Hijacker)
			_, wantR := inner.(io.ReaderFrom)
			_, gotF := got.(http.Flusher)
			_, gotH := got.(http.Hijacker)
			_, gotR := got.(io.ReaderFrom)
			assert.Equal(t, wantF, gotF, "Flusher")
			assert.Equal(t, wantH, gotH, "Hijacker")
			assert.Equal(t, wantR, gotR, "ReaderFrom")
			u, ok := got.(interface{ Unwrap() http.ResponseWriter })
			require.True(t, ok, "Unwrap for http.ResponseController")
			assert.Equal(t, inner, u.Unwrap())
			assert.Equal(t, inner, core.w)
		})
	}
}

type onlyHijack struct{ http.ResponseWriter }

func (onlyHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) { return nil, nil, http.ErrHijacked }

type onlyReadFrom struct{ http.ResponseWriter }

func (onlyReadFrom) ReadFrom(r io.Reader) (int64, error) { return 0, nil }

type onlyHR struct{ http.ResponseWriter }

func (onlyHR) Hijack() (net.Conn, *bufio.ReadWriter, error) { return nil, nil, http.ErrHijacked }
func (onlyHR) ReadFrom(r io.Reader) (int64, error)          { return 0, nil }

func TestNonHTMLPassesThroughUnchanged(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	body := `{"a":1}`
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "7")
		w.Header().Set("ETag", `"abc"`)
		_, _ = io.WriteString(w, body)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	assert.Equal(t, body, rec.Body.String())
	assert.Equal(t, "7", rec.Header().Get("Content-Length"))
	assert.Equal(t, `"abc"`, rec.Header().Get("ETag"))
	assert.Empty(t, rec.Header().Values("Vary"), "no Vary: Cookie on responses that do not depend on consent")
}

func TestHijackAndFlushThroughRealServer(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/hijack", func(w http.ResponseWriter, r *http.Request) {
		c, bw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer c.Close()
		_, _ = bw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		_ = bw.Flush()
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: first\n\n")
		require.NoError(t, http.NewResponseController(w).Flush())
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		_, _ = io.WriteString(w, "data: second\n\n")
	})
	srv := httptest.NewServer(m.Handler(mux))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/hijack")
	require.NoError(t, err)
	assert.Equal(t, "hijacked", readAll(t, resp))

	resp, err = srv.Client().Get(srv.URL + "/stream")
	require.NoError(t, err)
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "data: first\n", line, "flushed bytes arrive before the handler finishes")
	close(release)
	rest, err := io.ReadAll(br)
	require.NoError(t, err)
	assert.Equal(t, "\ndata: second\n\n", string(rest))
}

// serveStatus answers method on / through m with a handler that writes code
// and body, typed text/html unless sniffed, with a Location for a redirect.
func serveStatus(m *Manager, method string, code int, typed bool, body string) *httptest.ResponseRecorder {
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if typed {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		if code >= 300 && code < 400 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/", nil))
	return rec
}

// TestErrorPagesRewritten: a site's own 404 or 500 page is built from the
// same template as its other pages, analytics tag included, and a browser
// loads what it names as from a 200's. Every status whose body a browser
// shows as a page is rewritten; the others pass through untouched.
func TestErrorPagesRewritten(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	const page = `<!doctype html><html><head><title>Not here</title>` +
		`<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script></head><body><p>Nothing here.</p></body></html>`
	for _, code := range []int{200, 201, 203, 400, 403, 404, 410, 451, 500, 503} {
		for _, typed := range []bool{true, false} { // false: sniffed, as net/http would
			rec := serveStatus(m, "GET", code, typed, page)
			assert.Equal(t, code, rec.Code)
			body := rec.Body.String()
			assert.NotContains(t, body, `<script async src="https://www.googletagmanager.com`, "%d (typed %v): the tag is live", code, typed)
			assert.Contains(t, body, `data-ck-src="https://www.googletagmanager.com/gtag/js?id=G-1"`, "%d (typed %v)", code, typed)
			assert.Contains(t, body, `id="ck-banner"`, "%d (typed %v): no banner", code, typed)
		}
	}
	// No page: no body (204, 205, 304), a byte range (206) that must not
	// shift, a redirect a browser follows without showing its body.
	for _, code := range []int{204, 205, 206, 301, 302, 303, 304, 307, 308} {
		rec := serveStatus(m, "GET", code, true, page)
		assert.Equal(t, code, rec.Code)
		if code != 204 && code != 304 && code != 205 {
			assert.Equal(t, page, rec.Body.String(), "%d: passed through", code)
		}
	}
}

func TestStatusesAndMethodsPassThrough(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	for _, code := range []int{http.StatusNoContent, http.StatusNotModified, http.StatusPartialContent} {
		rec := serveStatus(m, "GET", code, true, "")
		assert.Equal(t, code, rec.Code)
		assert.Empty(t, rec.Body.String())
	}
	// HEAD of a page: its headers, no rewriting (there is no body).
	for _, code := range []int{http.StatusOK, http.StatusNotFound} {
		rec := serveStatus(m, "HEAD", code, true, "")
		assert.Equal(t, code, rec.Code)
		assert.Empty(t, rec.Body.String())
	}
	// 1xx informational responses go straight out; the final status follows.
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "done")
	})))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	assert.Equal(t, "done", readAll(t, resp))
	assert.Equal(t, 200, resp.StatusCode)
}

func TestReadFromPassesThrough(t *testing.T) {
	t.Parallel()
	m := fuzzManager(t)
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		n, err := w.(io.ReaderFrom).ReadFrom(strings.NewReader(strings.Repeat("z", 100000)))
		assert.NoError(t, err)
		assert.Equal(t, int64(100000), n)
	})))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	assert.Len(t, readAll(t, resp), 100000)
}

// TestStateContext: the State's context, embedded in the response writer
// to save an allocation, behaves as context.WithValue would: other keys
// and the deadline come from the parent, a cancel of the parent reaches
// contexts derived from it, and a State set on top wins.
func TestStateContext(t *testing.T) {
	type key struct{}
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.WithValue(context.Background(), key{}, "v"), deadline)
	st := NewState(nil, Necessary)
	c := &stateCtx{Context: parent, st: st}
	assert.Same(t, st, FromContext(c))
	assert.Equal(t, "v", c.Value(key{}))
	d, ok := c.Deadline()
	assert.True(t, ok)
	assert.Equal(t, deadline, d)
	child, cancelChild := context.WithCancel(c)
	defer cancelChild()
	assert.Same(t, st, FromContext(child))
	other := NewState(nil)
	assert.Same(t, other, FromContext(WithState(child, other)))
	cancel()
	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a cancel of the parent did not reach the derived context")
	}
	assert.ErrorIs(t, child.Err(), context.Canceled)
	assert.Contains(t, fmt.Sprint(c), "consent.State")
}

// TestIsHTML: the early rejection of isHTML agrees with trimming and
// comparing, Unicode spaces included (a type the browser might sniff as
// HTML must never skip the rewrite).
func TestIsHTML(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/html": true, "TEXT/HTML; charset=utf-8": true, " text/html ": true, "\ttext/html;x": true,
		"\u00a0text/html": true, "\u0085text/html": true, "\vtext/html": true, "Text/Html": true,
		"text/htmlx": false, "text/plain": false, "application/json": false, "": false, "text/htm": false,
		"application/xhtml+xml": false, "xtext/html": false,
	} {
		ref := strings.EqualFold(strings.TrimSpace(strings.Split(ct, ";")[0]), "text/html")
		require.Equal(t, ref, want, "the table itself, %q", ct)
		assert.Equal(t, want, isHTML(ct), "%q", ct)
	}
}
