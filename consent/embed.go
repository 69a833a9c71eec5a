package consent

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/consentkit/consentkit/internal/banner"
)

// Click-to-load placeholders. A neutralised iframe would show an empty box;
// the rewriter gives it a src of its own instead, {prefix}/embed, a page in
// the visitor's language naming the provider and the category, with "Load
// this once" (a link that navigates only that frame to the embed) and
// "Always allow <category>" (a decision form posted to the top window).
// Both work without JavaScript; on grant the loader puts the iframe's own
// src back, as it does every data-ck-<name>.
//
// The embed's URL travels in the placeholder's query, so that the page
// needs no state; it is signed, so that {prefix}/embed cannot be made to
// offer a link to anywhere else.

// framesSelf reports whether the page's Content-Security-Policy lets it
// frame its own origin: the placeholder is a page of the site, and a policy
// whose frame-src (else child-src, else default-src) lists only the
// providers would block it, which shows worse than an empty box. Every
// policy must allow it; 'self' and * do.
func framesSelf(h http.Header) bool {
	for _, policy := range h.Values("Content-Security-Policy") {
		var src [3][]string // frame-src, child-src, default-src
		for _, dir := range strings.Split(policy, ";") {
			f := strings.Fields(dir)
			if len(f) == 0 {
				continue
			}
			switch strings.ToLower(f[0]) {
			case "frame-src":
				src[0] = append(f[1:], "")
			case "child-src":
				src[1] = append(f[1:], "")
			case "default-src":
				src[2] = append(f[1:], "")
			}
		}
		for _, list := range src {
			if list == nil {
				continue
			}
			ok := false
			for _, v := range list {
				ok = ok || strings.EqualFold(v, "'self'") || v == "*"
			}
			if !ok {
				return false
			}
			break
		}
	}
	return true
}

// embedMAC signs an embed URL with the first cookie key, under a label of
// its own so the signature means nothing elsewhere.
func (m *Manager) embedMAC(dst []byte, u []byte) []byte {
	h := hmac.New(sha256.New, m.cfg.Keys[0].HashKey)
	h.Write([]byte("consentkit embed\x00"))
	h.Write(u)
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.AppendEncode(dst, h.Sum(sum[:0])[:16])
}

// placeholder is the rewriter's Config.Placeholder: the URL of the
// placeholder page for an iframe blocked by category whose src was src.
// A relative src is resolved against the page, whose path the placeholder
// does not share.
func (s *htmlRewrite) placeholder(dst []byte, category string, src []byte) []byte {
	m := s.m
	dst = append(dst, m.cfg.Prefix...)
	dst = append(dst, "/embed?c="...)
	dst = append(dst, url.QueryEscape(category)...)
	dst = append(dst, "&r="...)
	dst = append(dst, url.QueryEscape(s.data.Return)...)
	u := strings.TrimSpace(string(src))
	if u == "" {
		return dst
	}
	if ref, err := url.Parse(u); err == nil {
		if base, err := url.Parse(s.data.Return); err == nil {
			u = base.ResolveReference(ref).String()
		}
	}
	dst = append(dst, "&u="...)
	dst = append(dst, url.QueryEscape(u)...)
	dst = append(dst, "&s="...)
	return m.embedMAC(dst, []byte(u))
}

// loadable reports whether u, signed with sig, may be offered as "Load this
// once": signed by this Manager, and a web URL or a path of this site.
func (m *Manager) loadable(u, sig string) bool {
	if u == "" || !hmac.Equal(m.embedMAC(nil, []byte(u)), []byte(sig)) {
		return false
	}
	if strings.HasPrefix(u, "/") {
		return !strings.HasPrefix(u, "//") && !strings.HasPrefix(u, "/\\")
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// provider names where an embed comes from: its host without "www.", or
// the site's own host for a path or an iframe without src.
func provider(u string, r *http.Request) string {
	host := r.Host
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		host = p.Hostname()
	}
	return strings.TrimPrefix(host, "www.")
}

// serveEmbed is GET {prefix}/embed?c=&r=&u=&s=: the placeholder page. An
// unknown or locked category is a 400: only the rewriter makes these URLs.
func (m *Manager) serveEmbed(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "use GET")
		return
	}
	q := r.URL.Query()
	cat := q.Get("c")
	if i := m.set.index(cat); i < 0 || cat == Necessary {
		httpError(w, r, http.StatusBadRequest, "unknown category: c must name a category the visitor can grant")
		return
	}
	st := m.requestState(w, r)
	h := w.Header()
	d := dataPool.Get().(*banner.Data)
	defer dataPool.Put(d)
	m.bannerData(d, r, st, m.localeFor(r, ""), m.nonceFor(r, h))
	d.Return = safeReturn(q.Get("r"))
	u := q.Get("u")
	e := banner.Embed{Category: cat, Provider: provider(u, r)}
	if m.loadable(u, q.Get("s")) {
		e.Load = u
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	banner.Placeholder(buf, d, e)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	// Only this site may frame it, it runs nothing, and its one form posts
	// here.
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Add("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'")
	addVary(h, "Cookie")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(buf.Bytes())
}
