// Package cookiedb knows the cookies and storage keys of common platforms,
// so that a site's undeclared cookie can be reported with a likely category
// ("_ga_ABC123 looks like Google Analytics: analytics").
//
// The data is the Open Cookie Database
// (https://github.com/jkwakman/Open-Cookie-Database,
// open-cookie-database.csv), about 2,260 names under the Apache License 2.0.
// cookies_gen.go is generated from it by the trackers generator (run
// `go generate ./internal/trackers/`) and carries its source revision,
// licence and attribution. The database's categories map onto consent
// categories: Functional, Security and Necessary become necessary,
// Personalization preferences, Analytics analytics and Marketing marketing.
// overrides.go corrects the database where it is wrong (Hotjar's session
// cookies filed as Functional, consent records filed as Analytics), each
// correction with its reason.
//
// A name matches its exact entry, or else the longest wildcard entry it
// starts with. The data is parsed once, on the first lookup.
package cookiedb
