// Package serve runs mozidsim's HTTP servers (serve-fxa, verify-server, live)
// until their context ends. It stands for no historic component.
package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Timeouts bound what one client can hold: a connection that sends its
// headers or body slowly, never reads its answer, or sits idle is closed.
// Hijacked connections (websockets) leave them behind: net/http clears the
// deadlines on hijack, and the websocket handler sets its own.
type Timeouts struct {
	ReadHeader time.Duration // request line and headers
	Read       time.Duration // headers and body
	Write      time.Duration // from the end of the headers to the end of the answer
	Idle       time.Duration // a keep-alive connection between requests
	MaxHeader  int           // bytes of request headers
}

// DefaultTimeouts are every server's: generous for a loopback client, short
// enough that thousands of stalled ones cannot pile up.
var DefaultTimeouts = Timeouts{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Write:      60 * time.Second,
	Idle:       120 * time.Second,
	MaxHeader:  64 << 10,
}

// Until serves h on ln with DefaultTimeouts until ctx ends, then shuts down:
// new connections are refused, requests in flight get five seconds. Handlers
// see ctx as their requests' base context, so long-lived ones (a websocket) end
// with it, and Until waits for every handler, hijacked connections included,
// which Shutdown alone does not. It returns nil after a clean shutdown, or why
// serving stopped.
func Until(ctx context.Context, ln net.Listener, h http.Handler) error {
	return UntilWith(ctx, ln, h, DefaultTimeouts)
}

// UntilWith is Until with other timeouts (tests use short ones).
func UntilWith(ctx context.Context, ln net.Listener, h http.Handler, t Timeouts) error {
	var handlers sync.WaitGroup
	srv := &http.Server{
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    t.MaxHeader,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handlers.Add(1)
			defer handlers.Done()
			h.ServeHTTP(w, r)
		}),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		handlers.Wait()
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	if serveErr := <-done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = serveErr
	}
	handlers.Wait()
	return err
}
