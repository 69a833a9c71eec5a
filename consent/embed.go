package consent

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
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

// embedLabel keeps a placeholder's signature from meaning anything else.
var embedLabel = []byte("consentkit embed\x00")

// embedMAC appends to dst the signature of an embed URL: HMAC-SHA256 with
// the first cookie key, 128 bits, base64url. The keyed hashes are pooled:
// pages with embeds sign one per iframe.
func (m *Manager) embedMAC(dst []byte, u []byte) []byte {
	sg := m.embedMACs.Get().(*embedSigner)
	sg.h.Reset()
	sg.h.Write(embedLabel)
	sg.h.Write(u)
	dst = base64.RawURLEncoding.AppendEncode(dst, sg.h.Sum(sg.sum[:0])[:16])
	m.embedMACs.Put(sg)
	return dst
}

// embedSigner is a keyed hash with room for its sum, which would escape
// to the heap on every call as a local array.
type embedSigner struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

// newEmbedMAC makes the signers of m.embedMACs.
func newEmbedMAC(key []byte) func() any {
	return func() any { return &embedSigner{h: hmac.New(sha256.New, key)} }
}

// placeholder is the rewriter's Config.Placeholder: the URL of the
// placeholder page for an iframe blocked by category whose src was src. A
// relative src is resolved against the page, whose path the placeholder
// does not share; an absolute one costs no allocation.
func (s *htmlRewrite) placeholder(dst []byte, category string, src []byte) []byte {
	m := s.m
	dst = append(dst, m.cfg.Prefix...)
	dst = append(dst, "/embed?c="...)
	dst = appendQueryEscape(dst, category)
	dst = append(dst, "&r="...)
	dst = appendQueryEscape(dst, s.data.Return)
	u := bytes.TrimSpace(src)
	if len(u) == 0 {
		return dst
	}
	if !hasPrefixFold(u, "https://") && !hasPrefixFold(u, "http://") {
		if ref, err := url.Parse(string(u)); err == nil {
			if base, err := url.Parse(s.data.Return); err == nil {
				u = []byte(base.ResolveReference(ref).String())
			}
		}
	}
	dst = append(dst, "&u="...)
	dst = appendQueryEscape(dst, u)
	dst = append(dst, "&s="...)
	return m.embedMAC(dst, u)
}

// appendQueryEscape appends s escaped as url.QueryEscape does.
func appendQueryEscape[T string | []byte](dst []byte, s T) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
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
