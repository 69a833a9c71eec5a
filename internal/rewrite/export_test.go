package rewrite

// Test hooks: compiled into the test binary only.

// SetTagHook makes r report every script and iframe start tag it sees.
func (r *Rewriter) SetTagHook(f func(name string, raw []byte)) { r.onTag = f }

// EmulateXNetHTML reproduces x/net/html's one deviation from the WHATWG
// tokenizer (see doc.go) so that a differential test can compare the rest.
func (r *Rewriter) EmulateXNetHTML() { r.xnetQuirk = true; r.noForeign = true }

// SetMaxTagLen lowers the look-ahead bound so tests can cross it cheaply.
func (r *Rewriter) SetMaxTagLen(n int) { r.maxTag = n }
