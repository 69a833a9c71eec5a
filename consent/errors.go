package consent

import (
	"errors"
	"fmt"
)

// Configuration errors returned by New. They are wrapped with details; test
// with errors.Is.
var (
	ErrNoKeys      = errors.New("consent: no signing keys configured")
	ErrBadKey      = errors.New("consent: bad key")
	ErrBadCategory = errors.New("consent: bad category")
	ErrBadCookie   = errors.New("consent: bad cookie settings")
	ErrBadPrefix   = errors.New("consent: bad endpoint prefix")
	ErrBadLifetime = errors.New("consent: bad consent lifetime")
	// ErrBadLook reports a BannerLayout or ReopenCorner value New does not know.
	ErrBadLook = errors.New("consent: bad banner look")
	// ErrBadConfig is wrapped by every other configuration error: an
	// unknown language or Consent Mode type, a bad trusted origin, a
	// negative limit.
	ErrBadConfig = errors.New("consent: bad configuration")
)

// ErrMissingJustification is wrapped (together with ErrBadCookie) by New
// when a necessary cookie has no justification: consent is waived only for
// cookies the site cannot work without, and the declaration must say why.
var ErrMissingJustification = errors.New("consent: necessary cookie without a justification")

// Cookie decoding errors, from DecodeCookie. A Manager never shows them to
// visitors: a cookie that fails to decode means "undecided".
var (
	ErrCookieInvalid = errors.New("consent: cookie signature or format invalid")
	ErrCookieTooLong = errors.New("consent: cookie too long")
	ErrCookieExpired = errors.New("consent: consent expired")
	ErrCookieStale   = errors.New("consent: consent given under an older revision")
)

// errBadDecision is wrapped by every error about a malformed decision
// request; the visitor gets a 400 naming what was wrong.
var errBadDecision = errors.New("consent: bad decision request")

// errGunzipStopped is returned by writes after the decoder stopped: the
// body was not gzip, or was corrupt, or went on past its end.
var errGunzipStopped = errors.New("consent: the gzip-encoded HTML body could not be decoded; the rest of it is dropped")

// errorf wraps sentinel with a message naming what was wrong.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

func badDecision(format string, args ...any) error { return errorf(errBadDecision, format, args...) }
