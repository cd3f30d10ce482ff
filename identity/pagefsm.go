package identity

import "github.com/mozidsim/mozidsim/internal/machine"

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

// PageMachine is the whole machine. Its refused-event policy is Stay: an event
// that has no row for the current state leaves the state unchanged, because
// the page really can see it there: onlogin/onlogout while watching (onready
// follows), notifications in ready, request() from refused or failed (sent, but
// the parent has no flow or the page never became ready), logout() anywhere.
// Pages take their machine with Get and give it back when they close: looplab
// builds its transition maps for every new machine, the largest cost of
// opening a page.
var PageMachine = machine.Register(machine.Spec{
	Name:    "page-lifecycle",
	Title:   "A page's navigator.mozId lifecycle",
	File:    "dom/identity/nsDOMIdentity.js",
	Initial: StateIdle,
	Refused: machine.Stay,
	Events: []machine.Event{
		{Name: EventWatch, From: []string{StateIdle}, To: StateWatching},
		{Name: EventRefuse, From: []string{StateIdle}, To: StateRefused},
		{Name: EventOnReady, From: []string{StateWatching}, To: StateReady},
		{Name: EventOnError, From: []string{StateWatching}, To: StateFailed},
		{Name: EventRequest, From: []string{StateReady}, To: StateRequesting},
		{Name: EventOnLogin, From: []string{StateRequesting}, To: StateReady},
		{Name: EventOnCancel, From: []string{StateRequesting}, To: StateReady},
		{Name: EventOnError, From: []string{StateRequesting}, To: StateReady},
		{Name: EventClose, From: []string{StateIdle, StateWatching, StateReady, StateRefused, StateFailed, StateRequesting}, To: StateClosed},
	},
})
