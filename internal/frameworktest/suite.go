package frameworktest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consentkit/consentkit/consent"
)

// deadline bounds every wait of the suite. It is generous on purpose: the
// suite asserts order (first part before the handler finishes), never speed.
const deadline = 20 * time.Second

// ErrNotProtected is what CheckProtected reports for a handler that is not
// really behind consentkit.
var ErrNotProtected = errors.New("frameworktest: handler is not protected by consentkit; mount it so the framework writes through the writer consentkit passes down")

// Run runs every scenario of the package documentation against tg.
func Run(t *testing.T, tg Target) {
	t.Helper()
	if (tg.Build == nil) == (tg.Start == nil) {
		t.Fatalf("frameworktest: target %q must set exactly one of Build and Start", tg.Name)
	}
	t.Run("undecided", func(t *testing.T) {
		base := serve(t, tg, NewManager(t), Hooks{})
		if err := checkUndecided(client(t), base); err != nil {
			t.Error(err)
		}
	})
	t.Run("error page", func(t *testing.T) {
		base := serve(t, tg, NewManager(t), Hooks{})
		resp, body := get(t, client(t), base+"/missing")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /missing: status %d, want 404 (body %.200q)", resp.StatusCode, body)
		}
		if SetsCookie(resp, CookieName) {
			t.Errorf("GET /missing: the framework's error page sets %s for an undecided visitor (Set-Cookie %q)", CookieName, resp.Header.Values("Set-Cookie"))
		}
	})
	t.Run("decision", func(t *testing.T) {
		base := serve(t, tg, NewManager(t), Hooks{})
		c := client(t)
		resp := PostDecision(t, c, base, "https://attacker.example")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin decision: status %d, want 403", resp.StatusCode)
		}
		if hasConsentCookie(resp) {
			t.Error("cross-origin decision set a consent cookie")
		}
		resp = PostDecision(t, c, base, base)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("same-origin decision: status %d, want 303", resp.StatusCode)
		}
		if !hasConsentCookie(resp) {
			t.Error("same-origin decision set no consent cookie")
		}
	})
	t.Run("accepted", func(t *testing.T) {
		raw := serve(t, tg, nil, Hooks{})
		_, want := get(t, client(t), raw+"/page")
		base := serve(t, tg, NewManager(t), Hooks{})
		c := client(t)
		if resp := PostDecision(t, c, base, base); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("same-origin decision: status %d, want 303", resp.StatusCode)
		}
		resp, got := get(t, c, base+"/page")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /page after accepting: status %d", resp.StatusCode)
		}
		if err := sameApartFromSnippets(got, want); err != nil {
			t.Errorf("GET /page after accepting: %v\n got: %s\nwant: %s", err, got, want)
		}
		if !SetsCookie(resp, CookieName) {
			t.Errorf("GET /page after accepting: %s was dropped although analytics is granted", CookieName)
		}
		_, state := get(t, c, base+"/state")
		if w := "decided=true granted=necessary,preferences,analytics,marketing"; strings.TrimSpace(state) != w {
			t.Errorf("GET /state after accepting: %q, want %q (is consent.FromRequest reachable from the framework's context?)", state, w)
		}
	})
	t.Run("streaming", func(t *testing.T) {
		if !tg.Streams {
			t.Skipf("%s does not stream", tg.Name)
		}
		release := make(chan struct{})
		finished := make(chan struct{})
		var once sync.Once
		h := Hooks{release: release, done: func() { close(finished) }}
		base := serve(t, tg, NewManager(t), h)
		releaseOnce := func() { once.Do(func() { close(release) }) }
		t.Cleanup(releaseOnce) // a failed scenario must not leave the handler blocked
		checkStreaming(t, client(t), base, releaseOnce, finished)
	})
}

// checkStreaming reads /stream: the first part must arrive while the handler
// is blocked, then the rest once it is released.
func checkStreaming(t *testing.T, c *http.Client, base string, release func(), finished <-chan struct{}) {
	resp, err := c.Get(base + "/stream")
	if err != nil {
		t.Fatalf("GET /stream: %v (the first flushed part must arrive while the handler is still blocked: does the framework or the mounting buffer the response?)", err)
	}
	defer resp.Body.Close()
	type result struct {
		text string
		err  error
	}
	firstc := make(chan result, 1)
	br := bufio.NewReader(resp.Body)
	var sb strings.Builder
	go func() {
		// Read until the first part's text: the handler is still blocked,
		// so these bytes can only come from a flush.
		for !strings.Contains(sb.String(), "first part</p>") {
			b, err := br.ReadByte()
			if err != nil {
				firstc <- result{sb.String(), err}
				return
			}
			sb.WriteByte(b)
		}
		firstc <- result{sb.String(), nil}
	}()
	select {
	case r := <-firstc:
		if r.err != nil {
			t.Fatalf("GET /stream: body ended before the first part: %v (read %q)", r.err, r.text)
		}
		select {
		case <-finished:
			t.Fatal("GET /stream: the handler finished before it was released")
		default:
		}
	case <-time.After(deadline):
		release()
		t.Fatalf("GET /stream: the first flushed part did not arrive within %v while the handler was blocked: the framework or the mounting buffers the response", deadline)
	}
	release()
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatalf("GET /stream: reading the rest: %v", err)
	}
	if !strings.Contains(string(rest), "last part") {
		t.Errorf("GET /stream: the last part is missing: %q", rest)
	}
	if !strings.Contains(sb.String()+string(rest), `id="ck-banner"`) {
		t.Errorf("GET /stream: the streamed page carries no banner: %q", sb.String()+string(rest))
	}
}

// CheckProtected reports whether h serves GET /page (the Target routes) as
// consentkit's middleware would for an undecided visitor: nil when it does,
// an error wrapping ErrNotProtected naming what leaked when it does not. Use
// it to prove that a wrong way of mounting is detected.
func CheckProtected(tb testing.TB, h http.Handler) error {
	tb.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	return checkUndecided(client(tb), srv.URL)
}

// checkUndecided is the undecided-visitor scenario, as an error so that
// CheckProtected can report it instead of failing.
func checkUndecided(c *http.Client, base string) error {
	resp, err := c.Get(base + "/page")
	if err != nil {
		return fmt.Errorf("GET /page: %w", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("GET /page: %w", err)
	}
	body := string(b)
	var leaks []string
	if resp.StatusCode != http.StatusOK {
		leaks = append(leaks, fmt.Sprintf("status %d", resp.StatusCode))
	}
	if !strings.Contains(body, `id="ck-banner"`) {
		leaks = append(leaks, "no banner")
	}
	if strings.Contains(body, `<script src="`+TrackerSrc+`"`) || !strings.Contains(body, `data-ck-src="`+TrackerSrc+`"`) {
		leaks = append(leaks, "the tracker script is live")
	}
	if SetsCookie(resp, CookieName) {
		leaks = append(leaks, "Set-Cookie "+CookieName+" let through")
	}
	if len(leaks) > 0 {
		return fmt.Errorf("%w: GET /page for an undecided visitor: %s", ErrNotProtected, strings.Join(leaks, ", "))
	}
	return nil
}

// sameApartFromSnippets reports whether got is want with only consentkit's
// snippets inserted: the head snippet after <head> and the settings link
// before </body>. Each inserted run must be consentkit's own markup.
func sameApartFromSnippets(got, want string) error {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	j := 0
	for j < len(got)-i && j < len(want)-i && got[len(got)-1-j] == want[len(want)-1-j] {
		j++
	}
	gotMid, wantMid := got[i:len(got)-j], want[i:len(want)-j]
	k := strings.Index(gotMid, wantMid)
	if k < 0 {
		return fmt.Errorf("the page differs beyond inserted snippets (first difference at byte %d: got %.80q, want %.80q)", i, gotMid, wantMid)
	}
	for _, ins := range []string{gotMid[:k], gotMid[k+len(wantMid):]} {
		if ins != "" && !strings.Contains(ins, "/consent/") {
			return fmt.Errorf("inserted run %.120q is not consentkit's", ins)
		}
	}
	if !strings.Contains(got, `id="ck-open"`) || !strings.Contains(got, "/consent/assets/ck.") {
		return errors.New("consentkit's snippets are missing")
	}
	return nil
}

// serve starts tg with cm (nil: the bare framework) and returns its base URL.
func serve(t *testing.T, tg Target, cm *consent.Manager, h Hooks) string {
	t.Helper()
	if tg.Start != nil {
		return strings.TrimSuffix(tg.Start(t, cm, h), "/")
	}
	srv := httptest.NewServer(tg.Build(t, cm, h))
	t.Cleanup(srv.Close)
	return srv.URL
}

// client is a visitor: a cookie jar, no redirects followed (the suite checks
// the decision's 303 itself), and the suite's deadline.
func client(tb testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       deadline,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, string(b)
}

// PostDecision sends the banner's Accept all form to base's decision
// endpoint with the given Origin header, and returns the drained response.
func PostDecision(t testing.TB, c *http.Client, base, origin string) *http.Response {
	t.Helper()
	form := url.Values{"action": {"accept_all"}, "return": {"/page"}}
	req, err := http.NewRequest(http.MethodPost, base+"/consent/decision", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST /consent/decision: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// SetsCookie reports whether resp sets (not deletes) the cookie name.
func SetsCookie(resp *http.Response, name string) bool {
	for _, c := range resp.Cookies() {
		if c.Name == name && c.MaxAge >= 0 {
			return true
		}
	}
	return false
}

func hasConsentCookie(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == "consent" && c.Value != "" {
			return true
		}
	}
	return false
}
