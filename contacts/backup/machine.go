package backup

import (
	"github.com/mozidsim/mozidsim/internal/machine"
	"github.com/mozidsim/mozidsim/internal/sim"
)

// The service's states: what it is doing. Status().State is one of them.
const (
	stIdle         = "idle"
	stAccount      = "account"      // FxAccountsManager.getAccount()
	stProvisioning = "provisioning" // getAssertion + POST /browserid/login (or finding the user's own book)
	stReconciling  = "reconciling"  // mozContacts.getAll(): what the server does not have
	stLoading      = "loading"      // mozContacts.find() for a batch of queued changes
	stPushing      = "pushing"      // PUT / DELETE
	stPulling      = "pulling"      // sync-collection (or PROPFIND) + multiget
	stApplying     = "applying"     // remote versions being saved into mozContacts
	stWaiting      = "waiting"      // a retry timer is armed (virtual time)
	stStopped      = "stopped"      // gave up quietly until the next change
	stOff          = "off"          // the switch is OFF
)

// State names for callers (Status().State).
const (
	StateIdle         = stIdle
	StateAccount      = stAccount
	StateProvisioning = stProvisioning
	StateReconciling  = stReconciling
	StateLoading      = stLoading
	StatePushing      = stPushing
	StatePulling      = stPulling
	StateApplying     = stApplying
	StateWaiting      = stWaiting
	StateStopped      = stStopped
	StateOff          = stOff
)

// Events.
const (
	evStart     = "start"
	evRetry     = "retry"
	evNoUser    = "no-verified-user"
	evProvision = "provision"
	evReconcile = "reconcile"
	evLoad      = "load"
	evPush      = "push"
	evPull      = "pull"
	evApply     = "apply"
	evDone      = "done"
	evBackoff   = "backoff"
	evGiveUp    = "give-up"
	evSwitchOff = "switch-off"
	evSwitchOn  = "switch-on"
)

var working = []string{stAccount, stProvisioning, stReconciling, stLoading, stPushing, stPulling, stApplying}

// ServiceMachine is the service's machine as one table: read top to bottom it
// is backup.js's process()/backup()/getCredentials()/provision()/upload(), with
// the sync extensions. Its refused-event policy is Fault: the service fires
// each event right after deciding it, so a refused one is a bug in this
// package, and carrying on could push or delete the wrong contacts.
var ServiceMachine = machine.Register(machine.Spec{
	Name:    "contacts-backup",
	Title:   "The contacts backup service",
	File:    "apps/system/services/contacts/js/backup.js",
	Initial: stIdle,
	Refused: machine.Fault,
	Events: []machine.Event{
		{Name: evStart, From: []string{stIdle, stStopped}, To: stAccount},
		{Name: evRetry, From: []string{stWaiting}, To: stAccount},
		{Name: evNoUser, From: []string{stAccount}, To: stStopped},
		// Credentials: provision when there are none, or once after a 401.
		{Name: evProvision, From: []string{stAccount, stReconciling, stPushing, stPulling}, To: stProvisioning},
		// A new address book (or the switch back ON): compare everything first.
		{Name: evReconcile, From: []string{stAccount, stProvisioning}, To: stReconciling},
		// Push the queue in batches...
		{Name: evLoad, From: []string{stAccount, stProvisioning, stReconciling, stPushing, stApplying}, To: stLoading},
		{Name: evPush, From: []string{stLoading}, To: stPushing},
		// ...then pull what other devices did (sync, restore).
		{Name: evPull, From: []string{stAccount, stProvisioning, stReconciling, stPushing}, To: stPulling},
		{Name: evApply, From: []string{stPulling}, To: stApplying},
		{Name: evDone, From: []string{stAccount, stProvisioning, stReconciling, stPushing, stApplying}, To: stIdle},
		// Trouble.
		{Name: evBackoff, From: working, To: stWaiting},
		{Name: evGiveUp, From: working, To: stStopped},
		// The switch.
		{Name: evSwitchOff, From: append([]string{stIdle, stWaiting, stStopped}, working...), To: stOff},
		{Name: evSwitchOn, From: []string{stOff}, To: stIdle},
	},
})

// fire moves the machine and notes each change of state in the trace.
func (s *Service) fire(ctx *sim.Ctx, ev string) {
	from := s.machine.Current()
	_ = s.machine.Fire(ctx, ev) // Fault: a refused event panics, naming it
	if to := s.machine.Current(); to != from {
		ctx.Record(sim.KindNote, ctx.Self(), "state "+from+" -> "+to+" ("+ev+")", nil)
	}
}
