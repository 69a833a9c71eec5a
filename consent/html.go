package consent

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/consentkit/consentkit/internal/banner"
	"github.com/consentkit/consentkit/internal/locales"
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
	// ph is s.placeholder, bound once per pooled value: a method value
	// made per response would allocate.
	ph func(dst []byte, category string, src []byte) []byte

	// What the rewriter reports goes to the Manager's warnings and, when
	// the response is diagnosed, to rec.
	m    *Manager
	rec  *diagRecord
	path string
	// googleTag: the head carries the Consent Mode defaults and the site
	// chose advanced Consent Mode, so the Google tag may load.
	googleTag bool
}

var rewritePool = sync.Pool{New: func() any { return new(htmlRewrite) }}

// startHTML returns the rewriting stream for an HTML response: head
// snippet, script blocking and banner, in the visitor's language, carrying
// the page's CSP nonce. What is injected depends on the page: nothing when
// its handler called LeaveAlone; only what its Content-Security-Policy lets
// work otherwise (see injected). Blocking never depends on either.
func (m *Manager) startHTML(dst io.Writer, r *http.Request, st *State, h http.Header, alone bool) htmlStream {
	nonce := m.nonceFor(r, h)
	s := rewritePool.Get().(*htmlRewrite)
	s.data = dataPool.Get().(*banner.Data)
	s.head = bufPool.Get().(*bytes.Buffer)
	s.head.Reset()
	s.start = bufPool.Get().(*bytes.Buffer)
	s.start.Reset()
	s.body = bufPool.Get().(*bytes.Buffer)
	s.body.Reset()
	link := 0
	if !m.cfg.NoBanner && !alone {
		loc := m.localeFor(r, "")
		m.bannerData(s.data, r, st, loc, nonce)
		s.data.Hosts = m.hosts.Name
		s.langs = m.l10n.shortLanguages(s.langs, r, loc)
		s.data.Languages = s.langs
		link = m.injected(s, r, h, nonce)
	}
	s.m, s.path = m, r.URL.Path
	if s.rec = m.diagnosing(h); s.rec != nil {
		s.rec.HTML = true
		s.rec.headersOut(h)
	}
	if s.ph == nil {
		s.ph = s.placeholder
	}
	body := s.body.Bytes()
	cfg := rewrite.Config{Head: s.head.Bytes(), BodyStart: s.start.Bytes(), BodyEnd: body[:link], Settings: body[link:],
		Consent: st, Trackers: m.trackers, Report: s}
	if s.googleTag {
		cfg.Trackers = m.gtagTrackers
	}
	if !m.cfg.NoBanner && !alone {
		frames, objects := placeheld(h)
		if frames {
			cfg.Placeholder = s.ph
		}
		if objects {
			cfg.ObjectPlaceholder = s.ph
		}
	}
	s.rw = rewrite.Get(dst, cfg)
	return s
}

// Neutralised hears the rewriter: see Manager.neutralised.
func (s *htmlRewrite) Neutralised(e rewrite.Event) { s.m.neutralised(s.rec, s.path, e) }

// injected renders into s what the page's CSP lets work (head snippet,
// banner after <body>, reopen control before </body>), and returns where
// the reopen control begins in s.body; the page's own control
// (rewrite.SettingsAttr) replaces it.
//
// The banner needs its loader, its stylesheet and its forms. When the
// policy blocks any of them the page gets no head snippet and no banner,
// which would show unstyled or dead and only add violation reports, but
// still the settings link: a plain link to {prefix}/preferences, a page of
// the middleware's own, that works under any policy, so the visitor can
// still decide and withdraw. The policy blocking only inline scripts costs
// just the Consent Mode snippet. Each case is logged once.
func (m *Manager) injected(s *htmlRewrite, r *http.Request, h http.Header, nonce string) (link int) {
	csp := m.pageCSP(r, h, nonce)
	if !csp.banner() {
		m.warnOncef("csp-banner", "consent: the page's Content-Security-Policy blocks the banner's assets, so it gets only the cookie settings link; allow the consent prefix in script-src, style-src and form-action, or let the middleware see your CSP nonce (Config.Nonce)",
			"path", r.URL.Path, "scripts", csp.scripts, "styles", csp.styles, "forms", csp.forms)
		s.data.Decided = true // Body then renders only the link, shown,
		s.data.Corner = ""    // and in place: no stylesheet would float it
		return banner.Body(s.body, s.data)
	}
	if !csp.inline && len(s.data.ConsentMode) > 0 {
		m.warnOncef("csp-inline", "consent: the page's Content-Security-Policy blocks inline scripts, so the Consent Mode defaults are left out; give the middleware your CSP nonce (Config.Nonce) to keep them",
			"path", r.URL.Path)
		s.data.ConsentMode = s.data.ConsentMode[:0]
	}
	// Advanced Consent Mode lets the Google tag load only under the
	// defaults: a page without them keeps it blocked, in the markup and in
	// the guard.
	if m.gtagTrackers != nil && len(s.data.ConsentMode) > 0 {
		s.googleTag = true
		if s.data.Hosts != "" {
			s.data.Hosts = m.gtagHosts.Name
		}
	}
	banner.Head(s.head, s.data)
	banner.BodyStart(s.start, s.data)
	return banner.Body(s.body, s.data)
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
func hostsFile(t *trackers.Table, report bool) banner.File {
	gs := t.GuardSet()
	sets := make([]banner.HostSet, len(gs.Sets))
	for i, c := range gs.Sets {
		sets[i] = banner.HostSet{Category: c.Category, N: c.N, Data: c.Data}
	}
	return banner.HostsFile(gs.K, sets, report)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

var dataPool = sync.Pool{New: func() any { return new(banner.Data) }}

// bannerData fills a banner.Data for one request.
func (m *Manager) bannerData(d *banner.Data, r *http.Request, st *State, loc locales.Locale, nonce string) {
	lt := m.l10n.locale(loc)
	cats, mode := d.Categories[:0], d.ConsentMode[:0]
	*d = banner.Data{
		Lang: lt.tag, Dir: loc.Dir, Texts: lt.texts, Decided: st.Decided(), GPC: st.GPC(),
		ConsentID: st.ID(), Prefix: m.cfg.Prefix, Return: safeReturn(r.URL.RequestURI()),
		PolicyURL: m.cfg.PolicyURL, Nonce: nonce, Languages: lt.langs,
		WaitForUpdate: m.cfg.ConsentMode.WaitForUpdate, Regions: m.cfg.ConsentMode.Regions,
		Categories: cats, ConsentMode: mode,
		Layout: m.cfg.BannerLayout, Corner: m.cfg.ReopenCorner, Signals: !m.cfg.ConsentMode.NoVendorSignals,
	}
	if st != nil && st.model != "" { // Regions (region.go)
		d.Decided = st.decided || st.model != ModelOptIn // no banner but in the opt-in model
		d.OptOut = st.model == ModelOptOut && !m.regions.ownLink
		d.Honored = st.honored
		d.Notice = st.model == ModelNotice && !st.decided
		if st.region.IsZero() && !st.decided {
			d.RegionModes = m.regionModes[b2i(st.gpc)]
		}
	}
	// A GPC state's sale-or-sharing bits are already cleared (withGPC).
	for i, c := range lt.cats {
		c.Granted = st.granted&(1<<uint(i)) != 0 || c.Locked
		d.Categories = append(d.Categories, c)
	}
	for i, name := range m.modes.names {
		d.ConsentMode = append(d.ConsentMode, banner.ModeType{Name: name, Granted: m.modes.granted(st, i)})
	}
}
