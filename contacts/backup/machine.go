package backup

import (
	"github.com/mozidsim/mozidsim/internal/machine"
	"github.com/mozidsim/mozidsim/internal/sim"
)

// The service's states: what it is doing. Status().State is one of them, so
// they are exported (St<Name>, machine's naming convention).
const (
	StIdle         = "idle"
	StAccount      = "account"      // FxAccountsManager.getAccount()
	StProvisioning = "provisioning" // getAssertion + POST /browserid/login (or finding the user's own book)
	StReconciling  = "reconciling"  // mozContacts.getAll(): what the server does not have
	StLoading      = "loading"      // mozContacts.find() for a batch of queued changes
	StPushing      = "pushing"      // PUT / DELETE
	StPulling      = "pulling"      // sync-collection (or PROPFIND) + multiget
	StApplying     = "applying"     // remote versions being saved into mozContacts
	StWaiting      = "waiting"      // a retry timer is armed (virtual time)
	StStopped      = "stopped"      // gave up quietly until the next change
	StOff          = "off"          // the switch is OFF
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

var working = []string{StAccount, StProvisioning, StReconciling, StLoading, StPushing, StPulling, StApplying}

// ServiceMachine is the service's machine as one table: read top to bottom it
// is backup.js's process()/backup()/getCredentials()/provision()/upload(), with
// the sync extensions. Its refused-event policy is Fault: the service fires
// each event right after deciding it, so a refused one is a bug in this
// package, and carrying on could push or delete the wrong contacts.
var ServiceMachine = machine.Register(machine.Spec{
	Name:    "contacts-backup",
	Title:   "The contacts backup service",
	File:    "apps/system/services/contacts/js/backup.js",
	Initial: StIdle,
	Refused: machine.Fault,
	Events: []machine.Event{
		{Name: evStart, From: []string{StIdle, StStopped}, To: StAccount},
		{Name: evRetry, From: []string{StWaiting}, To: StAccount},
		{Name: evNoUser, From: []string{StAccount}, To: StStopped},
		// Credentials: provision when there are none, or once after a 401.
		{Name: evProvision, From: []string{StAccount, StReconciling, StPushing, StPulling}, To: StProvisioning},
		// A new address book (or the switch back ON): compare everything first.
		{Name: evReconcile, From: []string{StAccount, StProvisioning}, To: StReconciling},
		// Push the queue in batches...
		{Name: evLoad, From: []string{StAccount, StProvisioning, StReconciling, StPushing, StApplying}, To: StLoading},
		{Name: evPush, From: []string{StLoading}, To: StPushing},
		// ...then pull what other devices did (sync, restore).
		{Name: evPull, From: []string{StAccount, StProvisioning, StReconciling, StPushing}, To: StPulling},
		{Name: evApply, From: []string{StPulling}, To: StApplying},
		{Name: evDone, From: []string{StAccount, StProvisioning, StReconciling, StPushing, StApplying}, To: StIdle},
		// Trouble.
		{Name: evBackoff, From: working, To: StWaiting},
		{Name: evGiveUp, From: working, To: StStopped},
		// The switch.
		{Name: evSwitchOff, From: append([]string{StIdle, StWaiting, StStopped}, working...), To: StOff},
		{Name: evSwitchOn, From: []string{StOff}, To: StIdle},
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
