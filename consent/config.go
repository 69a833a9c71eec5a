package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Necessary is the ID of the category that is always granted: cookies the
// site cannot work without, including the consent cookie itself.
const Necessary = "necessary"

// Default values of Config, as its fields' comments give them.
const (
	defaultCookieName         = "consent"
	defaultLanguageCookieName = "consent_lang"
	defaultLifetime           = 182 * 24 * time.Hour
	maxLifetime               = 400 * 24 * time.Hour
	defaultPrefix             = "/consent"
	defaultPolicyVersion      = "1"
	defaultPolicyURL          = "/privacy"
	defaultStoreTimeout       = 5 * time.Second
	defaultWaitForUpdate      = 500
	minHashKeyLen             = 32
	maxCategories             = 63
)

// KeyPair is one signing (hash) key and optional encryption (block) key for
// the consent cookie. The first pair of Config.Keys signs new cookies; all
// pairs verify, so a key can be rotated by putting a new pair first and
// keeping the old one until every cookie signed with it has expired.
type KeyPair struct {
	// HashKey authenticates the cookie with HMAC-SHA256. At least 32 bytes
	// of random data, such as from securecookie.GenerateRandomKey(32).
	HashKey []byte
	// BlockKey encrypts the cookie with AES when set: 16, 24 or 32 bytes.
	// A consent state is not secret, so nil (sign only) is a fine default.
	BlockKey []byte
}

// Category is a purpose visitors can accept or refuse, such as "analytics".
type Category struct {
	// ID is the category's identifier: lower-case letters, digits, '-' and
	// '_', as used in data-consent="…" attributes and in the consent log.
	ID string
	// SaleOrSharing marks categories that sell or share personal data
	// (advertising, cross-site tracking). A request with Sec-GPC: 1 denies
	// them whatever the cookie says.
	SaleOrSharing bool
	// Titles and Descriptions name and explain the category per language
	// (BCP 47 tag → text) for categories the built-in catalogs do not know,
	// or to override their text. The "en" entry is the fallback.
	Titles       map[string]string
	Descriptions map[string]string
}

// DefaultCategories are the categories used when Config.Categories is nil.
func DefaultCategories() []Category {
	return []Category{
		{ID: Necessary},
		{ID: "preferences"},
		{ID: "analytics"},
		{ID: "marketing", SaleOrSharing: true},
	}
}

// Config configures a Manager. The zero value of every field but Keys is a
// secure default, documented on the field.
type Config struct {
	// Keys sign (and optionally encrypt) the consent cookie; the first pair
	// signs, every pair verifies. Required.
	Keys []KeyPair

	// Categories lists the purposes visitors choose from. The necessary
	// category is always present and always granted; it is added first
	// when missing. Default is DefaultCategories(): necessary, preferences,
	// analytics and marketing (sale or sharing).
	Categories []Category

	// PolicyVersion names the version of the privacy policy. Together with
	// the categories and the third parties declared in Cookies
	// (CookieSpec.Provider) it makes the consent revision: changing any of
	// them asks every visitor again; changing the banner's wording does not.
	// Default is "1".
	PolicyVersion string

	// PolicyURL is the privacy policy the banner links to. Default is
	// "/privacy".
	PolicyURL string

	// Cookie sets the names and attributes of the middleware's own two
	// cookies, the consent cookie and the language cookie. The zero value
	// is the defaults: host-only, Secure, SameSite=Lax, called
	// "__Host-consent" and "__Host-consent_lang".
	Cookie Cookie
	// Lifetime is how long a decision stays valid before the visitor is
	// asked again. Default is 182 days; at most 400 days (the cap browsers
	// put on cookie lifetimes).
	Lifetime time.Duration

	// Prefix is the path under which the middleware serves its endpoints,
	// such as "/consent/decision". Default is "/consent".
	Prefix string

	// Store keeps the consent log. Default is a store that writes each
	// record to Logger, which is not a durable log: New warns about it.
	Store Store
	// StoreTimeout bounds each Store.Record call. Default is 5 seconds.
	StoreTimeout time.Duration

	// TrustedOrigins are extra origins (such as "https://admin.example.com")
	// allowed to post decisions cross-origin. Default is none: only
	// same-origin posts are accepted.
	TrustedOrigins []string

	// ClientIP returns the visitor's address for the consent log, which
	// pseudonymises it (/24 for IPv4, /48 for IPv6). Behind a reverse
	// proxy, return the address your proxy reports. Default is the host of
	// http.Request.RemoteAddr.
	ClientIP func(r *http.Request) string

	// Logger receives warnings and, without a Store, the consent records.
	// Default is slog.Default().
	Logger *slog.Logger

	// Now is the clock. Default is time.Now; tests inject their own.
	Now func() time.Time

	// Language returns the language a request's page is in (a BCP 47 tag
	// such as "es"), for the banner; a visitor's own choice in the banner's
	// language switcher still wins. Default is nil: Accept-Language decides.
	Language func(r *http.Request) string
	// Languages are the languages the site is published in (BCP 47 tags
	// of the catalogs, such as "en", "es"): the banner's language switcher
	// offers them, the visitor's Accept-Language choice and English; the
	// preferences dialog offers every catalog. Default is none.
	Languages []string
	// NoLanguageSwitcher hides the banner's language switcher. Default is
	// false: visitors can pick any of the catalogs' languages.
	NoLanguageSwitcher bool
	// Messages overrides catalog messages: language tag → message key →
	// text, such as {"en": {"banner.title": "Your privacy"}}. A tag without
	// a region ("pt") also applies to its regional variants. Keys are those
	// of internal/locales/messages/en.json, plus the CLDR plural forms of
	// "decl.days" ("decl.days#one", "decl.days#few", …). Default is none.
	Messages map[string]map[string]string
	// NoBanner injects only the head snippet's Consent Mode defaults and
	// blocks scripts, without the banner, for sites that render their own
	// (see the template helpers). Default is false.
	NoBanner bool

	// ConsentMode sets the Google Consent Mode v2 state the head snippet
	// sends. The zero value is the defaults: DefaultConsentMode(), a
	// wait_for_update of 500 ms, in every region.
	ConsentMode ConsentMode

	// Trackers adds or overrides entries of the built-in table of
	// third-party hosts (host → category; "" removes a host), used to block
	// scripts, iframes, images and links without a data-consent attribute.
	// Subdomains match. Default is none.
	Trackers map[string]string

	// HistoryHandler serves {prefix}/history?id=…: a visitor's own consent
	// history, looked up by the consent ID the preferences dialog shows as
	// a receipt, with a link there. Use auditlog.HistoryHandler(log). Its
	// requests carry the visitor's language and the site's category names
	// (see VisitorFrom), so the page speaks the banner's language.
	// Default is nil: no history page and no link.
	HistoryHandler http.Handler

	// NoRewrite, when it returns true, leaves a request's HTML response
	// unrewritten: no banner, no script blocking. Set-Cookie filtering
	// still applies: a cookie the visitor refused is never set. Default is
	// nil: every HTML page is rewritten.
	NoRewrite func(r *http.Request) bool
	// RewriteFragments rewrites responses to htmx requests (HX-Request
	// without HX-Boosted) too. Default is false: those are page fragments,
	// where a banner does not belong.
	RewriteFragments bool
	// Nonce returns the CSP nonce of a request's page, for the injected
	// <script> and <style> elements. Default reads the nonce from the
	// response's Content-Security-Policy header.
	Nonce func(r *http.Request) string

	// Cookies declares, per category, the cookies the site and its third
	// parties set. Set-Cookie headers for cookies of a category the visitor
	// has not granted are removed from every response, and withdrawing a
	// category expires its declared cookies. The consent cookie is declared
	// automatically. Default is none.
	Cookies []CookieSpec
	// UndeclaredCookies says what happens to cookies Cookies does not
	// declare. Default is BlockUndeclared: dropped, with a warning once per
	// name.
	UndeclaredCookies UndeclaredPolicy

	// GPC sets what the site tells user agents about Global Privacy
	// Control. The signal itself is always honoured. Default is off.
	GPC GPC

	// CacheSize bounds the number of verified cookie values kept in memory
	// so that repeat visitors skip the signature check. Default is 8192;
	// a negative value disables the cache.
	CacheSize int

	// Compression is the middleware's own gzip. A compressed page cannot be
	// rewritten, so handlers inside the middleware never see
	// Accept-Encoding on requests that may produce a page, and the
	// middleware gzips its output instead: one wrapper is enough, whichever
	// order compressors are in. An HTML page that arrives gzip-encoded
	// anyway is decoded and rewritten; one in any other coding (br, zstd,
	// deflate) is never served: the visitor gets a 500, which explains the
	// fix on localhost, and the log an error. Default is on, at
	// gzip level 5, for bodies of at least 1400 bytes. See README, "Streaming and
	// compression".
	Compression Compression

	// WriteLimits bounds how fast one network or one browser can add
	// records to the consent log. The zero value is the defaults: 30 a
	// minute per address, 5 a minute per consent ID (see WriteLimits).
	WriteLimits WriteLimits

	// Diagnostics shows, in the browser, what the middleware did to each
	// response and why: a header on every response and a protected page
	// at {prefix}/debug. Development only. Default is off.
	Diagnostics Diagnostics
	// Regions applies privacy models by where the visitor is: opt-in,
	// opt-out with a "Do Not Sell or Share" link, or a notice only. The
	// zero value is opt-in for every visitor. See Regions.
	Regions Regions

	// Discovery counts the undeclared cookies and the tracker hosts the
	// site really uses, from live traffic (see Discovery). Default is on,
	// with a Cookie header read in one request of 16.
	Discovery Discovery
	// Banner look (issue #14).

	// BannerLayout places the first layer: LayoutBar, a bar along the
	// bottom edge, or LayoutBox, a box in the bottom corner (the end corner:
	// right in left-to-right languages). Either comes first in the page's
	// keyboard order. Default is LayoutBar.
	BannerLayout string
	// ReopenCorner is where the small control that reopens the preferences
	// floats on every page after a decision, so that withdrawing is one
	// click away like accepting: CornerStart (bottom left in left-to-right
	// languages) or CornerEnd; CornerNone leaves a plain "Cookie settings"
	// link at the end of the page, for sites that place their own (see the
	// consentSettingsLink template helper). Default is CornerStart.
	ReopenCorner string
}

var idChars = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['_'] = true, true
	return t
}()

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idChars[id[i]] {
			return false
		}
	}
	return true
}

// The values of Config.BannerLayout and Config.ReopenCorner.
const (
	LayoutBar   = "bar"
	LayoutBox   = "box"
	CornerStart = "start"
	CornerEnd   = "end"
	CornerNone  = "none"
)

// normalizeLook fills and checks the banner's layout and reopen corner.
func (c *Config) normalizeLook() error {
	switch c.BannerLayout {
	case "":
		c.BannerLayout = LayoutBar
	case LayoutBar, LayoutBox:
	default:
		return fmt.Errorf("%w: BannerLayout %q: use %q or %q", ErrBadLook, c.BannerLayout, LayoutBar, LayoutBox)
	}
	switch c.ReopenCorner {
	case "":
		c.ReopenCorner = CornerStart
	case CornerStart, CornerEnd, CornerNone:
	default:
		return fmt.Errorf("%w: ReopenCorner %q: use %q, %q or %q", ErrBadLook, c.ReopenCorner, CornerStart, CornerEnd, CornerNone)
	}
	return nil
}

// normalize fills defaults, then checks everything, so that a Manager never
// fails later because of its configuration and no check has to guess a
// default.
func (c *Config) normalize() error {
	c.fillDefaults()
	if len(c.Keys) == 0 {
		return fmt.Errorf("%w: set Config.Keys to at least one KeyPair with a 32-byte random HashKey", ErrNoKeys)
	}
	for i, k := range c.Keys {
		if len(k.HashKey) < minHashKeyLen {
			return fmt.Errorf("%w: Keys[%d].HashKey has %d bytes, need at least %d random bytes", ErrBadKey, i, len(k.HashKey), minHashKeyLen)
		}
		switch len(k.BlockKey) {
		case 0, 16, 24, 32:
		default:
			return fmt.Errorf("%w: Keys[%d].BlockKey has %d bytes, need 16, 24 or 32 (or none)", ErrBadKey, i, len(k.BlockKey))
		}
	}
	seen := make(map[string]bool, len(c.Categories)+1)
	cats := make([]Category, 0, len(c.Categories)+1)
	hasNecessary := false
	for _, cat := range c.Categories {
		if cat.ID == Necessary {
			hasNecessary = true
		}
	}
	if !hasNecessary {
		cats = append(cats, Category{ID: Necessary})
		seen[Necessary] = true
	}
	for i, cat := range c.Categories {
		if cat.ID == "" {
			return fmt.Errorf("%w: Categories[%d] has an empty ID", ErrBadCategory, i)
		}
		if !validID(cat.ID) {
			return fmt.Errorf("%w: Categories[%d] ID %q: use lower-case letters, digits, '-' and '_' (at most 64)", ErrBadCategory, i, cat.ID)
		}
		if seen[cat.ID] {
			return fmt.Errorf("%w: duplicate category ID %q", ErrBadCategory, cat.ID)
		}
		if cat.ID == Necessary && cat.SaleOrSharing {
			return fmt.Errorf("%w: the necessary category cannot be sale or sharing", ErrBadCategory)
		}
		seen[cat.ID] = true
		if cat.ID == Necessary {
			cats = append([]Category{cat}, cats...)
		} else {
			cats = append(cats, cat)
		}
	}
	if len(cats) > maxCategories {
		return fmt.Errorf("%w: %d categories, at most %d", ErrBadCategory, len(cats), maxCategories)
	}
	c.Categories = cats

	if !validCookieName(c.Cookie.Name) {
		return fmt.Errorf("%w: cookie name %q is not a valid token", ErrBadCookie, c.Cookie.Name)
	}
	if c.Cookie.Domain != "" && !validCookieDomain(c.Cookie.Domain) {
		return fmt.Errorf("%w: cookie domain %q is not a host name", ErrBadCookie, c.Cookie.Domain)
	}
	if c.Cookie.SameSite < http.SameSiteDefaultMode || c.Cookie.SameSite > http.SameSiteNoneMode {
		return fmt.Errorf("%w: unknown SameSite value %d", ErrBadCookie, c.Cookie.SameSite)
	}
	if c.Cookie.SameSite == http.SameSiteNoneMode && c.Cookie.Insecure {
		return fmt.Errorf("%w: SameSite=None needs a Secure cookie; unset Cookie.Insecure", ErrBadCookie)
	}
	if c.Lifetime < time.Hour || c.Lifetime > maxLifetime {
		return fmt.Errorf("%w: %v; use between one hour and 400 days", ErrBadLifetime, c.Lifetime)
	}
	if !strings.HasPrefix(c.Prefix, "/") || strings.HasSuffix(c.Prefix, "/") || strings.ContainsAny(c.Prefix, "?#% ") {
		return fmt.Errorf("%w: %q; use a path such as /consent, without a trailing slash", ErrBadPrefix, c.Prefix)
	}
	if c.StoreTimeout < 0 {
		return fmt.Errorf("%w: negative StoreTimeout", ErrBadConfig)
	}
	if !validCookieName(c.Cookie.LanguageName) || c.Cookie.LanguageName == c.Cookie.Name {
		return fmt.Errorf("%w: language cookie name %q is not a valid token distinct from the consent cookie", ErrBadCookie, c.Cookie.LanguageName)
	}
	if err := c.normalizeCookies(); err != nil {
		return err
	}
	for host, cat := range c.Trackers {
		if host == "" {
			return fmt.Errorf("%w: Trackers has an empty host", ErrBadConfig)
		}
		if cat != "" && !seen[cat] {
			return fmt.Errorf("%w: Trackers maps %q to unknown category %q", ErrBadCategory, host, cat)
		}
	}
	if err := c.normalizeCompression(); err != nil {
		return err
	}
	if err := c.WriteLimits.normalize(); err != nil {
		return err
	}
	if err := c.normalizeDiagnostics(); err != nil {
		return err
	}
	if err := c.normalizeRegions(); err != nil {
		return err
	}
	if err := c.Discovery.normalize(); err != nil {
		return err
	}
	return c.normalizeLook()
}

// fillDefaults gives every unset field of the top level and of Cookie and
// ConsentMode the default its comment names. (Compression, WriteLimits and
// Diagnostics fill and check their own.)
func (c *Config) fillDefaults() {
	if c.Categories == nil {
		c.Categories = DefaultCategories()
	}
	if c.PolicyVersion == "" {
		c.PolicyVersion = defaultPolicyVersion
	}
	if c.PolicyURL == "" {
		c.PolicyURL = defaultPolicyURL
	}
	if c.Cookie.Name == "" {
		c.Cookie.Name = defaultCookieName
	}
	if c.Cookie.SameSite == 0 {
		c.Cookie.SameSite = http.SameSiteLaxMode
	}
	if c.Lifetime == 0 {
		c.Lifetime = defaultLifetime
	}
	if c.Prefix == "" {
		c.Prefix = defaultPrefix
	}
	if c.StoreTimeout == 0 {
		c.StoreTimeout = defaultStoreTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Cookie.LanguageName == "" {
		c.Cookie.LanguageName = defaultLanguageCookieName
	}
	if c.ConsentMode.WaitForUpdate == 0 {
		c.ConsentMode.WaitForUpdate = defaultWaitForUpdate
	}
	if c.CacheSize == 0 {
		c.CacheSize = 8192
	}
	if c.GPC.LastUpdate.IsZero() {
		c.GPC.LastUpdate = c.Now()
	}
}

func validCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// revision derives the consent revision from everything a visitor agreed
// to: the policy version, each category with its flags, and the third
// parties each category shares data with (CookieSpec.Provider), so that a
// new third party asks every visitor again while a change of wording does
// not. Any change gives a new revision, so visitors are asked again without
// anybody having to remember to bump a number.
//
// The providers are hashed only when some category has one, after what
// version 1 hashed: a site that declares no third party keeps its
// revision, and its visitors are not asked again for an upgrade that
// changes nothing they agreed to. A site that declares providers gets a new
// revision once, since its visitors' consent never covered a list.
func revision(policyVersion string, cats []Category, providers []CategoryProviders) [8]byte {
	h := sha256.New()
	fmt.Fprintf(h, "consentkit/rev/1\x00%d:%s\x00", len(policyVersion), policyVersion)
	for _, c := range cats {
		fmt.Fprintf(h, "%d:%s:%t\x00", len(c.ID), c.ID, c.SaleOrSharing)
	}
	if slices.ContainsFunc(providers, func(p CategoryProviders) bool { return len(p.Providers) > 0 }) {
		fmt.Fprintf(h, "providers\x00")
		for _, p := range providers {
			fmt.Fprintf(h, "%d:%s:%d\x00", len(p.Category), p.Category, len(p.Providers))
			for _, name := range p.Providers {
				fmt.Fprintf(h, "%d:%s\x00", len(name), name)
			}
		}
	}
	var out [8]byte
	copy(out[:], h.Sum(nil))
	return out
}

func revisionString(r [8]byte) string { return hex.EncodeToString(r[:]) }
