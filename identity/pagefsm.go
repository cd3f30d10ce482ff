package identity

import "github.com/mozidsim/mozidsim/internal/machine"

// The page's navigator.mozId lifecycle, as the page itself can observe it.
// nsDOMIdentity.js keeps this implicitly (_rpWatcher set or not, a request in
// flight or not); the simulator makes it an explicit machine so traces and
// diagrams can show it.
const (
	StIdle       = "idle"       // watch() not (successfully) called yet
	StWatching   = "watching"   // Identity:RP:Watch sent; the silent check has not answered onready
	StReady      = "ready"      // onready arrived
	StRefused    = "refused"    // watch() found child-side errors: onerror called, nothing sent, watcher kept (S4)
	StFailed     = "failed"     // the silent check answered onerror: onready will never come (S3)
	StRequesting = "requesting" // request() sent from ready; waiting for onlogin/oncancel/onerror
	StClosed     = "closed"     // inner-window-destroyed: Unwatch sent, actor gone
)

// Page lifecycle events: what the page did or what reached it.
const (
	EvWatch    = "watch"
	EvRefuse   = "refuse"
	EvOnReady  = "onready"
	EvOnError  = "onerror"
	EvRequest  = "request"
	EvOnLogin  = "onlogin"
	EvOnCancel = "oncancel"
	EvClose    = "close"
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
	Initial: StIdle,
	Refused: machine.Stay,
	Events: []machine.Event{
		{Name: EvWatch, From: []string{StIdle}, To: StWatching},
		{Name: EvRefuse, From: []string{StIdle}, To: StRefused},
		{Name: EvOnReady, From: []string{StWatching}, To: StReady},
		{Name: EvOnError, From: []string{StWatching}, To: StFailed},
		{Name: EvRequest, From: []string{StReady}, To: StRequesting},
		{Name: EvOnLogin, From: []string{StRequesting}, To: StReady},
		{Name: EvOnCancel, From: []string{StRequesting}, To: StReady},
		{Name: EvOnError, From: []string{StRequesting}, To: StReady},
		{Name: EvClose, From: []string{StIdle, StWatching, StReady, StRefused, StFailed, StRequesting}, To: StClosed},
	},
})
