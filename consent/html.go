package consent

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/consentkit/consentkit/internal/rewrite"
	"github.com/consentkit/consentkit/internal/trackers"
)

// htmlRewrite is one response's rewrite: the streaming rewriter plus the
// rendered snippets it inserts, all pooled.
type htmlRewrite struct {
	rw                *rewrite.Rewriter
	head, start, body *bytes.Buffer
	data              *banner.Data
	langs             []banner.Language // the banner's own short switcher list
	m                 *Manager
	// ph is s.placeholder, bound once per pooled value: a method value
	// made per response would allocate.
	ph func(dst []byte, category string, src []byte) []byte
}

var rewritePool = sync.Pool{New: func() any { return new(htmlRewrite) }}

// startHTML returns the rewriting stream for an HTML response: head
// snippet, script blocking and banner, in the visitor's language, carrying
// the page's CSP nonce.
func (m *Manager) startHTML(dst io.Writer, r *http.Request, st *State, h http.Header) htmlStream {
	nonce := m.nonceFor(r, h)
	s := rewritePool.Get().(*htmlRewrite)
	s.data = dataPool.Get().(*banner.Data)
	loc := m.localeFor(r, "")
	m.bannerData(s.data, r, st, loc, nonce)
	s.data.Hosts = m.hosts.Name
	s.langs = m.shortLanguages(s.langs, r, loc)
	s.data.Languages = s.langs
	s.head = bufPool.Get().(*bytes.Buffer)
	s.head.Reset()
	s.start = bufPool.Get().(*bytes.Buffer)
	s.start.Reset()
	s.body = bufPool.Get().(*bytes.Buffer)
	s.body.Reset()
	if !m.cfg.NoBanner {
		banner.Head(s.head, s.data)
		banner.BodyStart(s.start, s.data)
		banner.Body(s.body, s.data)
	}
	s.m = m
	if s.ph == nil {
		s.ph = s.placeholder
	}
	cfg := rewrite.Config{Head: s.head.Bytes(), BodyStart: s.start.Bytes(), BodyEnd: s.body.Bytes(), Consent: st, Trackers: m.trackers}
	if !m.cfg.NoBanner && framesSelf(h) {
		cfg.Placeholder = s.ph
	}
	s.rw = rewrite.Get(dst, cfg)
	return s
}

func (s *htmlRewrite) Write(p []byte) (int, error) { return s.rw.Write(p) }
func (s *htmlRewrite) Flush() error                { return s.rw.Flush() }

func (s *htmlRewrite) Close() error {
	err := s.rw.Close()
	s.rw.Put()
	bufPool.Put(s.head)
	bufPool.Put(s.start)
	bufPool.Put(s.body)
	s.data.Languages = nil // shared with the Manager's tables: never reused as scratch
	dataPool.Put(s.data)
	*s = htmlRewrite{langs: s.langs[:0], ph: s.ph}
	rewritePool.Put(s)
	return err
}

// hostsFile builds the host set the loader's runtime guard reads: the
// Manager's own tracker table, with the developer's Config.Trackers, so it
// is built once per Manager and served by it under a name that changes with
// the table. Pages link it while some category is refused (banner.Head).
func hostsFile(t *trackers.Table) banner.File {
	gs := t.GuardSet()
	sets := make([]banner.HostSet, len(gs.Sets))
	for i, c := range gs.Sets {
		sets[i] = banner.HostSet{Category: c.Category, N: c.N, Data: c.Data}
	}
	return banner.HostsFile(gs.K, sets)
}
