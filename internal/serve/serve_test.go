package serve

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A handler that runs until its request's context ends (like a websocket) is
// stopped by the server's context, and Until returns only after it has.
func TestUntilEndsLongHandlersWithTheContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	started, ended := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
		close(ended)
	})
	result := make(chan error, 1)
	go func() { result <- Until(ctx, ln, h) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	<-started
	cancel()
	require.NoError(t, <-result)
	select {
	case <-ended:
	default:
		t.Fatal("Until returned before the handler ended")
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
}

func TestUntilReportsWhyServingStopped(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	err = Until(context.Background(), ln, http.NotFoundHandler())
	require.ErrorIs(t, err, net.ErrClosed)
}
