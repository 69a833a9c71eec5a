// consentkit vendor consent signals, a module the loader imports only on a
// page where a vendor's global is (fbq, uetq, clarity, google_tag_manager),
// at load and after a choice, so pages without those vendors never fetch it.
// It tells each vendor present the visitor's state: at load (the defaults),
// before the loader re-activates what a choice allows (W.ckS, called with
// the decision endpoint's answer, also right before the reload that follows
// a withdrawal) and after it (consent:change, for a vendor whose snippet the
// choice just ran). The state is Consent Mode's, so Config.ConsentMode's
// Mapping drives it: ad_storage for Meta, UET and Clarity's ad_Storage,
// analytics_storage for Clarity's analytics_Storage; without Consent Mode
// data the categories marketing and analytics stand in.
const W = self, K = W.consentkit, G = s => s ? 'granted' : 'denied', D = {};
// S remembers, per vendor, the state last sent, so a vendor hears each
// decision once; d is the decision being sent (D for the page load).
const S = {};
let d = D;
// mode is the Consent Mode state: the consent commands in dataLayer (the
// head's defaults, the loader's updates) in order, then the answer's.
const mode = j => {
const m = {};
for (const a of W.dataLayer || []) if (a && a[0] == 'consent' && a[2]) Object.assign(m, a[2]);
return Object.assign(m, j && j.consent_mode);
};
const send = j => {
const m = mode(j), g = j ? j.granted : K.granted(), on = (t, c) => m[t] ? m[t] == 'granted' : g.includes(c);
const ad = on('ad_storage', 'marketing'), an = on('analytics_storage', 'analytics'), first = d == D;
// tell calls a vendor present (on) once per decision; a vendor that
// throws must not stop the loader, which calls this in the middle of a
// choice.
const tell = (k, on, f) => {
if (!on || S[k] == d) return;
S[k] = d;
try { f(); } catch (_) {}
};
// Meta Pixel: fbq('consent', 'grant' | 'revoke'),
// https://developers.facebook.com/docs/meta-pixel/implementation/gdpr
tell('fbq', typeof W.fbq == 'function', () => W.fbq('consent', ad ? 'grant' : 'revoke'));
// Microsoft Advertising UET consent mode ("What is UET consent mode?" in
// Microsoft Advertising help): uetq.push('consent', 'default' | 'update',
// {ad_storage}); a default first, updates after; without one UET assumes
// granted. An array uetq is the queue bat.js reads when it loads.
tell('uetq', W.uetq, () => W.uetq.push('consent', first ? 'default' : 'update', {ad_storage: G(ad)}));
// Microsoft Clarity consent API v2: both types, capital S as documented,
// https://learn.microsoft.com/en-us/clarity/setup-and-installation/clarity-consent-api-v2
tell('clarity', typeof W.clarity == 'function', () => W.clarity('consentv2', {ad_Storage: G(ad), analytics_Storage: G(an)}));
// Tag Manager: an event to trigger tags on, with the granted categories as
// one space-separated string (GTM merges arrays by index, which would keep
// a withdrawn category of a longer earlier list).
tell('gtm', W.google_tag_manager, () => (W.dataLayer = W.dataLayer || []).push({event: first ? 'consent_default' : 'consent_update', consent_categories: g.join(' ')}));
};
W.ckS = j => { d = j; send(j); };
K.onChange(() => send(d == D ? null : d));
// Imported after a choice the loader made on this page (the categories
// differ from those the page was served with): that choice is an update.
const l = document.querySelector('script[data-g]');
if (l && l.dataset.g != K.granted().join(' ')) d = {};
send(d == D ? null : {granted: K.granted()});
