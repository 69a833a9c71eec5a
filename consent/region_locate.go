package consent

import (
	"net/http"
	"net/textproto"
)

// GeoHeaders chooses the geolocation headers a CDN or platform sets that
// LocateHeaders reads. Every reader is off unless set, because a client can
// send these headers itself: trust one only when the proxy in front of the
// site always sets or strips it (Cloudflare, CloudFront, Vercel and App
// Engine overwrite their own headers; a custom header needs your proxy to
// remove what the client sent). Values are validated: a header that is
// repeated, longer than a code, not letters, or one of the codes that name
// no country ("XX", "T1" for Tor, …) reads as unknown.
type GeoHeaders struct {
	// Cloudflare reads CF-IPCountry and, when the "Add visitor location
	// headers" managed transform is on, CF-Region-Code.
	Cloudflare bool
	// CloudFront reads CloudFront-Viewer-Country and
	// CloudFront-Viewer-Country-Region (forward them in an origin request
	// policy).
	CloudFront bool
	// Vercel reads X-Vercel-IP-Country and X-Vercel-IP-Country-Region.
	Vercel bool
	// AppEngine reads X-AppEngine-Country and X-AppEngine-Region.
	AppEngine bool
	// Country and Subdivision name a header your own proxy sets with the
	// ISO 3166-1 country code and, optionally, the subdivision code
	// ("CA" or "US-CA"). Default is none.
	Country, Subdivision string
}

// geoPair is one country header and its subdivision header, canonical.
type geoPair struct{ country, sub string }

// LocateHeaders returns a Regions.Locate function that reads the headers h
// enables, in the order of its fields, and returns the first valid
// country. It does not allocate.
func LocateHeaders(h GeoHeaders) func(r *http.Request) Region {
	var pairs []geoPair
	if h.Cloudflare {
		pairs = append(pairs, geoPair{"Cf-Ipcountry", "Cf-Region-Code"})
	}
	if h.CloudFront {
		pairs = append(pairs, geoPair{"Cloudfront-Viewer-Country", "Cloudfront-Viewer-Country-Region"})
	}
	if h.Vercel {
		pairs = append(pairs, geoPair{"X-Vercel-Ip-Country", "X-Vercel-Ip-Country-Region"})
	}
	if h.AppEngine {
		pairs = append(pairs, geoPair{"X-Appengine-Country", "X-Appengine-Region"})
	}
	if h.Country != "" {
		p := geoPair{country: textproto.CanonicalMIMEHeaderKey(h.Country)}
		if h.Subdivision != "" {
			p.sub = textproto.CanonicalMIMEHeaderKey(h.Subdivision)
		}
		pairs = append(pairs, p)
	}
	return func(r *http.Request) Region {
		for _, p := range pairs {
			if reg := headerRegion(r.Header, p); !reg.IsZero() {
				return reg
			}
		}
		return Region{}
	}
}

// headerRegion reads one pair; a header given more than once is ignored,
// since a client may have added one copy before the proxy added another.
func headerRegion(h http.Header, p geoPair) Region {
	c := h[p.country]
	if len(c) != 1 {
		return Region{}
	}
	sub := ""
	if p.sub != "" {
		if s := h[p.sub]; len(s) == 1 {
			sub = s[0]
		}
	}
	return MakeRegion(c[0], sub)
}
