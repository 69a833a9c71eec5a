// consentkit discovery reporter. The host set (ck-hosts.<hash>.js) loads it
// the first time the runtime guard blocks a tracker, and leaves in self.ckQ
// what was blocked: "host category" strings. It tells the site, so that the
// auditor pages list the trackers pages really try to load. A report holds
// the host and the category and nothing else: no URL, no page, no cookie
// (credentials omitted), no referrer. Each page sends at most four reports,
// three seconds apart (or as it is left), of at most 16 hosts each, 64 distinct hosts in all;
// the endpoint limits each network further.
(() => {
const d = document, Q = self.ckQ, P = d.currentScript.src.replace(/\/assets\/[^/]*$/, ''), S = new Set(), B = new Set();
let t, n = 0;
const send = () => {
t = 0;
if (n++ > 3) return;
const b = [...B].slice(0, 16);
for (const x of b) B.delete(x);
if (B.size) t = setTimeout(send, 3e3);
fetch(P + '/report', {method: 'POST', body: b.join('\n'), credentials: 'omit', referrerPolicy: 'no-referrer',
keepalive: true, mode: 'same-origin', headers: {'Content-Type': 'text/plain'}}).catch(() => {});
};
const add = x => {
if (S.size < 64 && !S.has(x) && /^[a-z0-9.-]+ [a-z0-9_-]+$/.test(x)) { S.add(x); B.add(x); t ||= setTimeout(send, 3e3); }
};
for (const x of Q) add(x);
// A page left before the timer fires still reports: keepalive lets the
// request outlive it.
addEventListener('pagehide', () => B.size && (clearTimeout(t), send()));
// Later blocks arrive through push; 9 tells the host set not to load
// this script again.
Q.push = (...a) => (a.forEach(add), 9);
})();
