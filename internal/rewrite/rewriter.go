package rewrite

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/consentkit/consentkit/internal/trackers"
)

// MaxTagLen bounds the look-ahead: a start tag the rewriter may have to change
// (script, iframe, img, link) is held back until its '>' arrives, and so is the
// content of a noscript element, but never more than MaxTagLen bytes. Past the
// bound the bytes pass through unchanged; see the package documentation for
// why that is the chosen failure mode.
const MaxTagLen = 64 << 10

// ErrClosed is returned by Write and Flush after Close, until Reset.
var ErrClosed = errors.New("rewrite: write after close")

var errNotReset = errors.New("rewrite: rewriter has no destination: use Get or Reset")

// Consent answers whether the visitor granted a category. Allowed is called
// with lower-case category names; "necessary" is never asked, it is always
// granted. Implementations must be safe to call from the goroutine writing
// the response; *consent.State satisfies it.
type Consent interface {
	Allowed(category string) bool
}

// Config is what one response's rewrite needs. The byte slices are written as
// they are and must not change while the Rewriter uses them.
type Config struct {
	// Head is inserted right before the first tag other than <html> and
	// <head>: right after the <head> start tag (and the whitespace or
	// comments following it), or where the head would begin without one, so
	// that it precedes every script of the page. When that first tag is a
	// <meta> declaring the charset, Head goes after it, since browsers only
	// look for the declaration in the first 1024 bytes. With no tag at all,
	// Head is written at Close. It is inserted exactly once.
	Head []byte
	// BodyStart is inserted right after the first <body> start tag outside
	// raw text and foreign content, so that what it holds (the banner) is
	// the first thing of the page in keyboard and reading order. A document
	// without a <body> tag gets it right before BodyEnd. It is inserted
	// exactly once.
	BodyStart []byte
	// BodyEnd is inserted right before the first </body> end tag outside
	// raw text, or at Close when there is none. It is inserted exactly once.
	BodyEnd []byte
	// Settings is the automatic "Cookie settings" control. It is written
	// right after BodyEnd, unless a start tag carrying the attribute
	// SettingsAttr came before that place: the page then has its own
	// control, and a second one would only repeat it.
	Settings []byte
	// Placeholder, when set, gives a neutralised iframe a src of its own
	// (after data-ck-blocked, where it wins over a duplicate): it appends
	// to dst the URL of a page to show in the iframe's place and size until
	// the category is granted, given the blocking category and the
	// iframe's original src (decoded; empty when it had none). The loader
	// puts the original back over it on grant, as it does every
	// data-ck-<name>. Nil leaves neutralised iframes empty.
	Placeholder func(dst []byte, category string, src []byte) []byte
	// ObjectPlaceholder is Placeholder for a neutralised embed (its src)
	// and object (its data), given the original src or data. A field of its
	// own because a page's Content-Security-Policy governs these by
	// object-src, not frame-src. Nil leaves them empty.
	ObjectPlaceholder func(dst []byte, category string, src []byte) []byte
	// Consent decides which categories are granted. Nil grants nothing but
	// "necessary".
	Consent Consent
	// Trackers maps src/href hosts to categories for elements without a
	// data-consent attribute. Nil means trackers.Default().
	Trackers *trackers.Table
	// Report hears every neutralised element, with its category and the
	// reason. Nil reports nothing.
	Report Reporter
}

// Rewriter is a streaming HTML rewriter; see the package documentation. A
// Rewriter is not safe for concurrent use. The zero value is not usable: get
// one from [Get] or call [Rewriter.Reset] first.
type Rewriter struct {
	dst    io.Writer
	cfg    Config
	tab    *trackers.Table
	filter *trackers.HostFilter
	// hosts answers for the hosts a page repeats; it outlives Reset, as
	// it answers for whichever table it is asked about.
	hosts  trackers.HostCache
	err    error
	closed bool

	tokenizer

	// off is the stream offset of the first byte of the current Write; pos
	// is how much of that Write has been emitted or consumed.
	off int64
	pos int
	// held keeps the start of a token that needs look-ahead across Writes.
	// When non-empty it begins at tokAbs, or it is bytes already decided but
	// not yet emitted (then look is false).
	held []byte

	headPending, bodyPending bool
	// watch is set while a start tag with SettingsAttr would still replace
	// Config.Settings; ownSettings once one came.
	watch, ownSettings bool
	bodyStartPending   bool
	// scriptingOff makes noscript an ordinary element; it is set for the
	// child that rewrites noscript content the way a browser without
	// JavaScript would parse it.
	scriptingOff bool
	child        *Rewriter

	attrs []attr
	// rec is what was found of the current start tag's attributes while
	// it was read, valid while recValid; checkRec (tests) has every such
	// reading checked against scanAttrs.
	rec                attrRec
	recValid, checkRec bool
	out                []byte
	dec                []byte
	css                []byte // a sanitised style attribute
	paint              uint64 // the attributes of the tag decideSVG found loading from a tracker, by index
	paintCats          string // and their categories
	pay                []byte // a data: or javascript: URL's decoded content
	ph                 []byte // a placeholder URL (Config.Placeholder)
	mark               []byte // the CSS marker being written
	// joined keeps "a b" lists of categories blocking one element.
	joined []joined
	cats   []string
	// cssURL is a CSS URL token with its escapes resolved (cssURLAt).
	cssURL []byte

	// why and match are the reason and the matched text of the latest
	// tracker match, kept for report only when there is a Reporter.
	why   Reason
	match []byte

	maxTag int
	// onTag, when set by tests, sees every script and iframe start tag; raw
	// is nil for a tag longer than maxTag.
	onTag func(name string, raw []byte)

	// dots holds the indexes textCategory and snippetCategory take a
	// block at a time (trackers.HostFilter.DotCandidates,
	// parenCandidates); it is scratch, not state.
	dots [trackers.DotChunk]int32
}

var pool = sync.Pool{New: func() any { return new(Rewriter) }}

// Get returns a Rewriter from a pool, reset to write to dst with cfg.
func Get(dst io.Writer, cfg Config) *Rewriter {
	r := pool.Get().(*Rewriter)
	r.Reset(dst, cfg)
	return r
}

// Put returns r to the pool. Call it after Close; r must not be used after.
// Buffers that grew past a few times MaxTagLen are dropped rather than
// pinned in the pool.
func (r *Rewriter) Put() {
	const keep = 4 * MaxTagLen
	if cap(r.held) > keep {
		r.held = nil
	}
	if cap(r.out) > keep {
		r.out = nil
	}
	if cap(r.dec) > keep {
		r.dec = nil
	}
	if cap(r.css) > keep {
		r.css = nil
	}
	if cap(r.pay) > keep {
		r.pay = nil
	}
	if cap(r.ph) > keep {
		r.ph = nil
	}
	r.dst = nil
	r.cfg = Config{}
	r.onTag = nil
	if r.child != nil {
		r.child.dst = nil
		r.child.cfg = Config{}
	}
	r.match = nil
	pool.Put(r)
}

// Reset makes r ready for a new document written to dst, keeping its
// buffers.
func (r *Rewriter) Reset(dst io.Writer, cfg Config) {
	r.dst = dst
	r.cfg = cfg
	r.tab = cfg.Trackers
	if r.tab == nil {
		r.tab = trackers.Default()
	}
	r.filter = r.tab.Filter()
	r.recValid, r.checkRec = false, false
	r.err = nil
	r.closed = false
	r.tokenizer = tokenizer{}
	r.off, r.pos = 0, 0
	r.held = r.held[:0]
	r.headPending = true
	r.bodyPending = true
	r.watch = len(cfg.Settings) > 0
	r.ownSettings = false
	r.bodyStartPending = true
	r.scriptingOff = false
	r.maxTag = MaxTagLen
	r.onTag = nil
	r.why, r.match = 0, nil
}

// Write rewrites p and writes the result to the destination. Bytes that are
// decided are written before Write returns; only an unfinished tag that may
// need changing (and noscript content) is held back. Write returns the
// destination's error, which sticks: later calls return it too.
func (r *Rewriter) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.closed {
		return 0, ErrClosed
	}
	if r.dst == nil {
		return 0, errNotReset
	}
	r.run(p)
	if r.err != nil {
		return 0, r.err
	}
	return len(p), nil
}

// Flush reports whether everything decided so far has reached the
// destination. Write never keeps decided bytes, so there is nothing to push;
// what remains held is an unfinished tag the rewriter cannot judge yet, and
// releasing it early would let a tracker's src through. Callers flush their
// own writer after this.
func (r *Rewriter) Flush() error {
	if r.err != nil {
		return r.err
	}
	if r.closed {
		return ErrClosed
	}
	return nil
}

// Close ends the document: held bytes are written unchanged (an unfinished
// tag is dropped by browsers anyway), noscript content is rewritten, and Head
// and BodyEnd are written if their places never came. Close does not close
// the destination.
func (r *Rewriter) Close() error {
	if r.err != nil {
		return r.err
	}
	if r.closed {
		return nil
	}
	r.closed = true
	if r.look && len(r.held) > 0 && r.tokKind == tokNoscriptContent {
		r.rewriteNoscript(r.held)
		r.held = r.held[:0]
	}
	if r.look && r.tokKind == tokTag {
		// An unfinished tag swallows what follows it, so the snippets go
		// before it.
		r.insertPending()
	}
	r.emit(r.held)
	r.held = r.held[:0]
	r.insertPending()
	return r.err
}

// insertPending writes the snippets whose places never came.
func (r *Rewriter) insertPending() {
	if r.headPending {
		r.headPending = false
		r.emit(r.cfg.Head)
	}
	if r.bodyStartPending {
		r.bodyStartPending = false
		r.emit(r.cfg.BodyStart)
	}
	if r.bodyPending {
		r.insertBodyEnd()
	}
}

// insertBodyEnd writes BodyEnd and, unless the page has its own settings
// control, Settings.
func (r *Rewriter) insertBodyEnd() {
	r.bodyPending, r.watch = false, false
	r.emit(r.cfg.BodyEnd)
	if !r.ownSettings {
		r.emit(r.cfg.Settings)
	}
}

func (r *Rewriter) emit(b []byte) {
	if len(b) == 0 || r.err != nil {
		return
	}
	if _, err := r.dst.Write(b); err != nil {
		r.err = fmt.Errorf("rewrite: write response: %w", err)
	}
}

// flushTo emits everything pending before index upto of p.
func (r *Rewriter) flushTo(p []byte, upto int) {
	if len(r.held) > 0 {
		r.emit(r.held)
		r.held = r.held[:0]
	}
	if upto > r.pos {
		r.emit(p[r.pos:upto])
		r.pos = upto
	}
}

// insertBeforeToken writes snippet right before the current token.
func (r *Rewriter) insertBeforeToken(p []byte, snippet []byte) {
	if idx := int(r.tokAbs - r.off); idx >= 0 {
		r.flushTo(p, idx)
	}
	// Otherwise the token began in an earlier Write and held starts with
	// it, so nothing before it is pending.
	r.emit(snippet)
}

// tokenBytes returns the current token from its start up to index end of p
// as one slice, copying only when the token began in an earlier Write. After
// it the token's bytes are pending: either in held, or in p from pos.
func (r *Rewriter) tokenBytes(p []byte, end int) []byte {
	if idx := int(r.tokAbs - r.off); idx >= 0 {
		r.flushTo(p, idx)
		return p[idx:end]
	}
	r.held = append(r.held, p[r.pos:end]...)
	r.pos = end
	return r.held
}

// tagBytes returns the current token from its start up to index end of p as
// one slice, without writing anything: a slice of p when the token began in
// this Write, else the held bytes with the rest of it appended.
func (r *Rewriter) tagBytes(p []byte, end int) []byte {
	if idx := int(r.tokAbs - r.off); idx >= 0 {
		return p[idx:end]
	}
	r.held = append(r.held, p[r.pos:end]...)
	r.pos = end
	return r.held
}

// replaceTag writes repl in place of the current token, which ends at index
// end of p, after everything pending before the token.
func (r *Rewriter) replaceTag(p []byte, end int, repl []byte) {
	if idx := int(r.tokAbs - r.off); idx >= 0 {
		r.flushTo(p, idx)
	}
	r.held = r.held[:0]
	r.pos = end
	r.emit(repl)
}

// endWrite emits what is decided and keeps the rest of the current token,
// unless keeping it would pass the look-ahead bound: then the token goes out
// unchanged, without first being copied.
func (r *Rewriter) endWrite(p []byte) {
	if r.look {
		if idx := int(r.tokAbs - r.off); idx >= 0 {
			r.flushTo(p, idx)
		}
		size := len(r.held) + len(p) - r.pos
		if (r.tokKind == tokNoscriptContent && (r.st == sRawLT || r.st == sRawEndName)) ||
			(r.tokKind == tokInlineScript && (r.st == sScriptLT || r.st == sScriptEndName || r.st == sScriptEscLT || r.st == sScriptEscEndName)) {
			// A partial "</noscript" is not content; counting it would make
			// the outcome depend on where the Writes split.
			size = int(r.ltAbs - r.tokAbs)
		}
		if size <= r.maxTag {
			r.held = append(r.held, p[r.pos:]...)
			r.pos = len(p)
			r.off += int64(len(p))
			return
		}
		r.look = false
		r.overflow = true
	}
	r.flushTo(p, len(p))
	r.off += int64(len(p))
}
