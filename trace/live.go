package trace

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mozidsim/mozidsim/internal/cliflag"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/serve"
)

// The live view plays a run in a browser: each message lights up on a lane
// diagram as it travels, with its seed step, historic file and why. Runs are
// deterministic, so playing back a finished run shows exactly what happened, at
// a pace a learner can follow (pause, step, faster, slower).

//go:embed live.html
var livePage []byte

// LiveParticipant is one lane of the live view.
type LiveParticipant struct {
	Name string `json:"name"`
	Box  string `json:"box"` // the process: content process, Gecko parent process, ...
}

// LiveStep is one step as the page receives it.
type LiveStep struct {
	Type   string   `json:"type"` // "step"
	N      int      `json:"n"`
	Total  int      `json:"total"`
	At     string   `json:"at"` // virtual time since the start
	Kind   string   `json:"kind"`
	From   string   `json:"from"`
	To     string   `json:"to"`
	Name   string   `json:"name"`
	Tag    string   `json:"tag,omitempty"`
	Label  string   `json:"label"`
	Detail string   `json:"detail,omitempty"`
	File   string   `json:"file,omitempty"`
	Why    string   `json:"why,omitempty"`
	Notes  []string `json:"notes,omitempty"`
}

// liveHello opens every connection.
type liveHello struct {
	Type         string            `json:"type"` // "hello"
	Scenario     string            `json:"scenario"`
	Era          string            `json:"era"` // the run's era: 2014 or 2015
	Steps        int               `json:"steps"`
	PaceMS       int               `json:"paceMs"`
	Participants []LiveParticipant `json:"participants"`
}

// liveCommand is what the page sends: play, pause, step (one step, paused),
// restart, or pace with ms.
type liveCommand struct {
	Cmd string `json:"cmd"`
	MS  int    `json:"ms"`
}

// LiveHandler serves the live view of one trace: GET / is the page, GET /ws the
// step stream. Every connection plays the run from the start on its own.
func LiveHandler(t Trace, pace time.Duration) http.Handler {
	steps := ExplainLines(t.Lines)
	at := make(map[uint64]time.Duration, len(t.Lines))
	for _, l := range t.Lines {
		at[l.Seq] = l.At
	}
	hello := liveHello{Type: "hello", Scenario: t.Header.Scenario, Era: era.Of(era.Era(t.Header.Era)).String(), Steps: len(steps), PaceMS: int(pace / time.Millisecond)}
	seen := map[string]bool{}
	for _, st := range steps {
		for _, a := range []string{st.From, st.To} {
			if a != "" && !seen[a] {
				seen[a] = true
				box := "outside the phone"
				if i := boxOf(a); i >= 0 {
					box = boxes[i].label
				}
				hello.Participants = append(hello.Participants, LiveParticipant{Name: a, Box: box})
			}
		}
	}
	out := make([]LiveStep, len(steps))
	for i, st := range steps {
		out[i] = LiveStep{Type: "step", N: st.N, Total: len(steps), At: virtualOffset(at[st.Seq]), Kind: st.Kind,
			From: st.From, To: st.To, Name: st.Name, Tag: st.Tag, Label: st.Label, Detail: st.Detail,
			File: st.File, Why: st.Why, Notes: st.Notes}
	}
	upgrader := websocket.Upgrader{CheckOrigin: sameHost}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(livePage)
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return // Upgrade has answered the client
		}
		defer conn.Close()
		playLive(r.Context(), conn, hello, out, pace)
	})
	return mux
}

// sameHost accepts the page this server served (and non-browser clients).
func sameHost(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin == "" || strings.TrimPrefix(strings.TrimPrefix(origin, "http://"), "https://") == r.Host
}

// playLive streams steps at the pace the page asks for. A reader goroutine turns
// the page's messages into commands; it ends when the connection does.
func playLive(ctx context.Context, conn *websocket.Conn, hello liveHello, steps []LiveStep, pace time.Duration) {
	commands := make(chan liveCommand)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			var c liveCommand
			if err := conn.ReadJSON(&c); err != nil {
				return
			}
			select {
			case commands <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		conn.Close() // unblocks the reader
		<-readerDone
	}()
	if conn.WriteJSON(hello) != nil {
		return
	}
	next, playing := 0, true
	timer := time.NewTimer(0)
	defer timer.Stop()
	send := func() bool {
		if next >= len(steps) {
			return true
		}
		err := conn.WriteJSON(steps[next])
		next++
		return err == nil
	}
	for {
		var tick <-chan time.Time
		if playing && next < len(steps) {
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-readerDone:
			return
		case <-tick:
			if !send() {
				return
			}
			timer.Reset(pace)
		case c := <-commands:
			switch c.Cmd {
			case "play":
				playing = true
				timer.Reset(0)
			case "pause":
				playing = false
			case "step":
				playing = false
				if !send() {
					return
				}
			case "restart":
				next = 0
				if conn.WriteJSON(hello) != nil {
					return
				}
				timer.Reset(0)
			case "pace":
				if c.MS >= 10 && c.MS <= 60_000 {
					pace = time.Duration(c.MS) * time.Millisecond
				}
			}
		}
	}
}

// LiveMain is `mozidsim live [--addr ADDR] [--pace D] SCENARIO|TRACE.jsonl`:
// serve the live view until ctx ends. ready, when not nil, receives the address.
func LiveMain(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) int {
	fs := flag.NewFlagSet("live", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address to serve the live view on")
	pace := fs.Duration("pace", 700*time.Millisecond, "time between two messages while playing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mozidsim live [--addr ADDR] [--pace 700ms] SCENARIO|TRACE.jsonl")
		fs.PrintDefaults()
	}
	pos, err := cliflag.Parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if err != nil || len(pos) != 1 {
		if err == nil {
			fs.Usage()
		}
		return ExitError
	}
	if *pace <= 0 {
		fmt.Fprintln(stderr, "live: --pace must be positive")
		return ExitError
	}
	t, err := traceFor(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "live: %v\n", err)
		return ExitError
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "live: %v\n", err)
		return ExitError
	}
	fmt.Fprintf(stdout, "live view of %s (%d messages): open http://%s/\n", t.Header.Scenario, len(t.Lines), ln.Addr())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	if err := serve.Until(ctx, ln, LiveHandler(t, *pace)); err != nil {
		fmt.Fprintf(stderr, "live: %v\n", err)
		return ExitError
	}
	return ExitOK
}
