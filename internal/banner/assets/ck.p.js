// consentkit preferences dialog: a module the loader imports the first time
// the visitor opens the preferences (Choose, Cookie settings, or the API's
// open), so that the first layer's download carries none of it. Same rules
// as the loader: no eval, no inline handlers, no markup of its own: the
// dialog is the server's fragment, the same markup as the preferences page.
// The loader calls the default export with its prefix, its nonce, its
// stylesheet's URL and the encoded return path; it saves the choice itself
// (one submit handler for the banner and the dialog).
let d = document, q = x => d.querySelector(x), B, O;
// css loads a stylesheet once: ck.css (the banner's, which a decided
// visitor only needs for the dialog) or ck.d.css (the dialog's own).
let css = (i, u, n) => q('#' + i) ? 0 : new Promise(r => {
let l = d.createElement('link');
l.id = i; l.rel = 'stylesheet'; l.href = u; l.nonce = n;
l.onload = l.onerror = r;
d.head.append(l);
});
// The default export fetches the dialog and shows it modal.
export default async (P, N, C, ret) => {
// B guards against a second click while the first fetch is under way.
if (B || q('#ck-prefs')) return;
B = 1;
O = d.activeElement;
try {
let [r] = await Promise.all([fetch(P + '/preferences?fragment=1&return=' + ret), css('ck-css', C, N), css('ck-dcss', C.replace(/css$/, 'd.css'), N)]);
if (!r.ok) throw 0;
let x = new DOMParser().parseFromString(await r.text(), 'text/html').querySelector('#ck-prefs');
// Escape (cancel) and Close write nothing; focus goes back to the opener.
// The dialog is dropped, so the next open shows the state the server holds,
// not toggles that were never saved. A modified click on Close (new tab)
// keeps the link's page.
x.onclose = () => { x.remove(); O?.isConnected && O.focus(); };
x.onclick = e => { if (e.target.closest('.ck-close') && !(e.ctrlKey | e.metaKey | e.shiftKey)) { e.preventDefault(); x.close(); } };
d.body.append(x);
x.showModal();
} finally {
B = 0;
}
};
