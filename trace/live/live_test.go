package live_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/explain"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
	"github.com/mozidsim/mozidsim/trace/live"
)

type liveMsg struct {
	Type         string `json:"type"`
	Scenario     string `json:"scenario"`
	Era          string `json:"era"`
	Steps        int    `json:"steps"`
	Participants []live.Participant
	live.Step
}

func dialLive(t *testing.T, base string) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
	require.NoError(t, err)
	resp.Body.Close()
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	return conn
}

func read(t *testing.T, conn *websocket.Conn) liveMsg {
	t.Helper()
	var m liveMsg
	require.NoError(t, conn.ReadJSON(&m))
	return m
}

// The live view streams every explained step of a run, in order, and obeys the
// page's pause, step, pace and restart.
func TestLiveViewStreamsTheRunStepByStep(t *testing.T) {
	tr := trace.NewTrace("seed part II", "", nil, 1, tracetest.Walkthrough(t, true))
	steps := explain.ExplainLines(tr.Lines)
	srv := httptest.NewServer(live.Handler(tr, time.Hour)) // nothing plays by itself after the first step
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Contains(t, string(page), `new WebSocket(`)

	conn := dialLive(t, srv.URL)
	hello := read(t, conn)
	require.Equal(t, "hello", hello.Type)
	require.Equal(t, "seed part II", hello.Scenario)
	require.Equal(t, "2015", hello.Era, "a trace without an era is a 2015 one")
	require.Equal(t, len(steps), hello.Steps)
	require.Equal(t, live.Participant{Name: "page[shop]", Box: "content process"}, hello.Participants[0])
	require.Contains(t, hello.Participants, live.Participant{Name: "System/FxAccountsManager", Box: "Gaia System app"})

	first := read(t, conn) // playing starts at once; the next waits an hour
	require.Equal(t, "step", first.Type)
	require.Equal(t, 1, first.N)
	require.Equal(t, "navigator.mozId.watch", first.Name)
	require.Equal(t, steps[0].Tag, first.Tag)
	require.Equal(t, "T+0s", first.At)

	require.NoError(t, conn.WriteJSON(map[string]any{"cmd": "step"}))
	require.Equal(t, 2, read(t, conn).N)
	require.NoError(t, conn.WriteJSON(map[string]any{"cmd": "pace", "ms": 10}))
	require.NoError(t, conn.WriteJSON(map[string]any{"cmd": "play"}))
	var last liveMsg
	for n := 3; n <= len(steps); n++ {
		last = read(t, conn)
		require.Equal(t, n, last.N, "steps arrive in order")
		require.Equal(t, steps[n-1].Name, last.Name)
		require.Equal(t, steps[n-1].Why, last.Why)
	}
	require.Equal(t, "callback", last.Kind)
	require.Equal(t, "onlogin", last.Name)

	require.NoError(t, conn.WriteJSON(map[string]any{"cmd": "restart"}))
	require.Equal(t, "hello", read(t, conn).Type)
	require.Equal(t, 1, read(t, conn).N)
}

func TestLiveViewRefusesOtherSitesPages(t *testing.T) {
	tr := trace.NewTrace("part I", "", nil, 1, tracetest.Walkthrough(t, false))
	srv := httptest.NewServer(live.Handler(tr, time.Millisecond))
	defer srv.Close()
	_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", http.Header{"Origin": {"https://evil.example.com"}})
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp.Body.Close()
}

// One huge message from a page (issue 15: 300 MB grew the server by 1.1 GB)
// ends the connection with 1009 instead of being read into memory.
func TestLiveViewLimitsWhatItReads(t *testing.T) {
	tr := trace.NewTrace("part I", "", nil, 1, tracetest.Walkthrough(t, false))
	srv := httptest.NewServer(live.Handler(tr, time.Hour))
	defer srv.Close()
	conn := dialLive(t, srv.URL)
	require.Equal(t, "hello", read(t, conn).Type)
	_ = conn.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte(" "), 64<<20)) // may fail: the server hangs up
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue // the first step, sent before the server read our message
		}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the server kept the connection open after a 64 MB message")
		}
		if ce := (*websocket.CloseError)(nil); errors.As(err, &ce) {
			require.Equal(t, websocket.CloseMessageTooBig, ce.Code)
		}
		return
	}
}
