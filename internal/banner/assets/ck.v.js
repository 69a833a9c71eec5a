// The vendor signals hook, built into a second loader that pages get when
// the site turns vendor signals on (Data.Signals): ck.js stays as it is for
// every other site. It imports the signals module (ck.s.js) on a page where
// a vendor's global is: Meta's fbq, Microsoft's uetq and clarity, Tag
// Manager's google_tag_manager; at load (async tags have run by then), and
// after a choice, which may just have run their snippets. The module sees
// the choice itself through self.ckS, which the loader calls when defined.
const V = () => (W.fbq || W.uetq || W.clarity || W.google_tag_manager) && import(C.replace(/css$/, 's.js'));
addEventListener('load', V);
d.addEventListener('consent:change', V);
