package auditlog

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/consentkit/consentkit/consent"
)

// dateLayout is the form of from and to in a filter URL: a UTC day.
const dateLayout = "2006-01-02"

// ParseFilter reads a Filter from URL query parameters, as the review
// pages and exports take it:
//
//	from, to    a UTC day (2026-03-01, to inclusive) or an RFC 3339 time (to exclusive)
//	id          a consent ID (32 lower-case hex digits)
//	category    a category ID, with state=granted (the default) or state=denied
//	outcome     accept_all, reject_all or custom
//	method      banner, form, api or gpc
//	language    a BCP 47 tag, matched exactly
//	after, before  positions, exclusive: the paging cursor
//	limit       at most this many records
//
// Empty parameters are ignored. Errors wrap ErrBadFilter and name the
// parameter.
func ParseFilter(v url.Values) (Filter, error) {
	var f Filter
	var err error
	bad := func(name, why string) error {
		return fmt.Errorf("%w: %s %s", ErrBadFilter, name, why)
	}
	if f.From, err = parseBound(v.Get("from"), false); err != nil {
		return f, bad("from", err.Error())
	}
	if f.To, err = parseBound(v.Get("to"), true); err != nil {
		return f, bad("to", err.Error())
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, bad("from", "must be before to")
	}
	if id := strings.TrimSpace(v.Get("id")); id != "" {
		if !validConsentID(id) {
			return f, bad("id", "must be 32 lower-case hex digits")
		}
		f.ConsentID = id
	}
	if c := strings.TrimSpace(v.Get("category")); c != "" {
		if len(c) > 64 || strings.ContainsAny(c, ", ") {
			return f, bad("category", "must be a category ID")
		}
		switch v.Get("state") {
		case "", "granted":
			f.Granted = c
		case "denied":
			f.Denied = c
		default:
			return f, bad("state", "must be granted or denied")
		}
	}
	switch o := consent.Outcome(v.Get("outcome")); o {
	case "", consent.OutcomeAcceptAll, consent.OutcomeRejectAll, consent.OutcomeCustom, consent.OutcomeOptOut:
		f.Outcome = o
	default:
		return f, bad("outcome", "must be accept_all, reject_all, custom or opt_out")
	}
	if reg := strings.TrimSpace(v.Get("region")); reg != "" {
		r, ok := consent.ParseRegion(reg)
		if !ok {
			return f, bad("region", "must be an ISO 3166 code such as US or US-CA")
		}
		f.Region = r.String()
	}
	switch md := consent.Model(v.Get("model")); md {
	case "", consent.ModelOptIn, consent.ModelOptOut, consent.ModelNotice:
		f.Model = md
	default:
		return f, bad("model", "must be opt_in, opt_out or notice")
	}
	switch m := consent.Method(v.Get("method")); m {
	case "", consent.MethodBanner, consent.MethodForm, consent.MethodAPI, consent.MethodGPC:
		f.Method = m
	default:
		return f, bad("method", "must be banner, form, api or gpc")
	}
	if lang := strings.TrimSpace(v.Get("language")); lang != "" {
		if len(lang) > 35 || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return f, bad("language", "must be a language tag such as en or pt-BR")
		}
		f.Language = lang
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"after", &f.After}, {"before", &f.Before}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				return f, bad(p.name, "must be a positive record position")
			}
			*p.dst = n
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return f, bad("limit", "must be a positive number")
		}
		f.Limit = n
	}
	return f, nil
}

func parseBound(s string, upper bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(dateLayout, s); err == nil {
		if d.Year() < 1 || d.Year() > 9998 {
			return time.Time{}, fmt.Errorf("must fall between the years 1 and 9998")
		}
		if upper {
			d = d.AddDate(0, 0, 1) // the whole day is included
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("must be a day (2006-01-02) or an RFC 3339 time")
	}
	if t = t.UTC(); t.Year() < 1 || t.Year() > 9998 {
		// Keeps Values able to write the bound back as a day.
		return time.Time{}, fmt.Errorf("must fall between the years 1 and 9998")
	}
	return t, nil
}

// values is the inverse of ParseFilter for the selection fields (not the
// cursor, order or limit): the query string that links to the same
// selection.
func (f Filter) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	bound := func(k string, t time.Time, upper bool) {
		if t.IsZero() {
			return
		}
		if t.Equal(t.Truncate(24*time.Hour)) && t.Location() == time.UTC {
			if upper {
				t = t.AddDate(0, 0, -1)
			}
			v.Set(k, t.Format(dateLayout))
			return
		}
		// An RFC 3339 bound is taken as given (to stays exclusive).
		v.Set(k, t.UTC().Format(time.RFC3339Nano))
	}
	bound("from", f.From, false)
	bound("to", f.To, true)
	set("id", f.ConsentID)
	if f.Granted != "" {
		v.Set("category", f.Granted)
	} else if f.Denied != "" {
		v.Set("category", f.Denied)
		v.Set("state", "denied")
	}
	set("outcome", string(f.Outcome))
	set("method", string(f.Method))
	set("language", f.Language)
	set("region", f.Region)
	set("model", string(f.Model))
	return v
}
