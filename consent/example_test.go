package consent_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/consentkit/consentkit/consent"
)

// In production, load keys from a secret store; never commit them.
var hashKey = []byte("an example key of at least 32 bytes, random in real life")

func ExampleNew() {
	cm, err := consent.New(consent.Config{
		Keys:          []consent.KeyPair{{HashKey: hashKey}},
		PolicyVersion: "2026-03",
		Categories: []consent.Category{
			{ID: "analytics"},
			{ID: "marketing", SaleOrSharing: true},
		},
		Store:  consent.StoreFunc(func(ctx context.Context, rec consent.Record) error { return nil }),
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cm.Categories() {
		fmt.Println(c.ID, c.SaleOrSharing)
	}
	_, err = consent.New(consent.Config{Keys: []consent.KeyPair{{HashKey: []byte("too short")}}})
	fmt.Println(err)
	// Output:
	// necessary false
	// analytics false
	// marketing true
	// consent: bad key: Keys[0].HashKey has 9 bytes, need at least 32 random bytes
}

func ExampleManager_Handler() {
	var log []string
	cm, _ := consent.New(consent.Config{
		Keys: []consent.KeyPair{{HashKey: hashKey}},
		Store: consent.StoreFunc(func(ctx context.Context, rec consent.Record) error {
			log = append(log, string(rec.Outcome))
			return nil
		}),
	})
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "analytics allowed:", consent.FromRequest(r).Allowed("analytics"))
	})
	h := cm.Handler(page)

	// A visitor accepts everything through the banner's form...
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/consent/decision", strings.NewReader("action=accept_all&return=/news"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"), log)

	// ...and comes back with the cookie.
	req = httptest.NewRequest(http.MethodGet, "/news", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	fmt.Print(string(body))
	// Output:
	// 303 /news [accept_all]
	// analytics allowed: true
}

func ExampleFromRequest() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		st := consent.FromRequest(r)
		if st.Allowed("analytics") {
			fmt.Fprintln(w, "render the analytics tag")
		} else {
			fmt.Fprintln(w, "no analytics; decided:", st.Decided())
		}
	}
	// Without the middleware (or in a test), the state is undecided.
	rec := httptest.NewRecorder()
	handler(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Print(rec.Body.String())

	// Tests can inject a state.
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(consent.WithState(req.Context(), consent.NewState([]string{"analytics"}, "analytics")))
	rec = httptest.NewRecorder()
	handler(rec, req)
	fmt.Print(rec.Body.String())
	// Output:
	// no analytics; decided: false
	// render the analytics tag
}

// A HistoryHandler of your own can answer in the language the banner
// speaks to the visitor, with the site's category names.
func ExampleVisitorFrom() {
	history := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := consent.VisitorFrom(r.Context())
		if !ok {
			http.Error(w, "not served by the consent Manager", http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, "%s (%s, %s): %s\n", v.Text("history.title"), v.Lang, v.Dir, v.CategoryTitle("analytics"))
	})
	cm, err := consent.New(consent.Config{
		Keys:           []consent.KeyPair{{HashKey: hashKey}},
		Store:          consent.StoreFunc(func(context.Context, consent.Record) error { return nil }),
		HistoryHandler: history,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodGet, cm.Prefix()+"/history?id=0123456789abcdef0123456789abcdef", nil)
	req.Header.Set("Accept-Language", "es-ES,es;q=0.9")
	rec := httptest.NewRecorder()
	cm.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
	fmt.Print(rec.Body.String())
	// Output:
	// Su historial de consentimiento (es, ltr): Analíticas
}
