package trace_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/trace"
)

type liveMsg struct {
	Type         string `json:"type"`
	Scenario     string `json:"scenario"`
	Era          string `json:"era"`
	Steps        int    `json:"steps"`
	Participants []trace.LiveParticipant
	trace.LiveStep
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
	tr := trace.NewTrace("seed part II", "", nil, 1, walkthrough(t, true))
	steps := trace.ExplainLines(tr.Lines)
	srv := httptest.NewServer(trace.LiveHandler(tr, time.Hour)) // nothing plays by itself after the first step
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
	require.Equal(t, trace.LiveParticipant{Name: "page[shop]", Box: "content process"}, hello.Participants[0])
	require.Contains(t, hello.Participants, trace.LiveParticipant{Name: "System/FxAccountsManager", Box: "Gaia System app"})

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
	tr := trace.NewTrace("part I", "", nil, 1, walkthrough(t, false))
	srv := httptest.NewServer(trace.LiveHandler(tr, time.Millisecond))
	defer srv.Close()
	_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", http.Header{"Origin": {"https://evil.example.com"}})
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp.Body.Close()
}

// LiveMain serves a recorded trace file until its context ends.
func TestLiveMainServesATraceFileUntilCancelled(t *testing.T) {
	tr := trace.NewTrace("part I", "", nil, 1, walkthrough(t, false))
	file := filepath.Join(t.TempDir(), "part1.trace.jsonl")
	var buf bytes.Buffer
	require.NoError(t, trace.WriteLines(&buf, tr.Header, tr.Lines))
	require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- trace.LiveMain(ctx, []string{"--addr", "127.0.0.1:0", "--pace", "5ms", file}, &out, &errOut, ready)
	}()
	addr := <-ready
	conn := dialLive(t, "http://"+addr)
	require.Equal(t, "part I", read(t, conn).Scenario)
	require.Equal(t, 1, read(t, conn).N)
	cancel()
	require.Equal(t, trace.ExitOK, <-done)
	require.Contains(t, out.String(), "live view of part I")
	require.Empty(t, errOut.String())

	require.Equal(t, trace.ExitError, trace.LiveMain(context.Background(), []string{"--pace", "0s", file}, &out, &errOut, nil))
	require.Equal(t, trace.ExitError, trace.LiveMain(context.Background(), nil, &out, &errOut, nil))
}
