// Package live plays a mozidsim trace in a browser (mozidsim live): each
// message on a sequence diagram whose lanes are grouped by process, with its
// seed step, historic file and why. It stands for no historic component.
package live

import (
	"context"
	_ "embed"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/explain"
)

// The live view plays a run in a browser: each message lights up on a lane
// diagram as it travels, with its seed step, historic file and why. Runs are
// deterministic, so playing back a finished run shows exactly what happened, at
// a pace a learner can follow (pause, step, faster, slower).

//go:embed live.html
var livePage []byte

// Participant is one lane of the live view.
type Participant struct {
	Name string `json:"name"`
	Box  string `json:"box"` // the process: content process, Gecko parent process, ...
}

// Step is one step as the page receives it.
type Step struct {
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
	Type         string        `json:"type"` // "hello"
	Scenario     string        `json:"scenario"`
	Era          string        `json:"era"` // the run's era: 2014 or 2015
	Steps        int           `json:"steps"`
	PaceMS       int           `json:"paceMs"`
	Participants []Participant `json:"participants"`
}

// liveCommand is what the page sends: play, pause, step (one step, paused),
// restart, or pace with ms.
type liveCommand struct {
	Cmd string `json:"cmd"`
	MS  int    `json:"ms"`
}

// Handler serves the live view of one trace: GET / is the page, GET /ws the
// step stream. Every connection plays the run from the start on its own.
func Handler(t trace.Trace, pace time.Duration) http.Handler {
	steps := explain.ExplainLines(t.Lines)
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
				box, _ := explain.Process(a)
				hello.Participants = append(hello.Participants, Participant{Name: a, Box: box})
			}
		}
	}
	out := make([]Step, len(steps))
	for i, st := range steps {
		out[i] = Step{Type: "step", N: st.N, Total: len(steps), At: trace.VirtualOffset(at[st.Seq]), Kind: st.Kind,
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
		// The page only sends tiny commands; without a limit one message of any
		// size was read into memory whole.
		conn.SetReadLimit(liveReadLimit)
		playLive(r.Context(), conn, hello, out, pace)
	})
	return mux
}

// liveReadLimit bounds one message from the page ({"cmd":"pace","ms":N}).
const liveReadLimit = 1 << 10

// liveWriteTimeout drops a page that stops reading its stream.
const liveWriteTimeout = 10 * time.Second

// sameHost accepts the page this server served (and non-browser clients).
func sameHost(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin == "" || strings.TrimPrefix(strings.TrimPrefix(origin, "http://"), "https://") == r.Host
}

// playLive streams steps at the pace the page asks for. A reader goroutine turns
// the page's messages into commands; it ends when the connection does.
func playLive(ctx context.Context, conn *websocket.Conn, hello liveHello, steps []Step, pace time.Duration) {
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
	write := func(v any) error {
		if err := conn.SetWriteDeadline(time.Now().Add(liveWriteTimeout)); err != nil {
			return err
		}
		return conn.WriteJSON(v)
	}
	if write(hello) != nil {
		return
	}
	next, playing := 0, true
	timer := time.NewTimer(0)
	defer timer.Stop()
	send := func() bool {
		if next >= len(steps) {
			return true
		}
		err := write(steps[next])
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
				if write(hello) != nil {
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
