package trackers

// This file is the reviewed layer between the AdGuard data (adguard_gen.go,
// CC BY-SA 4.0) and the table: how AdGuard's categories map onto consent
// categories, and the corrections, each with its reason. It is hand-written
// and MIT licensed like the rest of the repository. Tests pin every
// correction and fail when the data makes one redundant or stale.
//
// The rule behind every decision: a host belongs in the table when loading
// anything from it lets a third party set or read an identifier for
// measurement or marketing. A host whose main job on other people's pages is
// to make them work (payments and fraud checks, sign-in, bot defence, the
// site's own hosting, storage and CDN, fonts and script libraries, consent
// tools) stays out, even when its company also tracks elsewhere.

// necessary marks a correction that takes hosts out of the table.
const necessary = ""

// correction re-categorises an AdGuard tracker (all its domains) or one host.
type correction struct {
	key      string // tracker ID in trackerCorrections, host in hostCorrections
	category string // Analytics, Marketing or necessary
	reason   string
}

// adguardCategoryMap maps AdGuard's categories onto consent categories;
// necessary ones stay out of the table.
//
// "misc" (about 460 domains) is mostly companies' own web sites and the CDNs
// that serve them: apple.com, microsoft.com, mozilla.org, nytimes.com,
// wix.com's parastorage.com, ampproject.org, recaptcha.net,
// blob.core.windows.net, firebaseio.com. Blocking those on other sites would
// break images, AMP pages, captchas and storage, so misc maps to necessary
// and the few misc trackers that do track (LinkedIn, Instagram, Dailymotion,
// affiliate and ad networks) are promoted one by one in trackerCorrections.
//
// "unknown" (about 110 domains) is nearly all ad, push-notification and
// click-tracking domains no company owns up to (adnetworkperformance.com,
// pushnative.com, zmctrack.net, ymetrica1.com): unknown maps to marketing,
// the stricter of the two categories, and the one bot-defence service among
// them is taken out below.
var adguardCategoryMap = map[string]string{
	"advertising":          Marketing,
	"pornvertising":        Marketing,
	"social_media":         Marketing,
	"audio_video_player":   Marketing,
	"comments":             Marketing,
	"customer_interaction": Marketing,
	"unknown":              Marketing,
	"site_analytics":       Analytics,
	"mobile_analytics":     Analytics,
	"telemetry":            Analytics,
	"essential":            necessary,
	"cdn":                  necessary,
	"hosting":              necessary,
	"extensions":           necessary,
	"email":                necessary,
	"consent":              necessary,
	"misc":                 necessary,
}

// trackerCorrections re-categorise whole AdGuard trackers.
var trackerCorrections = []correction{
	// Tag managers exist to load the site's other tags; AdGuard files them as
	// essential, which would let every tag through before consent.
	{"google_tag_manager", Analytics, "Google Tag Manager loads the site's tags; AdGuard files it as essential"},
	{"tealium", Analytics, "Tealium iQ (tiqcdn.com) is a tag manager and tealiumiq.com its data collection"},
	{"ensighten", Analytics, "Ensighten is a tag manager"},
	{"adobe_dynamic_tag_management", Analytics, "Adobe Launch (adobedtm.com) is a tag manager"},
	{"tag_commander", Analytics, "Commanders Act TagCommander is a tag manager"},
	{"tagman", Analytics, "TagMan is a tag manager"},
	{"signal", Analytics, "Signal (BrightTag) is a tag manager"},
	{"datalicious_supertag", Analytics, "SuperTag is a tag manager"},
	{"relay42", Analytics, "Relay42 is a tag manager and customer data platform"},
	// Other trackers AdGuard files as essential.
	{"dynamic_yield", Analytics, "A/B testing and personalisation that profiles visitors, like Optimizely"},
	{"foresee", Analytics, "ForeSee surveys come with session replay"},
	{"impact_radius", Marketing, "affiliate conversion tracking"},
	{"maxbounty", Marketing, "affiliate network tracking"},
	{"contaxe", Marketing, "an ad network"},
	// Trackers AdGuard files under a category that understates them.
	{"smartlook", Analytics, "session recording, like Hotjar; AdGuard files it as customer interaction"},
	{"contentsquare.net", Analytics, "experience analytics and session replay rather than advertising"},
	{"klaviyo", Marketing, "identifies visitors for e-mail marketing flows"},
	{"pardot", Marketing, "identifies visitors as sales prospects"},
	// misc trackers that track (see adguardCategoryMap).
	{"linkedin", Marketing, "LinkedIn's domains serve its share buttons, Insight Tag and ads"},
	{"instagram_com", Marketing, "Instagram embeds, like other social widgets"},
	{"dailymotion", Marketing, "a video player that profiles viewers, like YouTube"},
	{"dynamic_1001_gmbh", Marketing, "dyntracker.de is affiliate tracking"},
	{"hstrck.com", Marketing, "a tracking domain"},
	{"webgains", Marketing, "an affiliate network"},
	{"belboon_gmbh", Marketing, "an affiliate network"},
	{"admized", Marketing, "an ad network"},
	{"adventori", Marketing, "ad creatives and their tracking"},
	{"avocet", Marketing, "programmatic advertising"},
	{"mov.ad", Marketing, "an ad network"},
	{"investingchannel", Marketing, "an ad network"},
	{"lentainform.com", Marketing, "a content recommendation ad network"},
	{"24smi", Marketing, "a news teaser ad network"},
	{"similardeals.net", Marketing, "affiliate ad injection"},
	{"blogfoster.com", Marketing, "influencer advertising"},
	{"relevant4.com", Marketing, "e-mail marketing tracking"},
	{"dimml", Analytics, "a data collection platform for web analytics"},
	{"oztam", Analytics, "audience measurement"},
	// Payments and fraud checks: the page cannot take money without them.
	{"stripe.com", necessary, "Stripe.js, Checkout and its fraud signals are part of taking a payment"},
	{"paypal", necessary, "PayPal buttons and checkout"},
	{"amazon_payments", necessary, "Amazon Pay checkout"},
	{"alipay.com", necessary, "Alipay checkout"},
	{"klarna.com", necessary, "Klarna checkout"},
	{"wirecard", necessary, "payment processing"},
	{"riskfield.com", necessary, "Riskified fraud prevention at checkout"},
	{"castle", necessary, "Castle account-takeover protection"},
	{"sift_science", necessary, "Sift fraud prevention"},
	{"signifyd", necessary, "Signifyd fraud prevention at checkout"},
	{"perfdrive.com", necessary, "Radware Bot Manager, a security service AdGuard lists as unknown"},
	// Sign-in.
	{"google_auth", necessary, "Sign in with Google (accounts.google.com/gsi) and Firebase Auth tokens"},
	{"auth0", necessary, "Auth0 tenants (*.auth0.com) are sign-in pages"},
	{"adobe_login", necessary, "Adobe sign-in"},
	// Companies' own sites and platforms, filed under a tracking category.
	{"google", necessary, "google.com and its country domains serve reCAPTCHA, Sign-In and Maps embeds; Google's ads and analytics have their own hosts"},
	{"firebase", necessary, "Firebase Hosting (*.firebaseapp.com), Auth, App Check and Cloud Messaging; its analytics host is corrected below"},
	{"wordpress_stats", necessary, "wp.com, w.org and wordpress.com serve WordPress images (i0.wp.com), assets and emoji; Jetpack Stats keep stats.wp.com and pixel.wp.com"},
	{"shopify", necessary, "cdn.shopify.com and *.myshopify.com are every Shopify shop's own CDN and checkout; Shopify's analytics keep stats.shopify.com"},
	{"shopifycloud.com", necessary, "Shopify's checkout and storefront scripts"},
	{"github", necessary, "GitHub serves code, gists and user content, not tracking"},
	{"github_apps", necessary, "GitHub app hosting"},
	{"atlassian.net", necessary, "Jira, Confluence and Bitbucket instances are the site's own tools"},
	{"statuspage.io", necessary, "a site's own status page and its widget"},
	{"datatables", necessary, "the DataTables script library CDN"},
}

// hostCorrections re-categorise single hosts; they apply after
// trackerCorrections. A host taken out must not have a parent domain left
// in the table, or the parent would still match it (a test checks this):
// that is why Yandex's sign-in (passport.yandex.ru, under yandex.ru, which
// is advertising) cannot be taken out here.
var hostCorrections = []correction{
	// Publishers' own static CDNs, filed as trackers: on the publishers' own
	// pages (the only ones that load them) they serve the article's images,
	// styles and scripts, which blocking before consent breaks. Found on
	// the real-page corpus.
	{"vox-cdn.com", necessary, "Vox Media's static CDN (images, CSS, JS of its own sites)"},
	{"gannett-cdn.com", necessary, "Gannett's static CDN for its own newspapers' pages"},
	{"kinja-static.com", necessary, "Kinja (G/O Media) static files of its own sites"},
	{"kinja-img.com", necessary, "Kinja (G/O Media) article images"},
	{"arcpublishing.com", necessary, "Arc XP, the CMS and CDN publishers serve their own pages from"},
	// Ad networks the data does not know, found on the real-page corpus.
	{"mediavine.com", Marketing, "Mediavine ad management (scripts.mediavine.com), absent from the data"},
	// Google.
	{"googletagservices.com", Marketing, "serves Google Publisher Tag (gpt.js), the ad tag, not Tag Manager"},
	{"analytics.google.com", Analytics, "GA4 collection; google.com is out of the table"},
	{"googleoptimize.com", Analytics, "Google Optimize A/B testing; filed under Google's general tracker"},
	{"app-measurement.com", Analytics, "Google Analytics for Firebase collection"},
	{"firebaselogging.googleapis.com", Analytics, "Firebase Performance Monitoring collection"},
	{"firebaselogging-pa.googleapis.com", Analytics, "Firebase Performance Monitoring collection"},
	{"imasdk.googleapis.com", Marketing, "the Google IMA SDK, which loads video ads; googleapis.com is cdn"},
	// Ad platforms' conversion pixels are advertising whatever their host says.
	{"snap.licdn.com", Marketing, "the LinkedIn Insight Tag, a conversion and retargeting pixel"},
	{"analytics.tiktok.com", Marketing, "the TikTok Pixel, a conversion and retargeting pixel"},
	{"analytics.twitter.com", Marketing, "X's conversion tracking (uwt.js)"},
	// Trackers filed under cdn or misc.
	{"cloudflareinsights.com", Analytics, "Cloudflare Web Analytics beacon; AdGuard files all of Cloudflare as cdn"},
	{"trvl-px.com", Marketing, "Expedia's tracking pixel; expedia.com itself stays out"},
	{"tamgrt.com", Marketing, "TripAdvisor's tracking; its widgets' CDNs stay out"},
	{"eccmp.com", Marketing, "Cheetah Digital (Experian) e-mail marketing tracking"},
	// Analytics hosts under a parent AdGuard files as advertising.
	{"mc.yandex.com", Analytics, "Yandex Metrica's .com counter; yandex.com is advertising"},
	{"hm.baidu.com", Analytics, "Baidu Tongji analytics; baidu.com is advertising"},
	// Necessary hosts of tracking companies.
	{"adobe.com", necessary, "Adobe's site serves the PDF Embed API; Audience Manager collects on demdex.net and everesttech.net"},
	{"quantcast.com", necessary, "serves the Quantcast Choice consent tool (cmp.quantcast.com); Quantcast's tag loads from quantserve.com"},
	{"yastatic.net", necessary, "Yandex's public script library CDN (jQuery and others), like cdnjs"},
	// Kept from the hand-written list the data replaced: hosts AdGuard lacks.
	{"clarity.ms", Analytics, "Microsoft Clarity; AdGuard lists only some of its subdomains (not scripts.clarity.ms)"},
	{"hotjar.io", Analytics, "Hotjar collection"},
	{"heap-api.com", Analytics, "Heap collection"},
	{"logrocket.com", Analytics, "LogRocket session recording"},
	{"logrocket.io", Analytics, "LogRocket's script CDN"},
	{"lr-ingest.io", Analytics, "LogRocket collection"},
	{"contentsquare.com", Analytics, "Contentsquare experience analytics"},
	{"kissmetrics.io", Analytics, "Kissmetrics collection"},
	{"parse.ly", Analytics, "Parse.ly content analytics"},
	{"plausible.io", Analytics, "Plausible analytics"},
	{"hsadspixel.net", Marketing, "HubSpot's ads pixel"},
	{"tiktok.com", Marketing, "TikTok embeds and pixel"},
	{"youtu.be", Marketing, "YouTube's short links"},
}
