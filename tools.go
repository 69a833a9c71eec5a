//go:build tools

// Package consentkit pins the modules the test suites and sub-packages need
// while they are being written; see README "Dependencies".
package consentkit
import (
 _ "github.com/gorilla/securecookie"
 _ "golang.org/x/text/language"
 _ "golang.org/x/text/message/catalog"
 _ "github.com/stretchr/testify/require"
 _ "golang.org/x/net/html"
 _ "modernc.org/sqlite"
 _ "github.com/jackc/pgx/v5"
 _ "github.com/jackc/pgx/v5/pgxpool"
 _ "github.com/chromedp/chromedp"
)

