// Package phoneinternal is the door from mozidsim's own servers into a public
// phone.Phone. `mozidsim serve` (package webphone) builds its phone with
// package phone, as an RP's Go test does, and drives it through the public
// API; two needs remain that the public API keeps to itself because they are
// made of internal types: building the phone of a parsed world file with
// serve's own seed, era and clock, and the recorder every event goes to (to
// read back the message a page's call sent). It stands for no historic
// component.
//
// Package phone sets New when it is initialised, and nothing writes it after
// (the hook pattern of golang.org/x/tools' internal packages): a package that
// uses New imports package phone, so New is set before it can be called.
package phoneinternal

import (
	"time"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/scenarios"
)

// World is the phone to build: a world file's accounts and device (its apps
// and steps are the caller's business) with the caller's seed, era and start.
type World struct {
	Scenario *scenarios.Scenario
	Seed     uint64
	Era      era.Era
	Start    time.Time // zero: the virtual clock's default start
}

// Parts are what the public API keeps to itself.
type Parts struct {
	Recorder *sim.MemRecorder // every event of the trace, from the start
}

// New builds a *phone.Phone (returned as any: this package cannot name the
// type without an import cycle) and its parts.
var New func(w World) (phone any, parts Parts, err error)
