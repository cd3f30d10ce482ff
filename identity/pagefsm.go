package identity

import (
	"context"
	"sync"

	"github.com/looplab/fsm"
)

// The page's navigator.mozId lifecycle, as the page itself can observe it.
// nsDOMIdentity.js keeps this implicitly (_rpWatcher set or not, a request in
// flight or not); the simulator makes it an explicit machine so traces and
// diagrams can show it.
const (
	StateIdle       = "idle"       // watch() not (successfully) called yet
	StateWatching   = "watching"   // Identity:RP:Watch sent; the silent check has not answered onready
	StateReady      = "ready"      // onready arrived
	StateRefused    = "refused"    // watch() found child-side errors: onerror called, nothing sent, watcher kept (S4)
	StateFailed     = "failed"     // the silent check answered onerror: onready will never come (S3)
	StateRequesting = "requesting" // request() sent from ready; waiting for onlogin/oncancel/onerror
	StateClosed     = "closed"     // inner-window-destroyed: Unwatch sent, actor gone
)

// Page lifecycle events: what the page did or what reached it.
const (
	EventWatch    = "watch"
	EventRefuse   = "refuse"
	EventOnReady  = "onready"
	EventOnError  = "onerror"
	EventRequest  = "request"
	EventOnLogin  = "onlogin"
	EventOnCancel = "oncancel"
	EventClose    = "close"
)

// pageTable is the whole machine. An event that has no row for the current state
// leaves the state unchanged: onlogin/onlogout while watching (onready follows),
// notifications in ready, request() from refused or failed (sent, but the parent
// has no flow or the page never became ready), logout() anywhere.
var pageTable = fsm.Events{
	{Name: EventWatch, Src: []string{StateIdle}, Dst: StateWatching},
	{Name: EventRefuse, Src: []string{StateIdle}, Dst: StateRefused},
	{Name: EventOnReady, Src: []string{StateWatching}, Dst: StateReady},
	{Name: EventOnError, Src: []string{StateWatching}, Dst: StateFailed},
	{Name: EventRequest, Src: []string{StateReady}, Dst: StateRequesting},
	{Name: EventOnLogin, Src: []string{StateRequesting}, Dst: StateReady},
	{Name: EventOnCancel, Src: []string{StateRequesting}, Dst: StateReady},
	{Name: EventOnError, Src: []string{StateRequesting}, Dst: StateReady},
	{Name: EventClose, Src: []string{StateIdle, StateWatching, StateReady, StateRefused, StateFailed, StateRequesting}, Dst: StateClosed},
}

// PageFSMEvents returns a copy of the page lifecycle table (for diagrams and docs).
func PageFSMEvents() fsm.Events {
	out := make(fsm.Events, len(pageTable))
	for i, e := range pageTable {
		out[i] = fsm.EventDesc{Name: e.Name, Src: append([]string(nil), e.Src...), Dst: e.Dst}
	}
	return out
}

// PageFSMDiagram renders the table as a Mermaid state diagram (from a fresh
// machine, because looplab's renderer starts the chart at the current state).
func PageFSMDiagram() (string, error) {
	return fsm.VisualizeWithType(newPageFSM(), fsm.MermaidStateDiagram)
}

// newPageFSM has no callbacks: the actor fires events from its own goroutine and
// acts after Event returns, so nothing can re-enter the machine (anchors A.1).
func newPageFSM() *fsm.FSM { return fsm.NewFSM(StateIdle, pageTable, nil) }

// pageMachines recycles the machines of closed pages: looplab builds its
// transition maps in NewFSM, the largest cost of opening a page. A machine
// belongs to one page actor at a time (taken in NewNSDOMIdentity, given back by
// Close, the page's last act), so nothing is shared.
var pageMachines = sync.Pool{New: func() any { return newPageFSM() }}

func takePageFSM() *fsm.FSM {
	m := pageMachines.Get().(*fsm.FSM)
	m.SetState(StateIdle)
	return m
}

// pageEvents are the table's event names, for telling a misspelt event from one
// that merely has no row in the current state.
var pageEvents = func() map[string]bool {
	names := map[string]bool{}
	for _, e := range pageTable {
		names[e.Name] = true
	}
	return names
}()

// fire moves the machine if the table has a row for event in the current state.
// Can is asked first because looplab answers an event with no row by scanning
// the whole table and allocating an error.
func fire(m *fsm.FSM, event string) error {
	if !m.Can(event) {
		if !pageEvents[event] {
			return fsm.UnknownEventError{Event: event}
		}
		return nil
	}
	return m.Event(context.Background(), event)
}
