package corpustest

import "strings"

// ownHosts is a list of advertising, analytics, tag-management and social
// tracking hosts written by hand for these tests, independently of
// internal/trackers, so that a host missing from the generated table shows up
// as a failure instead of passing unnoticed. Like the table, an entry covers
// its subdomains (whole labels). Hosts that mostly serve things a page needs
// (fonts, CDNs, consent managers, comment widgets) are left out on purpose.
var ownHosts = []string{
	// Google advertising and measurement.
	"google-analytics.com",
	"googletagmanager.com",
	"googletagservices.com",
	"googlesyndication.com",
	"googleadservices.com",
	"doubleclick.net",
	"2mdn.net",
	"adservice.google.com",
	"imasdk.googleapis.com",
	"googleoptimize.com",
	"analytics.google.com",
	"youtube.com",

	// Facebook, Instagram.
	"facebook.net",
	"facebook.com",
	"instagram.com",

	// Twitter / X.
	"platform.twitter.com",
	"syndication.twitter.com",
	"analytics.twitter.com",
	"ads-twitter.com",
	"cdn.syndication.twimg.com",

	// LinkedIn.
	"snap.licdn.com",
	"platform.linkedin.com",
	"ads.linkedin.com",

	// Pinterest.
	"assets.pinterest.com",
	"widgets.pinterest.com",
	"log.pinterest.com",
	"ct.pinterest.com",
	"s.pinimg.com",

	// Other social networks and share buttons.
	"redditstatic.com",
	"alb.reddit.com",
	"analytics.tiktok.com",
	"sc-static.net",
	"tr.snapchat.com",
	"addthis.com",
	"addthisedge.com",
	"sharethis.com",
	"addtoany.com",

	// Microsoft, Yahoo / Oath / Verizon Media.
	"bat.bing.com",
	"clarity.ms",
	"analytics.yahoo.com",
	"ads.yahoo.com",
	"gemini.yahoo.com",
	"advertising.com",
	"adtechus.com",
	"adap.tv",
	"btrll.com",
	"nexage.com",

	// Amazon.
	"amazon-adsystem.com",
	"assoc-amazon.com",

	// Audience measurement.
	"scorecardresearch.com",
	"voicefive.com",
	"quantserve.com",
	"quantcount.com",
	"chartbeat.com",
	"chartbeat.net",
	"imrworldwide.com",
	"gemius.pl",
	"ioam.de",
	"effectivemeasure.net",
	"dotmetrics.net",
	"tns-counter.ru",
	"xiti.com",
	"aticdn.net",
	"statcounter.com",
	"getclicky.com",
	"parsely.com",
	"parse.ly",
	"cxense.com",
	"nr-data.net",
	"js-agent.newrelic.com",
	"cloudflareinsights.com",
	"stats.wp.com",
	"pixel.wp.com",
	"hm.baidu.com",
	"cnzz.com",
	"mc.yandex.ru",
	"an.yandex.ru",
	"top.mail.ru",
	"yadro.ru",
	"etracker.com",
	"etracker.de",
	"webtrekk.net",
	"wt-eu02.net",
	"meetrics.net",

	// Tag managers and customer data platforms.
	"tiqcdn.com",
	"tealiumiq.com",
	"adobedtm.com",
	"omtrdc.net",
	"2o7.net",
	"demdex.net",
	"everesttech.net",
	"krxd.net",
	"bluekai.com",
	"segment.com",
	"segment.io",
	"permutive.com",
	"permutive.app",
	"lytics.io",
	"evergage.com",

	// Product analytics, session recording, testing.
	"hotjar.com",
	"mixpanel.com",
	"amplitude.com",
	"heapanalytics.com",
	"fullstory.com",
	"optimizely.com",
	"visualwebsiteoptimizer.com",
	"crazyegg.com",
	"mouseflow.com",
	"smartlook.com",
	"inspectlet.com",
	"luckyorange.com",
	"luckyorange.net",
	"clicktale.net",
	"decibelinsight.net",
	"contentsquare.net",
	"quantummetric.com",
	"kissmetrics.com",
	"woopra.com",

	// Marketing automation.
	"hs-scripts.com",
	"hs-analytics.net",
	"hsadspixel.net",
	"marketo.net",
	"mktoresp.com",
	"pardot.com",
	"sail-horizon.com",
	"sailthru.com",
	"bounceexchange.com",
	"bouncex.net",

	// Content recommendation and native advertising.
	"outbrain.com",
	"taboola.com",
	"taboolasyndication.com",
	"revcontent.com",
	"mgid.com",
	"zergnet.com",
	"content.ad",
	"zemanta.com",
	"dianomi.com",
	"ligatus.com",
	"plista.com",
	"postrelease.com",
	"ntv.io",
	"mediavoice.com",

	// Ad exchanges, SSPs and DSPs.
	"criteo.com",
	"criteo.net",
	"adnxs.com",
	"rubiconproject.com",
	"pubmatic.com",
	"openx.net",
	"casalemedia.com",
	"indexww.com",
	"lijit.com",
	"sovrn.com",
	"33across.com",
	"3lift.com",
	"sharethrough.com",
	"teads.tv",
	"media.net",
	"yieldmo.com",
	"gumgum.com",
	"kargo.com",
	"undertone.com",
	"smartadserver.com",
	"adform.net",
	"360yield.com",
	"yieldlab.net",
	"adition.com",
	"yieldlove.com",
	"adscale.de",
	"contextweb.com",
	"districtm.io",
	"sonobi.com",
	"emxdgt.com",
	"onetag-sys.com",
	"richaudience.com",
	"seedtag.com",
	"bidswitch.net",
	"adsrvr.org",
	"mathtag.com",
	"turn.com",
	"adroll.com",
	"rfihub.com",
	"simpli.fi",
	"steelhousemedia.com",
	"dotomi.com",
	"mookie1.com",
	"bttrack.com",
	"adriver.ru",
	"adfox.ru",
	"mediavine.com",
	"adthrive.com",
	"ezoic.net",

	// Video advertising.
	"spotxchange.com",
	"spotx.tv",
	"fwmrm.net",
	"springserve.com",
	"tremorhub.com",
	"unrulymedia.com",
	"lkqd.net",
	"innovid.com",
	"connatix.com",
	"primis.tech",
	"sekindo.com",
	"vidazoo.com",

	// Ad serving, verification and creative hosting.
	"moatads.com",
	"adsafeprotected.com",
	"doubleverify.com",
	"serving-sys.com",
	"flashtalking.com",

	// Data brokers and identity.
	"crwdcntrl.net",
	"exelator.com",
	"eyeota.net",
	"agkn.com",
	"rlcdn.com",
	"tapad.com",
	"nuggad.net",
	"emetriq.de",
	"theadex.com",

	// Affiliate link rewriting.
	"viglink.com",
	"skimresources.com",
	"skimlinks.com",
}

var ownSet = func() map[string]bool {
	m := make(map[string]bool, len(ownHosts))
	for _, h := range ownHosts {
		m[h] = true
	}
	return m
}()

// OwnHosts returns the hand-written list (a copy).
func OwnHosts() []string { return append([]string(nil), ownHosts...) }

// ownLookup reports whether host or one of its parent domains is in the
// hand-written list, and which entry matched.
func ownLookup(host string) (string, bool) {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	for h != "" {
		if ownSet[h] {
			return h, true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return "", false
}
