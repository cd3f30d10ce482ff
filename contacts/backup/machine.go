package backup

import (
	"context"
	"errors"
	"fmt"

	"github.com/looplab/fsm"

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

// Events is the service's machine as one table: read top to bottom it is
// backup.js's process()/backup()/getCredentials()/provision()/upload(), with the
// sync extensions.
func Events() fsm.Events {
	return fsm.Events{
		{Name: evStart, Src: []string{stIdle, stStopped}, Dst: stAccount},
		{Name: evRetry, Src: []string{stWaiting}, Dst: stAccount},
		{Name: evNoUser, Src: []string{stAccount}, Dst: stStopped},
		// Credentials: provision when there are none, or once after a 401.
		{Name: evProvision, Src: []string{stAccount, stReconciling, stPushing, stPulling}, Dst: stProvisioning},
		// A new address book (or the switch back ON): compare everything first.
		{Name: evReconcile, Src: []string{stAccount, stProvisioning}, Dst: stReconciling},
		// Push the queue in batches...
		{Name: evLoad, Src: []string{stAccount, stProvisioning, stReconciling, stPushing, stApplying}, Dst: stLoading},
		{Name: evPush, Src: []string{stLoading}, Dst: stPushing},
		// ...then pull what other devices did (sync, restore).
		{Name: evPull, Src: []string{stAccount, stProvisioning, stReconciling, stPushing}, Dst: stPulling},
		{Name: evApply, Src: []string{stPulling}, Dst: stApplying},
		{Name: evDone, Src: []string{stAccount, stProvisioning, stReconciling, stPushing, stApplying}, Dst: stIdle},
		// Trouble.
		{Name: evBackoff, Src: working, Dst: stWaiting},
		{Name: evGiveUp, Src: working, Dst: stStopped},
		// The switch.
		{Name: evSwitchOff, Src: append([]string{stIdle, stWaiting, stStopped}, working...), Dst: stOff},
		{Name: evSwitchOn, Src: []string{stOff}, Dst: stIdle},
	}
}

// NewMachine returns the machine in its start state (also for diagrams).
func NewMachine() *fsm.FSM { return fsm.NewFSM(stIdle, Events(), nil) }

// fire moves the machine; an event the table refuses is a bug in this package.
func (s *Service) fire(ctx *sim.Ctx, ev string) {
	from := s.machine.Current()
	err := s.machine.Event(context.Background(), ev)
	var same fsm.NoTransitionError
	if err != nil && !errors.As(err, &same) {
		panic(fmt.Sprintf("contacts backup: event %q in state %q: %v", ev, from, err))
	}
	if to := s.machine.Current(); to != from {
		ctx.Record(sim.KindNote, ctx.Self(), "state "+from+" -> "+to+" ("+ev+")", nil)
	}
}
