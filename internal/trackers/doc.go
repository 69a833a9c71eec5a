// Package trackers maps well-known third-party hosts to the consent category
// their requests belong to, so that the rewriter can block a tracker the
// developer did not mark with data-consent.
//
// The table is a plain host → category map with suffix matching on whole
// labels: an entry for "google-analytics.com" covers "www.google-analytics.com"
// and "region1.google-analytics.com" but not "notgoogle-analytics.com".
// Lookups normalise the host the way a browser's URL parser would for the
// parts that matter here (case, a port, a trailing dot, percent-escapes,
// user info, tabs and newlines inside the URL, backslashes), because a
// lookup that a browser would resolve differently is a tracker let through.
//
// The built-in list only knows two categories, [Analytics] and [Marketing]
// (advertising, social widgets, pixels and video embeds, which all set or
// read cookies for profiling). Developers add, re-categorise or remove hosts
// with [Table.With].
package trackers
