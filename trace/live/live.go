// Package live plays a mozidsim trace in a browser (mozidsim live): a sequence
// diagram whose lanes are grouped by process, one arrow per message, the state
// of each actor's state machine, a legend and an end-of-run summary, stepped
// forward and back by the reader. It stands for no historic component.
package live

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/machine"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/explain"
)

// The whole run goes to the page at once, embedded in it: the page steps
// through it on its own, so what a browser shows at ?step=N depends on nothing
// but N (a headless screenshot sees what a person sees), and going back is as
// easy as going forward.

//go:embed live.html
var pageSource string

var page = template.Must(template.New("live").Parse(pageSource))

// Process is one group of lanes: the content process, Gecko's parent process,
// the Gaia System app, ...
type Process struct {
	Name   string   `json:"name"`
	Colour string   `json:"colour"`
	Actors []string `json:"actors"` // lanes, in the order they first appear
}

// Step is one arrow of the sequence view.
type Step struct {
	N      int      `json:"n"`
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
	// States is every state machine's state once this step (and the notes it
	// caused) happened: actor -> state.
	States map[string]string `json:"states"`
}

// Outcome is how the run ended, when the caller knows (it re-ran the
// scenario's expectations): nil shows the callbacks only.
type Outcome struct {
	Pass     bool     `json:"pass"`
	Problems []string `json:"problems,omitempty"`
}

// PageCallbacks is what one page received, in order.
type PageCallbacks struct {
	Page  string   `json:"page"`
	Lines []string `json:"lines"`
}

// Run is everything the page shows.
type Run struct {
	Scenario  string            `json:"scenario"`
	Era       string            `json:"era"` // the run's era: 2014 or 2015
	Processes []Process         `json:"processes"`
	Machines  map[string]string `json:"machines"` // actor -> the state machine it runs
	Steps     []Step            `json:"steps"`
	Callbacks []PageCallbacks   `json:"callbacks"`
	Outcome   *Outcome          `json:"outcome,omitempty"`
	PaceMS    int               `json:"paceMs"`
}

// NewRun prepares a trace for the page.
func NewRun(t trace.Trace, outcome *Outcome) Run {
	steps := explain.ExplainLines(t.Lines)
	run := Run{Scenario: t.Header.Scenario, Era: era.Of(era.Era(t.Header.Era)).String(), Outcome: outcome, Machines: map[string]string{}}

	// Lanes: grouped by process in the diagrams' order, actors in order of
	// first appearance within each.
	byProcess := map[string]*Process{}
	for _, name := range explain.Processes() {
		_, colour := explain.Process("")
		run.Processes = append(run.Processes, Process{Name: name, Colour: colour})
	}
	for i := range run.Processes {
		byProcess[run.Processes[i].Name] = &run.Processes[i]
	}
	seen := map[string]bool{}
	for _, st := range steps {
		for _, a := range []string{st.From, st.To} {
			if a == "" || seen[a] {
				continue
			}
			seen[a] = true
			name, colour := explain.Process(a)
			p := byProcess[name]
			p.Colour = colour
			p.Actors = append(p.Actors, a)
		}
	}
	run.Processes = slices.DeleteFunc(run.Processes, func(p Process) bool { return len(p.Actors) == 0 })

	// States: the trace is replayed through each machine's table, line by
	// line; a step shows the states after its own line and its notes.
	m := newMachines()
	at := map[uint64]time.Duration{}
	next := 0
	for i, st := range steps {
		limit := uint64(1<<63 - 1)
		if i+1 < len(steps) {
			limit = steps[i+1].Seq
		}
		for next < len(t.Lines) && t.Lines[next].Seq < limit {
			l := t.Lines[next]
			at[l.Seq] = l.At
			m.feed(l)
			next++
		}
		run.Steps = append(run.Steps, Step{N: st.N, At: trace.VirtualOffset(at[st.Seq]), Kind: st.Kind,
			From: st.From, To: st.To, Name: st.Name, Tag: st.Tag, Label: st.Label, Detail: st.Detail,
			File: st.File, Why: st.Why, Notes: st.Notes, States: m.snapshot()})
	}
	for actor, machine := range m.names {
		run.Machines[actor] = machine
	}

	// Callbacks: what each page received, as a scenario's expect lists them.
	pages := map[string]int{}
	for _, l := range t.Lines {
		if l.Kind != "callback" {
			continue
		}
		i, ok := pages[l.To]
		if !ok {
			i = len(run.Callbacks)
			pages[l.To] = i
			run.Callbacks = append(run.Callbacks, PageCallbacks{Page: l.To})
		}
		line := l.Name
		if o, ok := l.Payload.(trace.Object); ok && o.String(trace.MemberRole) != "" {
			line += " " + o.String(trace.MemberRole) // an assertion: its role, not its bytes
		} else if l.Payload != nil {
			line += " " + trace.Short(trace.WithoutRaw(l.Payload), 80)
		}
		run.Callbacks[i].Lines = append(run.Callbacks[i].Lines, line)
	}
	return run
}

// machines follows the simulator's state machines through a trace. The page
// machine is driven by its own table (identity.PageMachine) with the events
// the trace shows; the dialog's screen and the manager's getAssertion state are
// read from the notes and messages those actors leave.
type machines struct {
	pages map[string]*machine.Machine // nsDOMIdentity[app] -> page lifecycle
	state map[string]string           // actor -> state, for the others
	names map[string]string           // actor -> machine name
}

func newMachines() *machines {
	return &machines{pages: map[string]*machine.Machine{}, state: map[string]string{}, names: map[string]string{}}
}

// pageEvents maps what a page did or received to the page machine's events.
var pageEvents = map[string]string{
	wire.CallWatch: identity.EvWatch, wire.CallRequest: identity.EvRequest,
	wire.CbReady: identity.EvOnReady, wire.CbError: identity.EvOnError,
	wire.CbLogin: identity.EvOnLogin, wire.CbCancel: identity.EvOnCancel,
}

func (m *machines) feed(l trace.Line) {
	switch {
	case l.Kind == "call" || l.Kind == "callback":
		nav := l.From // calls and callbacks are recorded by the page's nsDOMIdentity
		if ev, ok := pageEvents[l.Name]; ok {
			_ = m.page(nav).Fire(nil, ev) // no row: the state stays, as in the actor
		}
	case l.Kind == "hop" && l.Name == wire.MsgRPUnwatch:
		_ = m.page(l.From).Fire(nil, identity.EvClose)
	case l.Kind == "note" && l.From == string(wire.FxAModule) && strings.HasPrefix(l.Name, "screen "):
		m.set(l.From, "the dialog's screens", strings.TrimPrefix(l.Name, "screen "))
	case l.Kind == "note" && l.From == string(wire.FxAccountsManager) && strings.HasPrefix(l.Name, "getAssertion "):
		// "getAssertion resolved (no-user-silent)": the machine's state and the event.
		m.set(l.From, "getAssertion", strings.TrimPrefix(l.Name, "getAssertion "))
	case l.Kind == "hop" && l.To == string(wire.FxAccountsManager) && l.Name == wire.GetAssertion:
		m.set(l.To, "getAssertion", "account")
	case l.Kind == "hop" && l.From == string(wire.FxAccountsManager) && l.Name == wire.SignInFlow:
		m.set(l.From, "getAssertion", "ui-sign-in")
	case l.Kind == "hop" && l.From == string(wire.FxAccountsManager) && l.Name == wire.RefreshAuthentication:
		m.set(l.From, "getAssertion", "ui-refresh")
	case l.Kind == "hop" && l.From == string(wire.FxAccountsManager) && l.To == string(wire.FxAccounts) && l.Name == wire.GetAssertion:
		m.set(l.From, "getAssertion", "assertion")
	case l.Kind == "note" && strings.HasPrefix(l.Name, "state ") && strings.HasSuffix(l.From, string(contacts.Backup)):
		// The backup service notes each transition as "state A -> B (event)"
		// (a multi-phone world prefixes its address with the phone).
		if _, rest, ok := strings.Cut(l.Name, " -> "); ok {
			to, _, _ := strings.Cut(rest, " (")
			m.set(l.From, "contacts backup", to)
		}
	}
}

func (m *machines) page(nav string) *machine.Machine {
	p, ok := m.pages[nav]
	if !ok {
		p = identity.PageMachine.New()
		m.pages[nav] = p
		m.names[nav] = "page lifecycle"
	}
	return p
}

func (m *machines) set(actor, machine, state string) {
	m.state[actor] = state
	m.names[actor] = machine
}

func (m *machines) snapshot() map[string]string {
	out := make(map[string]string, len(m.pages)+len(m.state))
	for nav, p := range m.pages {
		out[nav] = p.Current()
	}
	for a, s := range m.state {
		out[a] = s
	}
	return out
}

// Handler serves the live view of one run: GET / is the page (the run
// embedded in it), GET /run.json the run alone.
func Handler(run Run, pace time.Duration) http.Handler {
	run.PaceMS = int(pace / time.Millisecond)
	data, err := json.Marshal(run)
	if err != nil {
		panic(fmt.Sprintf("live: the run does not encode: %v", err)) // only strings, ints and maps
	}
	var html bytes.Buffer
	if err := page.Execute(&html, struct {
		Scenario string
		Run      template.JS
	}{run.Scenario, template.JS(data)}); err != nil {
		panic(fmt.Sprintf("live: the page does not render: %v", err))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html.Bytes())
	})
	mux.HandleFunc("GET /run.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	})
	return mux
}
