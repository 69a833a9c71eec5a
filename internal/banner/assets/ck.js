// consentkit loader. Readable source: the package strips comment lines and
// indentation at start-up, so comments cost nothing on the wire.
// Rules: no eval, no Function, no innerHTML, no inline handlers, no style
// writes; everything is driven by classes, ids and the hidden attribute.
// Config comes from this script's own tag: src (prefix and stylesheet name),
// nonce, and data-g (the categories granted now, space-separated).
(() => {
const d = document, s = d.currentScript, N = s.nonce;
const P = s.src.replace(/\/assets\/[^/]*$/, ''), C = s.src.replace(/js$/, 'css');
let G = new Set((s.dataset.g || '').split(' ').filter(Boolean)), O, B;
const q = x => d.querySelector(x);
const ret = () => encodeURIComponent(location.pathname + location.search);
// css loads the stylesheet once; a decided visitor only needs it for the dialog.
const css = () => q('#ck-css') ? 0 : new Promise(r => {
const l = d.createElement('link');
l.id = 'ck-css'; l.rel = 'stylesheet'; l.href = C; l.nonce = N;
l.onload = l.onerror = r;
d.head.append(l);
});
// open fetches the preferences dialog from the server and shows it modal.
const open = async () => {
// B guards against a second click while the first fetch is under way.
if (B || q('#ck-prefs')) return;
B = 1;
O = d.activeElement;
try {
const [r] = await Promise.all([fetch(P + '/preferences?fragment=1&return=' + ret()), css()]);
if (!r.ok) throw 0;
const x = new DOMParser().parseFromString(await r.text(), 'text/html').querySelector('#ck-prefs');
// Escape (cancel) and Close write nothing; focus goes back to the opener.
// The dialog is dropped, so the next open shows the state the server holds,
// not toggles that were never saved.
x.addEventListener('close', () => { x.remove(); O && O.isConnected && O.focus(); });
// Tab and Shift+Tab cycle inside the dialog.
x.addEventListener('keydown', e => {
if (e.key != 'Tab') return;
const l = x.querySelectorAll('a[href],button,input:not([disabled]),select'), a = l[0], z = l[l.length - 1], b = e.shiftKey;
if (d.activeElement == (b ? a : z)) { e.preventDefault(); (b ? z : a).focus(); }
});
d.body.append(x);
x.showModal();
} finally {
B = 0;
}
};
const show = () => open().catch(() => location.href = P + '/preferences?return=' + ret());
// act re-activates neutralised elements of granted categories in document
// order; an external script is awaited before the next, as the parser would.
const act = async () => {
for (const o of d.querySelectorAll('[data-ck-blocked]')) {
if (!o.dataset.ckBlocked.split(' ').every(c => G.has(c))) continue;
if (o.tagName == 'SCRIPT') {
const n = d.createElement('script'), t = o.dataset.ckType, u = o.dataset.ckSrc;
for (const a of o.attributes) if (!/^(type|nonce|data-ck-.*)$/.test(a.name)) n.setAttribute(a.name, a.value);
if (t) n.type = t;
n.nonce = o.nonce || N;
n.async = false;
n.text = o.text;
if (u) await new Promise(r => { n.onload = n.onerror = r; n.src = u; o.replaceWith(n); });
else o.replaceWith(n);
} else {
for (const k of ['src', 'srcdoc', 'srcset', 'href']) {
const v = o.getAttribute('data-ck-' + k);
if (v != null) { o.removeAttribute('data-ck-' + k); o.setAttribute(k, v); }
}
o.removeAttribute('data-ck-blocked');
}
}
};
// A decision form is posted as JSON; if that fails, the plain form is sent.
d.addEventListener('submit', async e => {
const f = e.target, b = e.submitter, v = b && b.value || 'save';
if (!f.matches('.ck-d')) return;
e.preventDefault();
const F = new FormData(f);
let j;
try {
// getAttribute, not f.action: the buttons are named "action", and a named
// control shadows the form's property of the same name.
const r = await fetch(f.getAttribute('action'), {method: 'POST', headers: {'Content-Type': 'application/json'},
// Only Save carries categories: the endpoint refuses them with accept_all
// and reject_all, and the dialog's boxes are ticked for a decided visitor.
body: JSON.stringify({action: v, categories: v == 'save' ? F.getAll('category') : [], return: F.get('return'), lang: F.get('lang')})});
if (!r.ok) throw 0;
j = await r.json();
} catch (_) {
const i = d.createElement('input');
i.type = 'hidden'; i.name = 'action'; i.value = v;
f.append(i);
return f.submit();
}
const n = new Set(j.granted);
if (window.gtag && j.consent_mode) gtag('consent', 'update', j.consent_mode);
// Storage the server cannot reach: declared keys of refused categories.
try {
for (const k of j.clear_storage || []) for (const x of Object.keys(localStorage)) if (k.endsWith('*') ? x.startsWith(k.slice(0, -1)) : x == k) localStorage.removeItem(x);
} catch (_) {}
// A withdrawal cannot stop scripts already running: reload the page.
if ([...G].some(c => !n.has(c))) return location.reload();
G = n;
O = 0;
const x = q('#ck-prefs'), l = q('.ck-settings'), p = d.createElement('p');
q('#ck-banner')?.remove();
x?.close();
if (l) { l.hidden = false; l.focus(); }
// A fresh live region, filled a moment later, is announced reliably.
p.className = 'ck-sr'; p.setAttribute('role', 'status');
d.body.append(p);
setTimeout(() => p.textContent = f.dataset.saved || '', 99);
await act();
d.dispatchEvent(new CustomEvent('consent:change', {detail: {granted: [...G]}}));
});
// Choose and Cookie settings open the dialog in place; a modified click
// (new tab) keeps the link's no-JS page. Close only closes.
d.addEventListener('click', e => {
const a = e.target.closest && e.target.closest('.ck-choose,.ck-settings,.ck-close');
if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
const x = a.closest('dialog');
if (a.matches('.ck-close')) { if (x) { e.preventDefault(); x.close(); } return; }
e.preventDefault();
show();
});
window.consentkit = {
allowed: c => G.has(c),
granted: () => [...G],
open: show,
onChange: f => d.addEventListener('consent:change', e => f(e.detail.granted)),
};
})();
