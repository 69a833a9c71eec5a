package rewrite_test

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/consentkit/consentkit/internal/rewrite"
)

// event is a rewrite.Event with its Match copied, as a Reporter must.
type event struct {
	Element, Category string
	Reason            rewrite.Reason
	Match             string
}

type recorder struct{ got []event }

func (r *recorder) Neutralised(e rewrite.Event) {
	r.got = append(r.got, event{e.Element, e.Category, e.Reason, string(e.Match)})
}

// counter counts events without keeping anything, like the middleware's
// always-on warnings.
type counter struct{ n int }

func (c *counter) Neutralised(rewrite.Event) { c.n++ }

// TestReporterSaysWhy checks that every kind of neutralisation is reported
// once, with its category, its reason and what matched, however the
// document is split across Writes.
func TestReporterSaysWhy(t *testing.T) {
	t.Parallel()
	const dc = "https://ad.doubleclick.net/x?uid=42"
	tests := []struct {
		name string
		in   string
		want []event
	}{
		{"attribute", `<script data-consent="Analitics" src="/a.js"></script>`,
			[]event{{"script", "analitics", rewrite.ReasonAttribute, ""}}},
		{"tracker src", `<script src="` + dc + `"></script>`,
			[]event{{"script", "marketing", rewrite.ReasonHost, dc}}},
		{"iframe host", `<iframe src="https://www.youtube.com/embed/x"></iframe>`,
			[]event{{"iframe", "marketing", rewrite.ReasonHost, "https://www.youtube.com/embed/x"}}},
		{"inline host", `<script>var s='https://www.google-analytics.com/analytics.js';</script>`,
			[]event{{"script", "analytics", rewrite.ReasonInlineHost, "www.google-analytics.com"}}},
		{"inline gtag snippet", `<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());</script>`,
			[]event{{"script", "analytics", rewrite.ReasonInlineSnippet, "gtag"}}},
		{"inline queue snippet", `<script>var _paq=window._paq||[];_paq.push(['trackPageView']);</script>`,
			[]event{{"script", "analytics", rewrite.ReasonInlineSnippet, "_paq"}}},
		{"style attribute", `<div style="background:url(https://ad.doubleclick.net/p.gif)">x</div>`,
			[]event{{"", "marketing", rewrite.ReasonStyle, "ad.doubleclick.net"}}},
		{"style element", `<style>body{background:url(https://ad.doubleclick.net/p.gif)}</style>`,
			[]event{{"style", "marketing", rewrite.ReasonStyle, "ad.doubleclick.net"}}},
		{"noscript pixel", `<noscript><img src="https://www.facebook.com/tr?id=1"></noscript>`,
			[]event{{"img", "marketing", rewrite.ReasonHost, "https://www.facebook.com/tr?id=1"}}},
		{"relative under a tracker base", `<base href="https://ad.doubleclick.net/"><img src="p.gif">`,
			[]event{{"img", "marketing", rewrite.ReasonHost, "ad.doubleclick.net"}}},
		{"granted", `<script data-consent="analytics" src="/a.js"></script><script>gtag('js')</script>`, nil},
		{"first party", `<script src="/app.js"></script><img src="/logo.png"><script>init()</script>`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cons rewrite.Consent
			if tt.name == "granted" {
				cons = grants{"analytics": true}
			}
			b := []byte(tt.in)
			for k := 0; k <= len(b); k++ {
				rec := &recorder{}
				rewriteOnce(t, rewrite.Config{Consent: cons, Report: rec}, b[:k], b[k:])
				if !assert.Equal(t, tt.want, rec.got, "split at %d", k) {
					return
				}
			}
		})
	}
}

// TestReporterNeverChangesOutput checks that a Reporter only listens: the
// rewritten benchmark page is the same byte for byte with and without it.
func TestReporterNeverChangesOutput(t *testing.T) {
	t.Parallel()
	article, _ := benchPages(t)
	c := &counter{}
	with := benchCfg
	with.Report = c
	assert.Equal(t, rewriteOnce(t, benchCfg, article), rewriteOnce(t, with, article))
	assert.Positive(t, c.n)
}

// TestCorpusSteadyStateAllocsReporting checks that reporting itself costs
// no allocation: the middleware listens on every response for its
// warnings, so a Reporter must keep the zero-allocation promise of
// TestCorpusSteadyStateAllocs.
func TestCorpusSteadyStateAllocsReporting(t *testing.T) {
	pages := corpusPages(t)
	c := &counter{}
	cfg := benchCfg
	cfg.Report = c
	r := rewrite.Get(io.Discard, cfg)
	defer r.Put()
	run := func() {
		for _, p := range pages {
			r.Reset(io.Discard, cfg)
			if err := writeChunks(r, p); err != nil {
				t.Fatal(err)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	run()
	if n := testing.AllocsPerRun(3, run); n != 0 {
		t.Errorf("%v allocations per pass over %d pages", n, len(pages))
	}
	assert.Positive(t, c.n)
}
