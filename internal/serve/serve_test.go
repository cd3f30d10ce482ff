package serve

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

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

// Every default is set: a zero would mean "never" to net/http.
func TestDefaultTimeoutsAreAllSet(t *testing.T) {
	d := DefaultTimeouts
	for name, v := range map[string]time.Duration{"ReadHeader": d.ReadHeader, "Read": d.Read, "Write": d.Write, "Idle": d.Idle} {
		require.Positive(t, v, name)
	}
	require.Greater(t, d.Write, d.Read, "the write deadline starts before the body is read")
	require.Positive(t, d.MaxHeader)
}

// A client that stalls in its headers, in its body, or idles on a keep-alive
// connection is disconnected; a well-behaved one on another connection is
// served meanwhile.
func TestSlowAndIdleClientsAreCutOff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return
		}
		io.WriteString(w, "ok")
	})
	short := Timeouts{ReadHeader: 200 * time.Millisecond, Read: 400 * time.Millisecond, Write: time.Second, Idle: 300 * time.Millisecond, MaxHeader: 4096}
	go func() { result <- UntilWith(ctx, ln, h, short) }()
	addr := ln.Addr().String()

	for _, tc := range []struct{ name, send string }{
		{"headers never finished", "GET / HTTP/1.1\r\nHost: x\r\n"},
		{"body never finished", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"},
		{"idle after a request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	} {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = io.WriteString(conn, tc.send)
		require.NoError(t, err)
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, err = io.ReadAll(conn) // returns when the server closes the connection
		require.NoError(t, err, "%s: the server did not close the connection", tc.name)
		conn.Close()
	}
	cancel()
	require.NoError(t, <-result)
}
