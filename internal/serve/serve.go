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

// Until serves h on ln until ctx ends, then shuts down: new connections are
// refused, requests in flight get five seconds. Handlers see ctx as their
// requests' base context, so long-lived ones (a websocket) end with it, and Until
// waits for every handler, hijacked connections included, which Shutdown alone
// does not. It returns nil after a clean shutdown, or why serving stopped.
func Until(ctx context.Context, ln net.Listener, h http.Handler) error {
	var handlers sync.WaitGroup
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
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
