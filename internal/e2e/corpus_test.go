package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/consentkit/consentkit/consent"
	"github.com/consentkit/consentkit/internal/corpustest"
)

// corpusMode is one way of visiting a corpus page.
type corpusMode int

const (
	corpusRaw       corpusMode = iota // the page as the site served it, without the middleware, JavaScript on
	corpusUndecided                   // through the middleware, an undecided visitor, JavaScript on
	corpusNoJS                        // the same with JavaScript off
	corpusAccepted                    // through the middleware, a visitor who accepted everything
	corpusModes
)

func (m corpusMode) String() string {
	return [...]string{"raw", "undecided", "undecided, no JS", "accepted"}[m]
}

const (
	corpusVisitTimeout = 30 * time.Second // one visit, from clearing the tab to leaving the page
	corpusLoadTimeout  = 10 * time.Second // the load event
	corpusQuiet        = 300 * time.Millisecond
	corpusSettleMax    = 3 * time.Second
)

// corpusRequest is one request the tab refused because it was leaving the
// machine.
type corpusRequest struct {
	URL       string
	Host      string
	Type      string // the resource type
	Initiator string
	By        string // which list knows the host; "" when it is not a tracker
	netID     network.RequestID
}

// key is scheme, host and path: query strings carry cache-busters.
func (r corpusRequest) key() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return r.URL
	}
	return u.Scheme + "://" + strings.ToLower(u.Host) + u.Path
}

// corpusState is what the page looks like once it settled.
type corpusState struct {
	URL     string `json:"url"`
	Banner  bool   `json:"banner"`
	Blocked int    `json:"blocked"`
	Loader  bool   `json:"loader"`
}

// corpusVisit is what one visit of one page in one mode saw.
type corpusVisit struct {
	requests []corpusRequest // refused off-machine requests
	local    int             // requests to 127.0.0.1, let through
	state    corpusState
	loadErr  error // no load event in time (the requests are still counted)
	err      error // the visit could not be made
	took     time.Duration
	// For an undecided visitor with JavaScript: the first layer's figures
	// (look_test.go) and where the first Tab press landed.
	banner   bannerFigures
	firstTab string
}

func (v corpusVisit) trackers() []corpusRequest {
	var out []corpusRequest
	for _, r := range v.requests {
		if r.By != "" {
			out = append(out, r)
		}
	}
	return out
}

// corpusRecorder answers the tab's paused requests and dialogs and records
// the requests of the current visit. Events arrive on chromedp's reading
// goroutine, which must not send commands, so they are queued for serve.
type corpusRecorder struct {
	mu         sync.Mutex
	queue      []any
	pending    int // queued or being answered
	last       time.Time
	requests   []corpusRequest
	local      int
	initiators map[network.RequestID]string
	wake       chan struct{}
}

func newCorpusRecorder() *corpusRecorder {
	return &corpusRecorder{initiators: map[network.RequestID]string{}, wake: make(chan struct{}, 1), last: time.Now()}
}

func (r *corpusRecorder) event(ev any) {
	switch ev := ev.(type) {
	case *fetch.EventRequestPaused, *page.EventJavascriptDialogOpening:
		r.mu.Lock()
		r.queue = append(r.queue, ev)
		r.pending++
		r.last = time.Now()
		r.mu.Unlock()
		select {
		case r.wake <- struct{}{}:
		default:
		}
	case *network.EventRequestWillBeSent:
		init := corpusInitiator(ev.Initiator, ev.DocumentURL)
		r.mu.Lock()
		r.initiators[ev.RequestID] = init
		r.mu.Unlock()
	}
}

// corpusInitiator describes who made a request: the parser (at a line of
// the page), a script (its top frame), a preload, or something else.
func corpusInitiator(in *network.Initiator, doc string) string {
	if in == nil {
		return "?"
	}
	short := func(u string, line float64) string {
		if rest, ok := strings.CutPrefix(u, "http://127.0.0.1:"); ok {
			if _, path, ok := strings.Cut(rest, "/"); ok && (strings.HasPrefix(path, "raw/") || strings.HasPrefix(path, "page/")) {
				u = "page"
			}
		}
		if u == doc {
			u = "page"
		} else if len(u) > 90 {
			u = u[:90] + "…"
		}
		return u + ":" + strconv.Itoa(int(line)+1)
	}
	s := string(in.Type)
	switch {
	case in.Stack != nil && len(in.Stack.CallFrames) > 0:
		f := in.Stack.CallFrames[0]
		s += " " + short(f.URL, float64(f.LineNumber))
	case in.URL != "":
		s += " " + short(in.URL, in.LineNumber)
	}
	return s
}

// serve answers what event queued until ctx ends: an off-machine request
// fails as if an extension had blocked it, a loopback one continues, a
// dialog is accepted (so that a beforeunload prompt cannot hold the tab).
func (r *corpusRecorder) serve(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
		for {
			r.mu.Lock()
			if len(r.queue) == 0 {
				r.mu.Unlock()
				break
			}
			ev := r.queue[0]
			r.queue = r.queue[1:]
			r.mu.Unlock()
			r.answer(ctx, ev)
			r.mu.Lock()
			r.pending--
			r.mu.Unlock()
		}
	}
}

func (r *corpusRecorder) answer(ctx context.Context, ev any) {
	switch ev := ev.(type) {
	case *fetch.EventRequestPaused:
		u, err := url.Parse(ev.Request.URL)
		off, local := err != nil, false
		if err == nil {
			switch strings.ToLower(u.Scheme) {
			case "http", "ws":
				off, local = u.Hostname() != "127.0.0.1", u.Hostname() == "127.0.0.1"
			case "https", "wss":
				// The test server speaks plain HTTP: a page that moves
				// itself to https (many do) would only reach a TLS error.
				off = u.Hostname() != "127.0.0.1"
			}
		}
		switch {
		case local:
			r.mu.Lock()
			r.local++
			r.mu.Unlock()
			_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
			return
		case off:
			req := corpusRequest{URL: ev.Request.URL, Type: string(ev.ResourceType), netID: ev.NetworkID}
			if u != nil {
				req.Host = strings.ToLower(u.Hostname())
			}
			req.By = corpustest.Judge(req.Host).By()
			r.mu.Lock()
			r.requests = append(r.requests, req)
			r.mu.Unlock()
		}
		if ev.ResourceType == network.ResourceTypeDocument {
			// A page that sends itself elsewhere (a redirect to its own
			// domain, frame busting) would otherwise end on an error page
			// with its requests lost: a 204 answer keeps it where it is.
			_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: http.StatusNoContent})
			return
		}
		_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
	case *page.EventJavascriptDialogOpening:
		_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
	}
}

// quiet reports whether nothing was paused for d and nothing waits for an
// answer.
func (r *corpusRecorder) quiet(d time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending == 0 && time.Since(r.last) >= d
}

// take returns the visit's requests, initiators filled in, and starts
// afresh.
func (r *corpusRecorder) take() (reqs []corpusRequest, local int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, q := range r.requests {
		q.Initiator = "?"
		if in, ok := r.initiators[q.netID]; ok {
			q.Initiator = in
		}
		reqs = append(reqs, q)
	}
	local = r.local
	r.requests, r.local, r.initiators = nil, 0, map[network.RequestID]string{}
	return reqs, local
}

// corpusTab is one worker's tab: its own browser context, every request
// intercepted, reused from visit to visit (a fresh tab costs a renderer
// process) with cookies and storage cleared in between.
type corpusTab struct {
	ctx    context.Context
	cancel context.CancelFunc
	rec    *corpusRecorder
	served chan struct{}
}

func newCorpusTab(bctx context.Context) (*corpusTab, error) {
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	tb := &corpusTab{ctx: ctx, cancel: cancel, rec: newCorpusRecorder(), served: make(chan struct{})}
	// The tab lives as long as the context of its first action: that one
	// gets no timeout of its own.
	err := chromedp.Do(ctx)
	if err == nil {
		err = chromedp.Listen(ctx, tb.rec.event)
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("open a tab: %w", err)
	}
	go func() { defer close(tb.served); tb.rec.serve(ctx) }()
	octx, cancelSetup := context.WithTimeout(ctx, 30*time.Second)
	defer cancelSetup()
	for _, step := range []func() error{
		// chromedp enables the DOM, CSS and Log domains on every tab for its
		// own queries; their events cost both processes dearly on big pages
		// and nothing here needs them.
		func() error { _, err := chromedp.Call(octx, dom.Disable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(octx, css.Disable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(octx, log.Disable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(octx, network.Enable, network.EnableParams{}); return err },
		// Tab moves focus as in a focused window, though tabs run at once.
		func() error {
			_, err := chromedp.Call(octx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
			return err
		},
		func() error {
			_, err := chromedp.Call(octx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}})
			return err
		},
	} {
		if err := step(); err != nil {
			tb.close()
			return nil, fmt.Errorf("set the tab up: %w", err)
		}
	}
	return tb, nil
}

func (tb *corpusTab) close() {
	tb.cancel()
	<-tb.served
}

// visit loads target in mode, waits for the load event and a short settle
// (no request paused for 300 ms, at most 3 s), reads the page's state and
// leaves for about:blank, so that what the page sends as it unloads counts
// too. It returns what was requested.
func (tb *corpusTab) visit(origin, target string, mode corpusMode, cookie *http.Cookie) (v corpusVisit) {
	start := time.Now()
	defer func() { v.took = time.Since(start) }()
	ctx, cancel := context.WithTimeout(tb.ctx, corpusVisitTimeout)
	defer cancel()
	tb.rec.take()
	for _, step := range []func() error{
		func() error {
			_, err := chromedp.Call(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: origin, StorageTypes: "all"})
			return err
		},
		func() error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: mode == corpusNoJS})
			return err
		},
		func() error {
			if mode != corpusAccepted {
				return nil
			}
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
				Name: cookie.Name, Value: cookie.Value, URL: origin + "/", Path: "/", HTTPOnly: ptr(true)})
			return err
		},
	} {
		if err := step(); err != nil {
			v.err = fmt.Errorf("prepare the visit: %w", err)
			return v
		}
	}

	lctx, cancelLoad := context.WithTimeout(ctx, corpusLoadTimeout)
	if err := chromedp.Do(lctx, chromedp.Navigate(target)); err != nil {
		v.loadErr = err
	}
	cancelLoad()
	loaded := time.Now()
	for time.Since(loaded) < corpusSettleMax && !(time.Since(loaded) >= corpusQuiet && tb.rec.quiet(corpusQuiet)) {
		if err := chromedp.Do(ctx, chromedp.Sleep(50*time.Millisecond)); err != nil {
			break
		}
	}
	if mode == corpusUndecided {
		// The checks of the first layer, then one Tab press from
		// the fresh page.
		if f, err := chromedp.Run(ctx, chromedp.Evaluate[bannerFigures](bannerProbe)); err == nil {
			v.banner = f
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err == nil {
			v.firstTab, _ = chromedp.Run(ctx, chromedp.Evaluate[string](firstTabProbe))
		}
	}
	st, err := chromedp.Run(ctx, chromedp.Evaluate[corpusState](`(() => {
		const s = {url: location.href, banner: !!document.getElementById('ck-banner'),
			blocked: document.querySelectorAll('[data-ck-blocked]').length, loader: typeof window.consentkit === 'object'};
		try { sessionStorage.clear(); } catch (e) {}
		return s; })()`))
	if err != nil && v.loadErr == nil {
		v.err = fmt.Errorf("read the page's state: %w", err)
	}
	v.state = st
	// A navigation the page starts itself as the tab leaves (a timer that
	// reloads it, a refresh) aborts the tab's (net::ERR_ABORTED, seen once
	// in a run of the whole suite): leave once more, and the page's
	// requests are counted as ever. Leaving can also outlast the visit's
	// budget when the suite's other tests hold both cores (a raw page's
	// scripts, once in a .ci/run, the visit at 30.01 s): the second try
	// then gets a budget of its own.
	err = chromedp.Do(ctx, chromedp.Navigate("about:blank"))
	if err != nil && strings.Contains(err.Error(), "net::ERR_ABORTED") {
		err = chromedp.Do(ctx, chromedp.Navigate("about:blank"))
	} else if err != nil && ctx.Err() != nil {
		lctx, cancelLeave := context.WithTimeout(tb.ctx, corpusLoadTimeout)
		err = chromedp.Do(lctx, chromedp.Navigate("about:blank"))
		cancelLeave()
	}
	if err != nil && v.err == nil {
		v.err = fmt.Errorf("leave the page: %w", err)
	}
	for !tb.rec.quiet(0) {
		if err := chromedp.Do(ctx, chromedp.Sleep(20*time.Millisecond)); err != nil {
			break
		}
	}
	v.requests, v.local = tb.rec.take()
	return v
}

// corpusServer serves every corpus page at /raw/{name} as the site served
// it and at /page/{name} through the consent middleware, on 127.0.0.1.
func corpusServer(t *testing.T, pages []corpustest.Page) string {
	t.Helper()
	byName := make(map[string][]byte, len(pages))
	for _, p := range pages {
		byName[p.Name] = p.HTML
	}
	serve := func(prefix string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, ok := byName[strings.TrimPrefix(r.URL.Path, prefix)]
			if !strings.HasPrefix(r.URL.Path, prefix) || !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Cache-Control", "no-store")
			for len(b) > 0 {
				n := min(4096, len(b))
				if _, err := w.Write(b[:n]); err != nil {
					return
				}
				b = b[n:]
			}
		})
	}
	m, err := consent.New(consent.Config{
		Keys:   []consent.KeyPair{{HashKey: testKey}},
		Store:  &memStore{},
		Cookie: consent.Cookie{Insecure: true}, // plain HTTP on loopback
		// Nothing to gain from gzip on loopback, and the raw pages go out
		// uncompressed too. Under -race it was a third of the test
		// binary's CPU (40 pages: 17-18 CPU-seconds without it, 25-27
		// with it), which the browser's processes need.
		Compression: consent.Compression{Disabled: true},
		Logger:      slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/raw/", serve("/raw/"))
	mux.Handle("/", m.Handler(serve("/page/")))
	return newLoopbackServer(t, mux).URL
}

// corpusAcceptCookie posts an accept_all decision from Go and returns the
// consent cookie the middleware set.
func corpusAcceptCookie(t *testing.T, base string) *http.Cookie {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/consent/decision", url.Values{"action": {"accept_all"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "accept_all")
	for _, ck := range resp.Cookies() {
		if ck.Name == "consent" {
			return ck
		}
	}
	t.Fatalf("accept_all set no consent cookie: %v", resp.Cookies())
	return nil
}

// corpusBrowserFlags are the corpus's own browser's flags beyond the
// suite's. Without the back-forward cache, leaving a page for about:blank
// unloads it, so what it sends as it unloads is counted every time, where
// the cache froze an eligible page instead. Without site isolation, the
// tabs' pages share a few renderer processes instead of starting new ones
// at almost every navigation (Chromium's renderer ids reached 800 over 160
// visits). Measured on 40 pages, 4 tabs, -race, on the shared 2-core
// machine: 352 renderer processes seen and 167 CPU-seconds (browser,
// renderers, GPU process and test binary) before, 10 and 142 after;
// leaving a page took 0.5 s a visit before, 0.2 s after; the refused and
// tracker request counts stayed within their run-to-run noise. The other
// tests keep a browser configured as a visitor's is.
//
// Hyperlink auditing is on in this browser (the suite's turns it off, as
// a quiet profile): TestPingsBlockedUntilConsent follows links to see
// their pings; the corpus test follows none.
var corpusBrowserFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,BackForwardCache,site-per-process,IsolateOrigins"),
	chromedp.Flag("disable-site-isolation-trials", true),
	chromedp.Flag("no-pings", false),
}

// corpusTabs is how many tabs visit pages at once.
func corpusTabs() int {
	if n, err := strconv.Atoi(os.Getenv("CONSENT_CORPUS_TABS")); err == nil && n > 0 {
		return n
	}
	return 4
}

// corpusList formats requests for a log, at most limit of them.
func corpusList(rs []corpusRequest, limit int) string {
	var b strings.Builder
	for i, r := range rs {
		if i == limit {
			fmt.Fprintf(&b, "\n      … and %d more", len(rs)-i)
			break
		}
		u := r.URL
		if len(u) > 140 {
			u = u[:140] + "…"
		}
		fmt.Fprintf(&b, "\n      %-10s %s [%s] ← %s", r.Type, u, r.By, r.Initiator)
	}
	return b.String()
}

// TestCorpusInBrowser loads each real corpus page (../shared/corpus/pages)
// in Chromium four times: as the site served it, through the middleware for
// an undecided visitor with and without JavaScript, and for a visitor who
// accepted everything. The tab intercepts every request (Fetch domain):
// those to the test server on 127.0.0.1 go on, every other one is refused
// (BlockedByClient; a document, a 204 that leaves the page where it is) and
// recorded with its resource type and initiator. An undecided visitor's
// browser must not even ask for a tracker (by the generated table or the
// independent list of internal/corpustest), and a visitor who accepted must
// ask for at least 99% of the tracker URLs the page asks for without the
// middleware.
//
// CONSENT_CORPUS_TABS sets how many tabs visit pages at once (default 4);
// CONSENT_CORPUS_REPORT names a file that gets every tracker request as a
// JSON line. Requests made by workers and popups are not intercepted (they
// are other targets); Chromium's host resolver still sends them nowhere.
func TestCorpusInBrowser(t *testing.T) {
	if !enabled() {
		t.Skip(skipMessage)
	}
	pages, err := corpustest.Load()
	if errors.Is(err, corpustest.ErrNoCorpus) {
		t.Skipf("real-page corpus absent, skipping: %v", err)
	}
	require.NoError(t, err)
	start := time.Now()
	bctx, err := corpusBrowser.start(corpusBrowserFlags...)
	require.NoError(t, err, "CONSENT_BROWSER=1 needs a working Chromium")
	base := corpusServer(t, pages)
	cookie := corpusAcceptCookie(t, base)

	type job struct {
		page int
		mode corpusMode
	}
	visits := make([][corpusModes]corpusVisit, len(pages))
	jobs := make(chan job)
	var wg sync.WaitGroup
	tabs := corpusTabs()
	for range tabs {
		wg.Go(func() {
			var tb *corpusTab
			defer func() {
				if tb != nil {
					tb.close()
				}
			}()
			for j := range jobs {
				p := pages[j.page].Name
				target := base + "/page/" + p
				if j.mode == corpusRaw {
					target = base + "/raw/" + p
				}
				if tb == nil {
					var err error
					if tb, err = newCorpusTab(bctx); err != nil {
						visits[j.page][j.mode] = corpusVisit{err: err}
						continue
					}
				}
				v := tb.visit(base, target, j.mode, cookie)
				if v.err != nil || v.loadErr != nil {
					// Whatever went wrong may have left the tab unusable.
					tb.close()
					tb = nil
				}
				visits[j.page][j.mode] = v
			}
		})
	}
	go func() {
		for i := range pages {
			for m := range corpusModes {
				jobs <- job{i, m}
			}
		}
		close(jobs)
	}()
	// The tabs have begun, in the sequential pass; the checks wait for
	// them in parallel with the other tests, which wait on timers and
	// pages much of their time. Calling Parallel first would start the
	// tabs only when the scheduler hands this test one of the -parallel
	// slots: in a run of the whole suite, a minute after the others began,
	// a minute added to the end of a 520 s run.
	t.Parallel()
	wg.Wait()
	browsing := time.Since(start)

	type total struct{ requests, trackers, pages int }
	var totals [corpusModes]total
	var rawKeys, againKeys int
	var leakPages []string
	var looks []corpusLook
	t.Run("pages", func(t *testing.T) {
		for i, p := range pages {
			vs := visits[i]
			t.Run(corpustest.Short(p.Name), func(t *testing.T) {
				var sum strings.Builder
				fmt.Fprintf(&sum, "%s.html.gz", p.Name)
				for m := range corpusModes {
					v := vs[m]
					tr := v.trackers()
					for _, r := range tr {
						_ = corpustest.Report(map[string]any{"test": "browser", "page": p.Name, "mode": m.String(), "request": map[string]string{
							"url": r.URL, "host": r.Host, "type": r.Type, "initiator": r.Initiator, "by": r.By}})
					}
					totals[m].requests += len(v.requests)
					totals[m].trackers += len(tr)
					if len(tr) > 0 {
						totals[m].pages++
					}
					fmt.Fprintf(&sum, "\n  %-16s %3d refused off-machine, %3d of them trackers; %3d local; %s", m.String()+":", len(v.requests), len(tr), v.local, v.took.Round(10*time.Millisecond))
					if v.loadErr != nil {
						fmt.Fprintf(&sum, "; no load event: %v", v.loadErr)
					}
					if m != corpusAccepted {
						sum.WriteString(corpusList(tr, 40))
					}
					assert.NoError(t, v.err, "%s: %s", p.Name, m)
				}

				// An undecided visitor asks for no tracker, with or without JavaScript.
				for _, m := range []corpusMode{corpusUndecided, corpusNoJS} {
					if tr := vs[m].trackers(); len(tr) > 0 {
						t.Errorf("%s.html.gz, %s: %d requests to trackers:%s", p.Name, m, len(tr), corpusList(tr, 40))
					}
				}
				if len(vs[corpusUndecided].trackers())+len(vs[corpusNoJS].trackers()) > 0 {
					leakPages = append(leakPages, p.Name)
				}
				// The middleware ran: the loader with JavaScript (a page's own
				// script may take the banner out of the DOM), the banner without.
				assert.True(t, vs[corpusUndecided].state.Loader, "%s: the loader runs for an undecided visitor: %+v", p.Name, vs[corpusUndecided].state)
				assert.True(t, vs[corpusNoJS].state.Banner, "%s: the banner is on the page without JavaScript: %+v", p.Name, vs[corpusNoJS].state)
				assert.False(t, vs[corpusRaw].state.Banner || vs[corpusRaw].state.Loader, "%s: no banner without the middleware", p.Name)
				for m := range corpusModes {
					assert.True(t, strings.HasPrefix(vs[m].state.URL, base+"/"), "%s, %s: the page is still there when its state is read: %+v", p.Name, m, vs[m].state)
				}

				// The first layer as the issue checks it (#14).
				u := vs[corpusUndecided]
				if u.loadErr == nil && u.err == nil && u.state.Banner {
					probs := u.banner.problems(u.firstTab)
					fmt.Fprintf(&sum, "\n  banner: %s; first Tab: %s", u.banner, u.firstTab)
					looks = append(looks, corpusLook{page: p.Name, f: u.banner, tab: u.firstTab, problems: probs})
					assert.Empty(t, probs, "%s: the banner, undecided", p.Name)
				}

				// A visitor who accepted everything gets what the page asks for.
				st := vs[corpusAccepted].state
				assert.False(t, st.Banner, "%s: no banner once accepted", p.Name)
				assert.Zero(t, st.Blocked, "%s: nothing neutralised once accepted", p.Name)
				want := map[string]bool{}
				for _, r := range vs[corpusRaw].trackers() {
					want[r.key()] = true
				}
				got := map[string]bool{}
				for _, r := range vs[corpusAccepted].trackers() {
					got[r.key()] = true
				}
				var missing []string
				for k := range want {
					if !got[k] {
						missing = append(missing, k)
					}
				}
				slices.Sort(missing)
				rawKeys += len(want)
				againKeys += len(want) - len(missing)
				fmt.Fprintf(&sum, "\n  accepted asked again for %d of the %d tracker URLs of the raw page", len(want)-len(missing), len(want))
				for _, k := range missing {
					fmt.Fprintf(&sum, "\n      missing %s", k)
				}
				t.Log(sum.String())
			})
		}
	})

	ratio := 0.0
	if rawKeys > 0 {
		ratio = float64(againKeys) / float64(rawKeys)
	}
	t.Logf("%d pages, %d tabs: browsing %s, all %s", len(pages), tabs, browsing.Round(time.Second), time.Since(start).Round(time.Second))
	for m := range corpusModes {
		t.Logf("%-16s %5d off-machine requests refused, %4d to trackers on %3d pages", m.String()+":", totals[m].requests, totals[m].trackers, totals[m].pages)
	}
	t.Logf("accepted: %d of %d tracker URLs of the raw pages requested again (%.1f%%); pages where an undecided visitor reached a tracker: %d",
		againKeys, rawKeys, 100*ratio, len(leakPages))

	logLooks(t, looks)

	// Not vacuous: the pages as served do ask for trackers (the corpus
	// README counts about 316 tracker <script src> on 111 pages).
	assert.GreaterOrEqual(t, totals[corpusRaw].trackers, 300, "the raw pages request trackers")
	assert.GreaterOrEqual(t, totals[corpusRaw].pages, 100, "on most pages")
	assert.GreaterOrEqual(t, ratio, 0.99, "an accepting visitor requests at least 99%% of the raw pages' tracker URLs (%d of %d)", againKeys, rawKeys)
}
