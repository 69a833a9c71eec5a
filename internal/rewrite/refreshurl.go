package rewrite

// RefreshURL returns the URL of a refresh's content ("5; url=…"), parsed
// as the rewriter parses <meta http-equiv=refresh>, or "" when it names
// none. The middleware judges a Refresh response header with it, the same
// instruction in another form, so that the two can never disagree.
func RefreshURL(content string) string { return string(refreshURL([]byte(content))) }
