package e2e

import (
	"bufio"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// demo is a running examples/demo: its URL and the auditor's credentials it
// printed.
type demo struct {
	url, user, password string
}

// demoBuild is examples/demo compiled once for the package: each of the two
// tests that run it would link it again, and compile it again when both
// start at once (go build runs do not wait for each other's cache).
type demoBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

var demoBinary demoBuild

// build compiles the demo on first use and returns its path.
func (b *demoBuild) build() (string, []byte, error) {
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "consentkit-e2e-demo-")
		if b.err != nil {
			return
		}
		b.bin = filepath.Join(b.dir, "demo")
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		b.out, b.err = exec.CommandContext(ctx, "go", "build", "-o", b.bin, "../../examples/demo").CombinedOutput()
	})
	return b.bin, b.out, b.err
}

// remove deletes the binary's folder once the tests are done.
func (b *demoBuild) remove() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// startDemo runs examples/demo on a free loopback port with its data in a
// temporary folder. The demo is package main, so a subprocess is the way to
// run it as users do.
func startDemo(t *testing.T) demo {
	t.Helper()
	dir := t.TempDir()
	bin, out, err := demoBinary.build()
	if err != nil {
		// go vet ./... fails CI on a demo that does not compile; this
		// test only checks the running site.
		t.Skipf("examples/demo does not build yet, so its smoke test cannot run: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"))
	// Development keys generated in the data folder, whatever the caller's
	// environment holds.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONSENT_COOKIE_KEY=") && !strings.HasPrefix(kv, "CONSENT_LOG_KEY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	started := make(chan demo, 1)
	go func() {
		// consentkit demo: URL
		//   auditor review: URLadmin/consent-log/ (user "…", password "…")
		re := regexp.MustCompile(`(http://127\.0\.0\.1:\d+/)|user "([^"]*)", password "([^"]*)"`)
		var d demo
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			for _, m := range re.FindAllStringSubmatch(sc.Text(), -1) {
				if m[1] != "" && d.url == "" {
					d.url = m[1]
				}
				if m[2] != "" {
					d.user, d.password = m[2], m[3]
				}
			}
			if d.url != "" && d.user != "" {
				started <- d
				break
			}
		}
		for sc.Scan() { // keep the pipe drained
		}
	}()
	select {
	case d := <-started:
		return d
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not print its address and auditor credentials within 30s")
		return demo{}
	}
}

// The demo site, as a visitor meets it: banner, blocked tags, accept runs
// them in place.
func TestDemoSmoke(t *testing.T) {
	t.Parallel()
	if !enabled() {
		t.Skip(skipMessage)
	}
	d := startDemo(t)
	url := d.url
	tb := newTab(t, withLanguage("es-ES,es"))
	// The Spanish edition: the demo gives the banner the page's language.
	tb.open(url + "es/")
	require.True(t, tb.visible("#ck-banner"), "banner visible")
	assert.Equal(t, "es", eval[string](tb, `document.querySelector('#ck-banner').lang`))
	assert.True(t, eval[bool](tb, `typeof window.demoAnalytics === 'undefined' && typeof window.demoAds === 'undefined' && typeof window.demoInline === 'undefined'`),
		"no tag ran before consent")
	tb.click("#ck-banner .ck-accept")
	tb.waitFor(`window.demoAnalytics === 1 && window.demoAds === 1 && window.demoInline === true && !document.querySelector('#ck-banner')`)
	tb.reload()
	assert.False(t, tb.exists("#ck-banner"))
	assert.True(t, eval[bool](tb, `window.demoAnalytics === 1 && window.demoAds === 1`), "tags run from the first byte after a reload")

	// The receipt in the preferences page leads to the visitor's history,
	// in their language, accessible in both writing directions.
	tb.open(url + "consent/preferences")
	history := eval[string](tb, `document.querySelector('.ck-receipt a').href`)
	require.Contains(t, history, "/consent/history?id=")
	for _, lang := range []string{"es", "ar"} {
		tb.open(history + "&lang=" + lang)
		assert.Equal(t, lang, eval[string](tb, `document.documentElement.lang`))
		assert.Equal(t, lang == "ar", eval[string](tb, `document.documentElement.dir`) == "rtl")
		assert.Equal(t, 1, eval[int](tb, `document.querySelectorAll('tbody tr').length`), "the one decision")
		assert.NotContains(t, eval[string](tb, `document.body.innerText`), "consent history", "no English left")
		tb.injectAxe()
		for _, v := range tb.axeSerious("html") {
			t.Errorf("history page (%s): %s", lang, v)
		}
	}

	// The auditor's review pages list the decision, show its detail with
	// the banner text, and pass axe-core too.
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(d.user+":"+d.password))
	auditor := newTab(t, withHeaders(map[string]string{"Authorization": auth}))
	auditor.open(url + "admin/consent-log/")
	assert.Equal(t, 1, eval[int](auditor, `document.querySelectorAll('tbody a[href^="record?seq="]').length`), "the one decision")
	auditor.injectAxe()
	for _, v := range auditor.axeSerious("html") {
		t.Errorf("review list: %s", v)
	}
	auditor.open(url + "admin/consent-log/record?seq=1")
	assert.Contains(t, eval[string](auditor, `document.body.innerText`), "accept_all")
	auditor.injectAxe()
	for _, v := range auditor.axeSerious("html") {
		t.Errorf("review record: %s", v)
	}
}
