// Package machine is how the simulator's actors declare and run their
// github.com/looplab/fsm state machines: the page's navigator.mozId lifecycle
// (nsDOMIdentity.js), FxAccountsManager.getAssertion (FxAccountsManager.jsm),
// the FxA dialog's screens (Gaia's fxam_*.js) and the contacts backup service
// (Gaia's services/contacts/js/backup.js). It stands for no historic component:
// the historic code kept these states implicitly; the simulator makes each one
// a table so traces and diagrams can show it.
//
// A machine is one Spec (name, title, historic file, initial state, rows, and
// what happens to a refused event), registered once from a package-level var:
//
//	var PageMachine = machine.Register(machine.Spec{Name: "page-lifecycle", ...})
//
// and every actor then takes Machines from its Table. `mozidsim diagram
// --states` draws All.
//
// Naming convention (one for every machine):
//   - the Go value is <Thing>Machine in the package of the actor that runs it
//     (identity.PageMachine, fxaccounts.GetAssertionMachine, gaia.DialogMachine,
//     backup.ServiceMachine);
//   - Spec.Name is lower-case words joined by '-', component first
//     ("page-lifecycle", "fxaccountsmanager-getassertion"): the registry key and
//     the file name `diagram --states -o DIR` writes;
//   - states and events are the historic words where the historic code has them
//     (Gaia's screen ids ENTER_EMAIL, the page's callbacks onready, onlogin), and
//     otherwise lower-case words joined by '-' ("no-user-silent", "ui-sign-in");
//     a machine whose states are historic UPPER_CASE ids (the dialog) names its
//     other states the same way so its diagram reads as one;
//   - the Go constants for those strings are St<Name> for a state and
//     Ev<Name> for an event (identity.StIdle, identity.EvOnReady,
//     gaia.StCheckingEmail, gaia.EvNext, backup.StIdle), unexported (st<Name>,
//     ev<Name>) while no other package needs them (fxaccounts' getAssertion
//     machine, backup's events); a machine's states are all exported or all
//     not, and so are its events. The one exception is the dialog's states that
//     are Gaia screen ids: they stay Screen<Name> (gaia.ScreenEnterEmail),
//     because the same constant is the id of a screen the user sees, which the
//     trace's "screen ..." notes and scenarios' per-screen scripts use outside
//     the machine. Renaming a constant never changes its string.
//
// The looplab/fsm pitfalls (anchors-libs.md A.1) are handled here once:
//   - no machine has callbacks: actors fire events from their own goroutine and
//     act after Fire returns, so no before_/leave_ callback can fire another
//     event or call Can and deadlock, and no goroutine keeps a callback's
//     context (which Event cancels when it returns);
//   - a row whose source is its destination (a self-transition) makes looplab
//     return NoTransitionError even though the event was accepted; Fire
//     reports it as success;
//   - looplab's Mermaid output starts the chart at the machine's current state,
//     so Table.Mermaid always draws a fresh machine.
package machine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/looplab/fsm"

	"github.com/mozidsim/mozidsim/internal/sim"
)

// Policy is what Fire does with a refused event: one the table has no row for
// in the machine's current state.
type Policy int

const (
	// Stay leaves the state unchanged, silently: the table's gaps are part of
	// the model (a page's onlogin while it is still watching). An event the
	// table does not know at all is still a bug and is reported as under Note.
	Stay Policy = iota + 1
	// Note leaves the state unchanged, records a trace note
	// "state machine NAME refused EVENT" (the payload says in which state), and
	// returns the error: the table and the actor's code disagree, which must
	// show in the trace but must not stop what the user is doing.
	Note
	// Fault panics: the table and the actor's code disagree and continuing
	// would send a wrong answer. internal/sim turns an actor's panic into a
	// fault event, so the run fails with the machine, event and state named.
	Fault
)

func (p Policy) String() string {
	switch p {
	case Stay:
		return "stay"
	case Note:
		return "note"
	case Fault:
		return "fault"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// Event is one row: the event moves the machine from any of From to To.
type Event struct {
	Name string
	From []string
	To   string
}

// Spec declares a machine.
type Spec struct {
	Name    string  // lower-case words joined by '-': the registry key and diagram file name
	Title   string  // a heading for people: "FxAccountsManager.getAssertion"
	File    string  // the historic Gecko or Gaia source the machine models
	Initial string  // the state a new machine starts in
	Events  []Event // the rows, in reading order
	Refused Policy  // what Fire does with an event that has no row in the current state
}

// Table is a checked Spec: immutable, shared by every machine it makes.
type Table struct {
	spec  Spec
	descs fsm.Events
	known map[string]bool // event names, to tell a misspelt event from one with no row here
	pool  sync.Pool
}

// Compile checks a Spec and returns its Table, without registering it.
func Compile(s Spec) (*Table, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	t := &Table{spec: s, known: map[string]bool{}}
	t.spec.Events = copyEvents(s.Events)
	t.descs = make(fsm.Events, len(s.Events))
	for i, e := range t.spec.Events {
		t.descs[i] = fsm.EventDesc{Name: e.Name, Src: e.From, Dst: e.To}
		t.known[e.Name] = true
	}
	t.pool.New = func() any { return t.New() }
	return t, nil
}

func (s Spec) check() error {
	where := fmt.Sprintf("state machine %q", s.Name)
	switch {
	case s.Name == "":
		return errors.New("state machine: empty name")
	case strings.ToLower(s.Name) != s.Name || strings.ContainsAny(s.Name, " _/."):
		return fmt.Errorf("%s: the name must be lower-case words joined by '-'", where)
	case s.File == "":
		return fmt.Errorf("%s: no historic file", where)
	case s.Initial == "":
		return fmt.Errorf("%s: no initial state", where)
	case len(s.Events) == 0:
		return fmt.Errorf("%s: no events", where)
	case s.Refused < Stay || s.Refused > Fault:
		return fmt.Errorf("%s: refused-event policy %v is not Stay, Note or Fault", where, s.Refused)
	}
	reached := map[string]bool{s.Initial: true}
	seen := map[[2]string]string{} // (event, from) -> to: looplab keeps only the last row
	for i, e := range s.Events {
		row := fmt.Sprintf("%s: row %d (%q)", where, i+1, e.Name)
		if e.Name == "" || e.To == "" || len(e.From) == 0 {
			return fmt.Errorf("%s: a row needs an event, at least one source state and a destination", row)
		}
		for _, from := range e.From {
			if from == "" {
				return fmt.Errorf("%s: empty source state", row)
			}
			if to, dup := seen[[2]string{e.Name, from}]; dup {
				return fmt.Errorf("%s: from %q already goes to %q", row, from, to)
			}
			seen[[2]string{e.Name, from}] = e.To
		}
		reached[e.To] = true
	}
	leavesInitial := false
	for _, e := range s.Events {
		for _, from := range e.From {
			leavesInitial = leavesInitial || from == s.Initial
			if !reached[from] {
				return fmt.Errorf("%s: row %q leaves state %q, which no row enters and is not the initial state", where, e.Name, from)
			}
		}
	}
	if !leavesInitial {
		return fmt.Errorf("%s: no row leaves the initial state %q", where, s.Initial)
	}
	return nil
}

func copyEvents(in []Event) []Event {
	out := make([]Event, len(in))
	for i, e := range in {
		out[i] = Event{Name: e.Name, From: slices.Clone(e.From), To: e.To}
	}
	return out
}

// Name is the machine's registry key (lower-case words joined by '-').
func (t *Table) Name() string { return t.spec.Name }

// Title is the machine's heading for people.
func (t *Table) Title() string { return t.spec.Title }

// File is the historic source the machine models.
func (t *Table) File() string { return t.spec.File }

// Initial is the state a new machine starts in.
func (t *Table) Initial() string { return t.spec.Initial }

// Refused is the table's refused-event policy.
func (t *Table) Refused() Policy { return t.spec.Refused }

// Events returns a copy of the rows.
func (t *Table) Events() []Event { return copyEvents(t.spec.Events) }

// Knows reports whether event has a row anywhere in the table.
func (t *Table) Knows(event string) bool { return t.known[event] }

// New returns a fresh machine in the initial state. looplab builds its
// transition maps here, the largest cost of a machine: actors that make many
// use Get and Put.
func (t *Table) New() *Machine {
	return &Machine{t: t, f: fsm.NewFSM(t.spec.Initial, t.descs, nil)}
}

// Get returns a machine in the initial state, recycled when one was Put back.
func (t *Table) Get() *Machine {
	m := t.pool.Get().(*Machine)
	m.f.SetState(t.spec.Initial)
	return m
}

// Put gives a machine back for reuse; its owner must not touch it again.
func (t *Table) Put(m *Machine) {
	if m != nil && m.t == t {
		t.pool.Put(m)
	}
}

// Mermaid draws the table as a Mermaid stateDiagram-v2, as looplab renders it,
// from a fresh machine (looplab starts the chart at the current state).
func (t *Table) Mermaid() (string, error) {
	return fsm.VisualizeWithType(fsm.NewFSM(t.spec.Initial, t.descs, nil), fsm.MermaidStateDiagram)
}

// Machine is one running state machine. It belongs to one actor and is used
// only from that actor's goroutine.
type Machine struct {
	t *Table
	f *fsm.FSM
}

// Table is the table the machine runs.
func (m *Machine) Table() *Table { return m.t }

// Current is the machine's state.
func (m *Machine) Current() string { return m.f.Current() }

// Is reports whether the machine is in state.
func (m *Machine) Is(state string) bool { return m.f.Is(state) }

// Can reports whether event has a row in the current state.
func (m *Machine) Can(event string) bool { return m.f.Can(event) }

// Fire moves the machine by event. An event with no row in the current state
// is handled by the table's Refused policy; ctx (which may be nil, for a
// machine outside an actor) receives the Note. The error is nil when the
// machine moved (or, under Stay, when the event has no row here).
func (m *Machine) Fire(ctx *sim.Ctx, event string) error {
	// Can first: looplab answers a refused event by scanning the whole table
	// and allocating an error, and Stay machines see refused events routinely.
	if m.f.Can(event) {
		err := m.f.Event(context.Background(), event)
		if err == nil {
			return nil
		}
		if same := (fsm.NoTransitionError{}); errors.As(err, &same) {
			return nil // a self-transition: accepted, the state is the same
		}
		return err // never: without callbacks nothing cancels or goes async
	}
	var err error
	if m.t.known[event] {
		if m.t.spec.Refused == Stay {
			return nil
		}
		err = fsm.InvalidEventError{Event: event, State: m.f.Current()}
	} else {
		err = fsm.UnknownEventError{Event: event}
	}
	if m.t.spec.Refused == Fault {
		panic(fmt.Sprintf("state machine %s: event %q in state %q: %v", m.t.spec.Name, event, m.f.Current(), err))
	}
	if ctx != nil {
		ctx.Record(sim.KindNote, ctx.Self(), "state machine "+m.t.spec.Name+" refused "+event, err.Error())
	}
	return err
}

// registry holds every registered table. It is written only while packages
// initialise (Register from a package-level var) and read afterwards.
var registry = struct {
	sync.Mutex
	byName map[string]*Table
}{byName: map[string]*Table{}}

// Register compiles a Spec and adds it to the machines `mozidsim diagram
// --states` draws. It is meant for package-level vars: a bad Spec or a second
// machine of the same name is a programming error and panics at start-up.
func Register(s Spec) *Table {
	t, err := Compile(s)
	if err != nil {
		panic(err)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.byName[s.Name]; dup {
		panic(fmt.Sprintf("state machine %q registered twice", s.Name))
	}
	registry.byName[s.Name] = t
	return t
}

// All returns every registered table, sorted by name. Only the packages linked
// into the program have registered theirs.
func All() []*Table {
	registry.Lock()
	defer registry.Unlock()
	out := make([]*Table, 0, len(registry.byName))
	for _, t := range registry.byName {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].spec.Name < out[j].spec.Name })
	return out
}
