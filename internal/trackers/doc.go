// Package trackers maps well-known third-party hosts to the consent category
// their requests belong to, so that the rewriter can block a tracker the
// developer did not mark with data-consent.
//
// # Data
//
// The built-in table is generated from AdGuard's companiesdb
// (https://github.com/AdguardTeam/companiesdb, dist/trackers.json): about
// 5,100 domains of 3,300 trackers, each with a category. The generated file,
// adguard_gen.go, is the one file of this repository under CC BY-SA 4.0, as
// the data is; its header carries the source revision and attribution. The
// rest of the package, overrides.go included, is MIT.
//
// To refresh it, put a new copy of the data in ../shared/data (see its
// README.md), update the revision constants in gen/main.go and run
//
//	go generate ./internal/trackers/
//
// which runs gen, the generator, with the repository root found by walking
// up to go.mod (pass -data to read another folder). The same run regenerates
// the Open Cookie Database table of internal/cookiedb. A test checks that
// the committed files are what the generator makes of the data.
//
// # Categories and corrections
//
// overrides.go holds every decision about what the data means: how AdGuard's
// categories map onto [Analytics] and [Marketing] (advertising, social
// widgets, comments, chat widgets and video embeds are marketing; site,
// mobile and telemetry analytics are analytics; essential, CDN, hosting,
// consent tools and the "misc" company sites are necessary, that is, not in
// the table), and a small reviewed list of corrections, each with its reason:
// tag managers AdGuard files as essential become analytics, payment, sign-in,
// bot-defence and first-party CDN hosts AdGuard files as trackers become
// necessary, and hosts AdGuard lacks are added. Tests pin each correction
// and fail when new data makes one stale. Developers add, re-categorise or
// remove hosts with [Table.With].
//
// # Matching
//
// An entry matches its host and every subdomain, on whole labels: an entry
// for "google-analytics.com" covers "www.google-analytics.com" but not
// "notgoogle-analytics.com". The most specific entry wins.
//
// Hosts are normalised as a browser's URL parser does before matching,
// because a host a browser resolves differently is a tracker let through:
// user info and port are dropped, percent-escapes decoded, and the result
// goes through UTS #46 "domain to ASCII" as the WHATWG URL standard runs it
// (golang.org/x/net/idna, non-transitional, CheckBidi and CheckJoiners,
// no STD3 rules): upper case, full-width forms and ideographic full stops
// ("。") are mapped, soft hyphens removed, and Unicode labels turned into
// their "xn--" form. Trailing dots are ignored. URLs are read as the parser
// reads them too: surrounding spaces and C0 controls trimmed, tabs and
// newlines ignored, backslashes taken for slashes. ASCII hosts without
// percent-escapes take an allocation-free path.
//
// # Runtime guard
//
// [Table.GuardSet] encodes the table as one Golomb-Rice coded set of 32-bit
// FNV-1a host hashes ([GuardHash]) per category, for the loader in the
// browser to ask "is this host or a parent domain a tracker?" without
// shipping host names. The format is documented on [GuardSet].
package trackers

//go:generate go run ./gen
