package consent_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/consentkit/consentkit/consent"
)

// A page of the site's own tools: no banner, but its trackers stay blocked.
func ExampleLeaveAlone() {
	cm, err := consent.New(consent.Config{
		Keys:   []consent.KeyPair{{HashKey: hashKey}},
		Store:  consent.StoreFunc(func(ctx context.Context, rec consent.Record) error { return nil }),
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	tools := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		consent.LeaveAlone(w)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><title>Tools</title><body><p>Reports</p>`+
			`<script src="https://www.google-analytics.com/analytics.js"></script></body>`)
	})
	rec := httptest.NewRecorder()
	cm.Handler(tools).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/tools", nil))
	fmt.Println(rec.Body.String())
	// Output:
	// <!doctype html><title>Tools</title><body><p>Reports</p><script type="text/plain" data-ck-blocked="analytics" data-ck-src="https://www.google-analytics.com/analytics.js"></script></body>
}
