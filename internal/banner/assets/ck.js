// consentkit loader and runtime guard. Readable source: the package strips
// comment lines and indentation at start-up, so comments cost nothing on the
// wire.
// Rules: no eval, no Function, no inline handlers, no style writes of its
// own; the loader never builds markup: it only passes the page's own markup
// on (neutralised by the guard) and restores what was neutralised.
// Config comes from this script's own tag: src (prefix and stylesheet name),
// nonce, and data-g (the categories granted now, space-separated). While some
// category is refused, the host set (ck-hosts.<hash>.js, loaded just before
// this script, which then runs synchronously before any script of the page)
// leaves self.ckH, and the guard holds what the page's scripts point at
// trackers of refused categories. It also leaves self.ckR, which the guard
// calls with each host it blocks and its category, and which returns the
// category: the discovery reporter, loaded on the first call (ck-r.js).
// Bindings are let, never const: the minifier keeps them as written.
(() => {
let d = document, s = d.currentScript, N = s.nonce, W = self, E = Element.prototype, SA = E.setAttribute;
let P = s.src.replace(/\/assets\/[^/]*$/, ''), C = s.src.replace(/js$/, 'css');
let G = new Set((s.dataset.g || '').split(' ').filter(Boolean)), R;
// L lists, in the order they were held, the elements the guard keeps a URL
// of aside.
let L = new Set();
// U tells whether attribute n of element e makes the browser fetch a URL
// (src on any element: a custom element may load it too), a link's and an
// image map area's ping included: the browser sends it when the visitor
// follows the link.
let U = (e, n) => /^(src|srcset|poster)$/i.test(n) || /^(LINK|OBJECT)$/.test(e.tagName) && /^(href|imagesrcset|data)$/i.test(n) || /^(A|AREA)$/.test(e.tagName) && /^ping$/i.test(n);
// wrap replaces method k of o by f(this, arguments, original).
let wrap = (o, k, f, g = o[k]) => o[k] = function (...a) { return f(this, a, g); };
// prop replaces the setter of property n of prototype p by f(this, value, original).
let prop = (p, n, f, o = Object.getOwnPropertyDescriptor(p, n)) => o && Object.defineProperty(p, n, {...o, set(v) { f(this, v, o.set); }});
// hv is the refused category of the first tracker URL in v (a URL, a
// srcset, or a ping's list of URLs: split at commas and white space, a
// srcset's descriptors are URLs of the page's own host); without a host
// set nothing is held.
let hv = () => 0;
let h = W.ckH, XP = XMLHttpRequest.prototype;
if (h) {
// H maps each category to the FNV-1a hashes of its hosts, decoded once
// from [category, base-36 deltas separated by commas, ...].
let H = new Map();
for (let i = 0, v; i < h.length; i += 2) {
let S = new Set();
v = 0;
for (let x of h[i + 1].split(',')) S.add(v += parseInt(x, 36));
H.set(h[i], S);
}
hv = v => {
for (let x of String(v).split(/[\s,]+/)) {
try {
// The host, then each parent domain: the first listed gives the category.
// The host set of advanced Consent Mode lets the Google tag's own URLs
// through (self.ckX).
let y = new URL(x.match(/[^\s"']+/), d.baseURI), h = W.ckX?.(y) ? '' : y.hostname.replace(/\.+$/, '');
for (let u = h; u; u = u.slice(u.indexOf('.') + 1 || u.length)) {
let z = 0x811c9dc5;
for (let c of u) z = Math.imul(z ^ c.charCodeAt(), 0x01000193) >>> 0;
for (let [c, S] of H) if (S.has(z)) { if (!G.has(c)) return ckR(u, c); u = h = ''; }
}
// A third-party host the table does not know is let through, and reported
// for discovery as "unknown" (host only, see ck-r.js).
h && h != location.hostname && ckR(h, 'unknown');
} catch (_) {}
}
};
// hold keeps URL v of attribute n of element e aside when it points to a
// refused tracker: it becomes data-ck-<n>, the element gets data-ck-blocked
// as the rewriter writes them, and L remembers the element, which gets the
// URL back on grant. A script that has no src when it is inserted has not
// started: given one later, it runs then, and its onload fires.
let hold = (e, n, v) => {
let c = !R && hv(v);
if (c) { SA.call(e, 'data-ck-' + n, v); e.dataset.ckBlocked ||= c; L.add(e); }
else e.removeAttribute('data-ck-' + n);
return c;
};
// The URL property setters of every HTML element's prototype (script and
// iframe src, img and source src and srcset, link href and imageSrcset,
// media src, video poster, embed, track and input src, object data, a and
// area ping, …),
// so that createElement, new Image() and any wrapper around them are
// covered alike.
for (let k of Object.getOwnPropertyNames(W)) for (let n of /^HTML.*Element$/.test(k) ? 'src srcset poster data href imageSrcset ping'.split(' ') : []) prop(W[k].prototype, n, (t, v, g) => U(t, n) && hold(t, n, v) || g.call(t, v));
// setAttribute(n, v) and setAttributeNS(null, n, v).
for (let j of [0, 1]) wrap(E, j ? 'setAttributeNS' : 'setAttribute', (t, a, g) => j && a[0] != null || !U(t, a[j]) || !hold(t, a[j], a[j + 1]) ? g.apply(t, a) : 0);
// nz renames, in a string of markup, the URL attributes of each element with
// a URL to a refused tracker to data-ck-<name>, as the rewriter does, adding
// data-ck-blocked and no quote (markup in a string literal of a written script
// stays valid code). Scripts only when written (w): a script inserted
// through innerHTML never runs, and the observer below holds it as such.
// Markup with nothing to hold is passed on as it came, a TrustedHTML too.
let nz = (m, w, z = String(m).replace(/<([a-z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/gi, (x, t, a) => {
let e = {tagName: t.toUpperCase()};
let c;
a = a.replace(/([^\s"'>\/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/g, (y, n, v) => U(e, n) ? (c ||= hv(v), 'data-ck-' + y) : y);
return c && (w || e.tagName != 'SCRIPT') ? '<' + t + ' data-ck-blocked=' + c + a + '>' : x;
})) => z == m ? m : z;
for (let k of ['write', 'writeln']) wrap(Document.prototype, k, (t, a, g) => g.apply(t, a.map(x => nz(x, 1))));
wrap(Range.prototype, 'createContextualFragment', (t, a, g) => g.call(t, nz(a[0], 1)));
// What they hold outside the document (a detached element, a shadow root)
// is given back through L.
for (let p of [E, ShadowRoot.prototype]) for (let k of ['innerHTML', 'outerHTML']) prop(p, k, (t, v, g) => { g.call(t, nz(v)); for (let e of t.querySelectorAll('[data-ck-blocked]:not(script)')) L.add(e); });
wrap(E, 'insertAdjacentHTML', (t, a, g) => g.call(t, a[0], nz(a[1])));
// The fallback, for what no hook saw (the page's own markup, nodes from a
// DOMParser document, templates): added elements are held like the
// setters hold them. A parser-inserted script is seen before it starts;
// a script already started runs anyway, and only once.
new MutationObserver(r => {
for (let m of r) for (let x of m.addedNodes) for (let e of x.querySelectorAll ? [x, ...x.querySelectorAll('*')] : []) {
// An element the page marked with data-consent is judged by the rewriter,
// and one it neutralised (an iframe's src is then its placeholder's).
if (!e.matches('[data-consent],[data-ck-blocked]')) for (let y of [...e.attributes]) U(e, y.name) && hold(e, y.name, y.value) && e.removeAttribute(y.name);
}
}).observe(d, {childList: true, subtree: true});
// Requests to a refused tracker are refused, never replayed.
wrap(W, 'fetch', (t, a, g) => hv(a[0]?.url || a[0]) ? Promise.reject(TypeError('consent')) : g.apply(t, a));
wrap(XP, 'open', (t, a, g) => (t.ckHeld = hv(a[1]), g.apply(t, a)));
wrap(XP, 'send', (t, a, g) => t.ckHeld || g.apply(t, a));
wrap(Navigator.prototype, 'sendBeacon', (t, a, g) => !hv(a[0]) && g.apply(t, a));
}
let q = x => d.querySelector(x);
let ret = () => encodeURIComponent(location.pathname + location.search);
// show opens the preferences dialog in place. Its code is a module of its
// own (ck.p.js, beside the stylesheet), imported on the first open: most
// visitors decide on the first layer and never download it. Without it, or
// when the server does not answer, the visitor goes to the preferences page.
let show = () => import(C.replace(/css$/, 'p.js')).then(m => m.default(P, N, C, ret())).catch(() => location.href = P + '/preferences?return=' + ret());
// act re-activates neutralised elements of granted categories in document
// order, then those the guard held outside the document in the order it
// held them; an external script the rewriter neutralised is awaited before
// the next, as the parser would. R lets the loader's own writes through the
// guard: the category that neutralised an element decides.
let act = async () => {
for (let o of [...d.querySelectorAll('[data-ck-blocked]'), ...L]) {
if (!o.dataset.ckBlocked?.split(' ').every(c => G.has(c))) continue;
R = 1;
// A script the rewriter neutralised is replaced: the browser runs a script
// element once. One the guard held never started: it gets its src back.
if (o.tagName == 'SCRIPT' && !L.delete(o)) {
let n = d.createElement('script'), t = o.dataset.ckType, u = o.dataset.ckSrc;
for (let a of o.attributes) if (!/^(type|nonce|data-ck-.*)$/.test(a.name)) n.setAttribute(a.name, a.value);
if (t) n.type = t;
n.nonce = o.nonce || N;
n.async = false;
n.text = o.text;
if (u) n.src = u;
// R ends before the script runs: what it does is judged like any script.
R = 0;
o.replaceWith(n);
if (u) await new Promise(r => n.onload = n.onerror = r);
} else {
L.delete(o);
// Every data-ck-<name> goes back to <name>: src, srcset, srcdoc, href,
// imagesrcset, data, poster, background, and the original style attribute;
// SVG's xlink:href in its namespace; a meta refresh's http-equiv never does.
for (let {name: a, value: v} of [...o.attributes]) if (/^data-ck-(?!http)/.test(a)) {
o.removeAttribute(a);
a = a.slice(8);
a == 'blocked' || (/:/.test(a) ? o.setAttributeNS('http://www.w3.org/1999/xlink', a, v) : o.setAttribute(a, v));
}
R = 0;
// A source or track of a media element counts only after load().
o.matches('video>*,audio>*') && o.parentNode.load();
}
}
// A tracker URL in a <style> element carries the marker
// //[ck=<category>] in front of it: dropped once granted.
for (let y of d.querySelectorAll('style')) {
let t = y.textContent, u = t.replace(/\/\/\[ck=([^\]]+)\]/g, (m, c) => G.has(c) ? '' : m);
if (u != t) y.textContent = u;
}
};
// A decision form is posted as JSON; if that fails, the plain form is sent.
d.addEventListener('submit', async e => {
let f = e.target, v = e.submitter?.value || 'save';
if (!f.matches('.ck-d')) return;
e.preventDefault();
let F = new FormData(f);
let j;
try {
// getAttribute, not f.action: the buttons are named "action", and a named
// control shadows the form's property of the same name.
let r = await fetch(f.getAttribute('action'), {method: 'POST', headers: {'Content-Type': 'application/json'},
// Only Save carries categories: the endpoint refuses them with accept_all
// and reject_all, and the dialog's boxes are ticked for a decided visitor.
body: JSON.stringify({action: v, categories: v == 'save' ? F.getAll('category') : [], return: F.get('return'), lang: F.get('lang'), js: true})});
if (!r.ok) throw 0;
j = await r.json();
} catch (_) {
let i = d.createElement('input');
i.type = 'hidden'; i.name = 'action'; i.value = v;
f.append(i);
return f.submit();
}
let n = new Set(j.granted);
j.consent_mode && W.gtag?.('consent', 'update', j.consent_mode);
// The vendors hear the choice before a withdrawal's reload, and before
// what it allows runs.
W.ckS?.(j);
// Storage the server cannot reach: declared keys of refused categories.
try {
for (let k of j.clear_storage || []) for (let x of Object.keys(localStorage)) if (k.endsWith('*') ? x.startsWith(k.slice(0, -1)) : x == k) localStorage.removeItem(x);
} catch (_) {}
// A withdrawal cannot stop scripts already running: reload the page.
if ([...G].some(c => !n.has(c))) return location.reload();
G = n;
// The floating reopen control, else the first settings control (a page's own may come first).
let x = q('#ck-prefs'), l = q('#ck-open') || q('[data-ck-settings],.ck-settings'), p = d.createElement('p');
q('#ck-banner')?.remove();
// Closed after a save, the dialog gives focus to the reopen control, not
// back to what opened it.
if (x) { x.onclose = x.remove; x.close(); }
if (l) { l.hidden = 0; l.focus(); }
// A fresh live region, filled a moment later, is announced reliably.
p.className = 'ck-sr'; p.setAttribute('role', 'status');
d.body.append(p);
setTimeout(() => p.textContent = f.dataset.saved || '', 99);
await act();
d.dispatchEvent(new CustomEvent('consent:change', {detail: {granted: [...G]}}));
});
// Tab and Shift+Tab cycle inside the open dialog: from its last control
// (l.at(-1), or its first with Shift) to its first (l.at(-0), or its last).
// The first Tab, from nowhere (the body), lands in the banner: the banner
// comes first in the page, but a page's own tabindex > 0 would come first
// in keyboard order, and a tabindex > 0 of ours would be an axe fault.
d.addEventListener('keydown', e => {
let x = q('#ck-prefs') || q('#ck-banner'), l = [...x?.querySelectorAll('a[href],button,input:not([disabled]),select') || []], b = e.shiftKey;
if (e.key == 'Tab' && l[0] && d.activeElement == (x.open ? l.at(b - 1) : !b && d.body)) { e.preventDefault(); l.at(-b).focus(); }
});
// Choose and Cookie settings open the dialog in place; a modified click
// (new tab) keeps the link's no-JS page.
d.addEventListener('click', e => {
if (e.target.closest?.('.ck-choose,.ck-settings,[data-ck-settings]') && !(e.ctrlKey | e.metaKey | e.shiftKey)) { e.preventDefault(); show(); }
});
// ready(f) calls f with the API; the head's stub queued what scripts above
// this deferred loader passed it.
let Q = W.consentkit, K = W.consentkit = {
allowed: c => G.has(c),
granted: () => [...G],
open: show,
onChange: f => d.addEventListener('consent:change', e => f(e.detail.granted)),
ready: f => f(K)
};
Q?.q?.forEach(K.ready);
})();
