package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := flag.String("data", "demo-data", "directory for the consent log and development keys")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *dataDir, log); err != nil {
		log.Error("demo stopped", "err", err)
		os.Exit(1)
	}
}

func run(addr, dataDir string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app, err := newApp(ctx, appConfig{DataDir: dataDir, Logger: log})
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := newServer(app.Handler)
	url := "http://" + ln.Addr().String() + "/"
	fmt.Printf("consentkit demo: %s\n  auditor review: %sadmin/consent-log/ (user %q, password %q)\n",
		url, url, app.AuditorUser, app.AuditorPassword)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newServer returns the demo's server with the limits a server facing the
// internet needs; the zero http.Server has none, so a client that sends its
// request slowly, or never finishes reading the answer, holds a connection
// (and its goroutine) forever. Copy these along with the rest.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler: h,
		// Headers arrive in one packet from a real browser; a client
		// trickling them byte by byte (slowloris) is cut off early.
		ReadHeaderTimeout: 5 * time.Second,
		// The whole request, body included: the largest body the site
		// takes is a consent decision of a few KiB, read by the
		// middleware under its own size limit.
		ReadTimeout: 15 * time.Second,
		// From the end of the request headers to the end of the answer.
		// Pages render in milliseconds; the bound is generous for the
		// auditor's CSV and JSONL exports, which stream the log. An
		// export of a very large log needs more: raise it for that route
		// with http.NewResponseController(w).SetWriteDeadline.
		WriteTimeout: 60 * time.Second,
		// Keep-alive connections left open between page views.
		IdleTimeout: 120 * time.Second,
		// Request line and headers. Browsers send at most a few KiB of
		// cookies (about 4 KiB per cookie); 64 KiB leaves room for every
		// real client and refuses the megabyte net/http allows by default
		// with 431 Request Header Fields Too Large.
		MaxHeaderBytes: 64 << 10,
	}
}
