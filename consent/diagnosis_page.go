package consent

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
)

// diagCSS is the debug page's only style; the page has no script.
const diagCSS = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}` +
	`section{border-top:1px solid #ccc;padding:.5rem 0}h2{font-size:1rem;margin:.4rem 0}h3{font-size:.9rem;margin:.6rem 0 .2rem}` +
	`table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.15rem .5rem;text-align:left;vertical-align:top}` +
	`.warn li{color:#8a2b00}.meta{color:#555}code{font-size:.95em}`

// diagCSP lets the page use its one stylesheet, by hash, and nothing else:
// what it shows comes from pages and headers the site served, so even
// escaped it is given no power.
var diagCSP = func() string {
	sum := sha256.Sum256([]byte(diagCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

var diagTemplate = template.Must(template.New("debug").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>consentkit diagnosis</title><style>{{.CSS}}</style></head><body>
<h1>What the consent middleware did</h1>
<p class="meta">Development aid (Config.Diagnostics): the last {{.Keep}} responses it changed or warned about, newest first.
Elements are listed with the host they load from, never the rest of the URL; no cookie values, IP addresses,
query strings or consent IDs are recorded.{{if .ID}} <a href="?">All responses</a>{{end}}</p>
{{range .Records}}<section id="r-{{.ID}}">
<h2><code>{{.Method}} {{.Path}}</code></h2>
<p class="meta">{{.At.Format "2006-01-02 15:04:05 MST"}} · <a href="?id={{.ID}}">{{.ID}}</a>{{if .HTML}} · HTML rewritten{{end}}</p>
{{with .Warnings}}<h3>Warnings</h3><ul class="warn">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Elements}}<h3>Neutralised elements</h3>
<table><tr><th>Element</th><th>Category</th><th>Reason</th><th>Host or snippet</th></tr>
{{range .Elements}}<tr><td><code>{{.Element}}</code></td><td>{{.Category}}</td><td>{{.Reason}}</td><td>{{with .Match}}<code>{{.}}</code>{{end}}</td></tr>
{{end}}</table>{{if .MoreElements}}<p>… and {{.MoreElements}} more.</p>{{end}}{{end}}
{{if .Cookies}}<h3>Set-Cookie headers dropped</h3>
<table><tr><th>Cookie</th><th>Category</th><th>Reason</th></tr>
{{range .Cookies}}<tr><td><code>{{.Name}}</code></td><td>{{.Category}}</td><td>{{.Reason}}</td></tr>
{{end}}</table>{{if .MoreCookies}}<p>… and {{.MoreCookies}} more.</p>{{end}}{{end}}
</section>
{{else}}<p>{{if .ID}}No response {{.ID}}: it changed nothing, or it has been forgotten.{{else}}Nothing yet: responses the
middleware changed or warned about appear here.{{end}}</p>
{{end}}</body></html>
`))

type diagView struct {
	CSS     template.CSS
	Keep    int
	ID      string
	Records []*diagRecord
}

// serveDebug is GET {prefix}/debug: the diagnosis page. With Diagnostics
// off it reports false and the path goes on to the wrapped handler, as if
// the page did not exist. It is written straight to the client, so the
// middleware injects nothing into it.
func (m *Manager) serveDebug(w http.ResponseWriter, r *http.Request) bool {
	d := m.diag.recent
	if d == nil {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "use GET")
		return true
	}
	if !m.cfg.Diagnostics.Authorize(r) {
		httpError(w, r, http.StatusForbidden, "the diagnosis page is for the site's developer: open it from the machine "+
			"running the server without a proxy, or set Config.Diagnostics.Authorize")
		return true
	}
	v := diagView{CSS: template.CSS(diagCSS), Keep: m.cfg.Diagnostics.Keep, ID: truncate(r.URL.Query().Get("id"), 32)}
	for _, rec := range d.snapshot() {
		if v.ID == "" || rec.ID == v.ID {
			v.Records = append(v.Records, rec)
		}
	}
	var buf bytes.Buffer
	if err := diagTemplate.Execute(&buf, v); err != nil {
		m.log.Error("consent: could not render the diagnosis page", "err", err)
		httpError(w, r, http.StatusInternalServerError, "the diagnosis page could not be rendered; see the server log")
		return true
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", diagCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	if r.Method == http.MethodGet {
		_, _ = w.Write(buf.Bytes())
	}
	return true
}
