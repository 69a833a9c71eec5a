package corpustest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pageURL = "http://127.0.0.1:8080/page/x"

// TestCheckFlagsLiveTrackers: every kind of live element the corpus tests
// rely on is flagged, once.
func TestCheckFlagsLiveTrackers(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		html string
		kind string
	}{
		"script src":                  {`<script src="https://www.googletagmanager.com/gtm.js?id=1"></script>`, "script src"},
		"script src module":           {`<script type=module src="//cdn.taboola.com/x.js"></script>`, "script src"},
		"script src js type":          {`<script type=" Text/JavaScript " src="https://sb.scorecardresearch.com/beacon.js"></script>`, "script src"},
		"script src backslashes":      {`<script src="https:\\www.google-analytics.com\analytics.js"></script>`, "script src"},
		"script src tab in host":      {"<script src=\"https://www.google-ana\tlytics.com/ga.js\"></script>", "script src"},
		"script src upper case host":  {`<script src="HTTPS://WWW.GOOGLE-ANALYTICS.COM/ga.js"></script>`, "script src"},
		"script src userinfo, port":   {`<script src="https://x@securepubads.g.doubleclick.net:443/tag/js/gpt.js"></script>`, "script src"},
		"script src percent host":     {`<script src="https://www.google%2danalytics.com/ga.js"></script>`, "script src"},
		"script language js":          {`<script language="javascript" src="https://static.chartbeat.com/js/chartbeat.js"></script>`, "script src"},
		"script data: URL":            {`<script src="data:text/javascript,var s='https://connect.facebook.net/en_US/fbevents.js'"></script>`, "script data: URL"},
		"inline script":               {`<script>(function(){var s=document.createElement('script');s.src='//www.googletagmanager.com/gtm.js';})()</script>`, "inline script"},
		"inline module":               {`<script type="module">import('https://cdn.krxd.net/ctjs/controltag.js')</script>`, "inline script"},
		"svg script xlink":            {`<svg><script xlink:href="https://www.google-analytics.com/a.js"></script></svg>`, "svg script xlink:href"},
		"svg script href":             {`<svg><script href="https://www.google-analytics.com/a.js"></script></svg>`, "svg script href"},
		"svg image":                   {`<svg><image href="https://pixel.quantserve.com/p.gif"/></svg>`, "svg image href"},
		"img src":                     {`<img src="https://pixel.quantserve.com/pixel/p-1.gif">`, "img src"},
		"img srcset":                  {`<img srcset="a.jpg 1x, https://ib.adnxs.com/px?a=1,2 2x">`, "img srcset"},
		"image becomes img":           {`<image src="https://pixel.quantserve.com/pixel/p-1.gif">`, "img src"},
		"iframe src":                  {`<iframe src="https://tpc.googlesyndication.com/safeframe/1-0-37/html/container.html"></iframe>`, "iframe src"},
		"frame src":                   {`<frameset><frame src="https://ad.doubleclick.net/x"></frameset>`, "frame src"},
		"iframe srcdoc":               {`<iframe srcdoc="<script src='https://www.googletagmanager.com/gtag/js'></script>"></iframe>`, "iframe srcdoc"},
		"iframe data: document":       {`<iframe src="data:text/html,%3Cimg%20src%3D%22https%3A%2F%2Fpixel.quantserve.com%2Fp%22%3E"></iframe>`, "iframe data: document"},
		"iframe base64 document":      {`<iframe src="data:text/html;base64,PGltZyBzcmM9Imh0dHBzOi8vcGl4ZWwucXVhbnRzZXJ2ZS5jb20vcCI+"></iframe>`, "iframe data: document"},
		"link stylesheet":             {`<link rel="stylesheet" href="https://cdn.taboola.com/a.css">`, "link stylesheet href"},
		"link preconnect":             {`<link rel=preconnect href="https://securepubads.g.doubleclick.net">`, "link preconnect href"},
		"link preload imagesrcset":    {`<link rel=preload as=image imagesrcset="https://pixel.quantserve.com/a.gif 1x">`, "link preload imagesrcset"},
		"embed src":                   {`<embed src="https://s0.2mdn.net/ad.swf">`, "embed src"},
		"object data":                 {`<object data="https://s0.2mdn.net/ad.swf"></object>`, "object data"},
		"video src":                   {`<video src="https://imasdk.googleapis.com/v.mp4"></video>`, "video src"},
		"video poster":                {`<video poster="https://pixel.quantserve.com/p.gif"></video>`, "video poster"},
		"audio src":                   {`<audio src="https://imasdk.googleapis.com/a.mp3"></audio>`, "audio src"},
		"source srcset":               {`<picture><source srcset="https://pixel.quantserve.com/p.gif"><img src=a.jpg></picture>`, "source srcset"},
		"source src":                  {`<video><source src="https://imasdk.googleapis.com/v.mp4"></video>`, "source src"},
		"track src":                   {`<video><track src="https://imasdk.googleapis.com/t.vtt"></video>`, "track src"},
		"input image":                 {`<input type=IMAGE src="https://pixel.quantserve.com/p.gif">`, "input type=image src"},
		"body background":             {`<body background="https://pixel.quantserve.com/p.gif">`, "body background"},
		"td background":               {`<table><tr><td background="https://pixel.quantserve.com/p.gif"></td></tr></table>`, "td background"},
		"tr background":               {`<table><tr background="https://pixel.quantserve.com/p.gif"><td></td></tr></table>`, "tr background"},
		"colgroup background":         {`<table><colgroup background="https://pixel.quantserve.com/p.gif"></colgroup></table>`, "colgroup background"},
		"a ping":                      {`<a href="/x" ping="/log https://pixel.quantserve.com/p">x</a>`, "a ping"},
		"area ping":                   {`<map><area href="/y" ping="//pixel.quantserve.com/q"></map>`, "area ping"},
		"svg fill":                    {`<svg><rect fill="url(https://pixel.quantserve.com/g.svg#g)"/></svg>`, "svg fill"},
		"svg marker-end":              {`<svg><path marker-end="url('//pixel.quantserve.com/m.svg#m')"/></svg>`, "svg marker-end"},
		"svg root cursor":             {`<svg cursor="url(https://pixel.quantserve.com/c.cur), auto"></svg>`, "svg cursor"},
		"link compression-dictionary": {`<link rel=compression-dictionary href="https://ad.doubleclick.net/d">`, "link compression-dictionary href"},
		"svg set href":                {`<svg><image><set attributeName="href" to="https://pixel.quantserve.com/p.gif"/></image></svg>`, "svg set to"},
		"svg animate clip-path":       {`<svg><rect><animate attributeName="clip-path" values="url(https://pixel.quantserve.com/c.svg#c)"/></rect></svg>`, "svg animate values"},
		"meta refresh":                {`<meta http-equiv="Refresh" content="0; URL='https://ad.doubleclick.net/r'">`, "meta refresh"},
		"style attribute":             {`<div style="background: url( 'https://pixel.quantserve.com/p.gif' )"></div>`, "style attribute"},
		"style attribute unquoted":    {`<div style="background:url(https://pixel.quantserve.com/p.gif)"></div>`, "style attribute"},
		"style attribute escaped":     {`<div style="background:u\72l(https://pixel.quantserve.com/p.gif)"></div>`, "style attribute"},
		"style element url":           {`<style>.a{background:url("//pixel.quantserve.com/p.gif")}</style>`, "style element"},
		"style element import":        {`<style>@import "https://cdn.taboola.com/a.css";</style>`, "style element"},
		"style element image-set":     {`<style>.a{background-image:image-set("https://pixel.quantserve.com/p.gif" 1x)}</style>`, "style element"},
		"noscript pixel":              {`<noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1&ev=PageView&noscript=1"></noscript>`, "img src"},
		"relative to a tracker base":  {`<base href="https://ad.doubleclick.net/"><img src="pixel.gif">`, "img src"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := Check([]byte(tt.html), pageURL)
			require.Len(t, got, 1, "%v", got)
			assert.Equal(t, tt.kind, got[0].Kind)
			assert.True(t, Judge(got[0].Host).Tracker() || strings.Contains(got[0].Host, ","), got[0].Host)
		})
	}
}

// TestCheckIgnoresNeutralisedAndInert: what the rewriter's contract
// neutralises, and what a browser never fetches, is not flagged.
func TestCheckIgnoresNeutralisedAndInert(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"blocked script":         `<script type="text/plain" data-ck-blocked="analytics" data-ck-src="https://www.googletagmanager.com/gtm.js"></script>`,
		"blocked inline script":  `<script type="text/plain" data-ck-blocked="analytics">gtag('js'); var s='//www.googletagmanager.com/gtm.js'</script>`,
		"blocked type wins":      `<script type="text/plain" data-ck-blocked="analytics" data-ck-type="text/javascript" type="text/javascript" data-ck-src="https://www.googletagmanager.com/gtm.js"></script>`,
		"json-ld":                `<script type="application/ld+json">{"url":"https://www.googletagmanager.com/"}</script>`,
		"js type with parameter": `<script type="text/javascript; charset=utf-8" src="https://www.googletagmanager.com/gtm.js"></script>`,
		"renamed img":            `<img data-ck-blocked="marketing" data-ck-src="https://pixel.quantserve.com/p.gif" data-ck-srcset="https://pixel.quantserve.com/p.gif 2x">`,
		"renamed iframe":         `<iframe data-ck-blocked="marketing" data-ck-src="https://ad.doubleclick.net/x" data-ck-srcdoc="<img src='https://pixel.quantserve.com/p'>"></iframe>`,
		"renamed svg script":     `<svg><script data-ck-blocked="analytics" type="text/plain" data-ck-xlink:href="https://www.google-analytics.com/a.js"></script></svg>`,
		"renamed link":           `<link rel=stylesheet data-ck-blocked="marketing" data-ck-href="https://cdn.taboola.com/a.css">`,
		"css marker":             `<div data-ck-style="background:url(https://pixel.quantserve.com/p.gif)" style="background:url(//[ck=marketing]https://pixel.quantserve.com/p.gif)"></div><style>@import "//[ck=marketing]https://cdn.taboola.com/a.css"; .a{background-image:image-set("//[ck=marketing]https://pixel.quantserve.com/p.gif" 1x)}</style>`,
		"renamed meta refresh":   `<meta data-ck-http-equiv="refresh" content="0;url=https://ad.doubleclick.net/r">`,
		"css neutralised":        `<div style="background:url('about:invalid#ck=https://pixel.quantserve.com/p.gif')"></div><style>@import url("about:invalid#ck=https://cdn.taboola.com/a.css");</style>`,
		"link not fetching":      `<link rel="canonical" href="https://www.facebook.com/page"><link rel=alternate href="https://ad.doubleclick.net/">`,
		"anchor":                 `<a href="https://www.facebook.com/share">share</a>`,
		"template":               `<template><script src="https://www.googletagmanager.com/gtm.js"></script><img src="https://pixel.quantserve.com/p.gif"></template>`,
		"textarea":               `<textarea><img src="https://pixel.quantserve.com/p.gif"></textarea>`,
		"first-party":            `<script src="/js/analytics.js"></script><img src="//example.org/a.gif"><style>.a{background:url(/i.png)}</style>`,
		"inline without tracker": `<script>window.ga = window.ga || function(){}; googletag.cmd.push(function(){}); location.hostname</script>`,
		"css comment":            `<style>/* url(https://pixel.quantserve.com/p.gif) */ .a{}</style>`,
		"not a look-alike":       `<img src="https://notgoogle-analytics.com/a.gif"><script src="https://google-analytics.com.example.org/x.js"></script>`,
		"first duplicate wins":   `<img src="a.gif" src="https://pixel.quantserve.com/p.gif">`,
		"javascript URL":         `<iframe src="javascript:void('https://ad.doubleclick.net/')"></iframe>`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Empty(t, Check([]byte(doc), pageURL))
		})
	}
}

func TestCheckCountsDuplicatesOnce(t *testing.T) {
	t.Parallel()
	doc := `<img src="https://pixel.quantserve.com/p.gif"><img src="https://pixel.quantserve.com/p.gif">
<noscript><img src="https://pixel.quantserve.com/p.gif"></noscript>`
	got := Check([]byte(doc), pageURL)
	require.Len(t, got, 3, "two images, plus the one in noscript (only a no-JavaScript browser sees it): %v", got)
	assert.True(t, got[2].NoScript)
}

func TestHelpers(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"a.jpg", "https://x/y,z", "c.png"}, srcsetURLs(" a.jpg 1x , https://x/y,z 2x,c.png"))
	assert.Equal(t, "https://a/b", refreshURL(`5;url="https://a/b"`))
	assert.Equal(t, "x.html", refreshURL(`0 ,URL = x.html`))
	assert.Empty(t, refreshURL(`30`))
	assert.Equal(t, []string{"a.png", "b.css", "c.png", "d.png", "e f"}, CSSURLs(`x{background:url(a.png)} @import 'b.css'; y{b:image-set("c.png" 1x, url(d.png) 2x)} z{b:url("e\20 f")}`))
	hosts, at := MentionedTrackers(`var a = "x"; s.src = "https://www.google-analytics.com/analytics.js"; t = '//connect.facebook.net/x'`)
	assert.Equal(t, []string{"www.google-analytics.com", "connect.facebook.net"}, hosts)
	assert.Equal(t, 30, at)
	hosts, _ = MentionedTrackers(`{"url":"https:\u002F\u002Fwww.facebook.com\u002Fpage","b":"\x2F\x2Fconnect.facebook.net"}`)
	assert.Equal(t, []string{"www.facebook.com", "connect.facebook.net"}, hosts)
	j := Judge("www.googletagmanager.com")
	assert.True(t, j.Tracker())
	assert.NotEmpty(t, j.Own)
	assert.False(t, Judge("example.org").Tracker())
	assert.GreaterOrEqual(t, len(OwnHosts()), 150)
}
