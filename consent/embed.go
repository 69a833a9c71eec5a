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

// Click-to-load placeholders. A neutralised iframe, embed or object would
// show an empty box; the rewriter gives it a URL of its own instead (an
// iframe's or embed's src, an object's data), {prefix}/embed, a page in the
// visitor's language naming the provider and the category, with "Load
// this once" (a link that navigates only that frame to the embed) and
// "Always allow <category>" (a decision form posted to the top window).
// Browsers show an HTML page in an embed or object as in an iframe, once
// the rewriter has put the element's type aside with its URL. Both work
// without JavaScript; on grant the loader puts the element's own URL (and
// type) back, as it does every data-ck-<name>.
//
// The embed's URL travels in the placeholder's query, so that the page
// needs no state; it is signed, so that {prefix}/embed cannot be made to
// offer a link to anywhere else.

// placeheld reports whether the page's Content-Security-Policy lets it show
// its own origin in a frame (frames: frame-src, else child-src, else
// default-src) and in an embed or object (objects: object-src, else
// default-src). The placeholder is a page of the site, and a policy that
// lists only the providers would block it, which shows worse than an empty
// box. Every policy must allow it; 'self' and * do. Strict policies often
// say object-src 'none' and still allow frames, hence two answers.
func placeheld(h http.Header) (frames, objects bool) {
	frames, objects = true, true
	for _, policy := range h.Values("Content-Security-Policy") {
		var src [4][]string // frame-src, child-src, default-src, object-src
		for _, dir := range strings.Split(policy, ";") {
			f := strings.Fields(dir)
			if len(f) == 0 {
				continue
			}
			i := -1
			switch strings.ToLower(f[0]) {
			case "frame-src":
				i = 0
			case "child-src":
				i = 1
			case "default-src":
				i = 2
			case "object-src":
				i = 3
			}
			if i >= 0 && src[i] == nil {
				src[i] = append(f[1:], "") // non-nil even when empty
			}
		}
		frames = frames && allowsSelf(src[0], src[1], src[2])
		objects = objects && allowsSelf(src[3], nil, src[2])
	}
	return frames, objects
}

// allowsSelf reports whether the first non-nil source list (the directive
// that applies) lists 'self' or *; with none, nothing restricts it.
func allowsSelf(lists ...[]string) bool {
	for _, list := range lists {
		if list == nil {
			continue
		}
		for _, v := range list {
			if strings.EqualFold(v, "'self'") || v == "*" {
				return true
			}
		}
		return false
	}
	return true
}

// embedLabel keeps a placeholder's signature from meaning anything else.
var embedLabel = []byte("consentkit embed\x00")

// embedMAC appends to dst the signature of an embed URL: HMAC-SHA256 with
// the first cookie key, 128 bits, base64url. The keyed hashes are pooled:
// pages with embeds sign one per embedded element.
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

// placeholder is the rewriter's Config.Placeholder and ObjectPlaceholder:
// the URL of the placeholder page for an iframe, embed or object blocked by
// category whose src (an object's data) was src. A
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
