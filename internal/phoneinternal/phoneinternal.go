// Package phoneinternal is the door from mozidsim's own servers into a public
// phone.Phone. `mozidsim serve` (package webphone) builds its phone with
// package phone, as an RP's Go test does, but also needs what the public API
// keeps to itself because it is made of internal types: the assembled device
// (to note remarks in the trace on a page's behalf, to read the dialog's busy
// flag and the issuer's key) and the recorder every event goes to (to read the
// message a page's call sent). It stands for no historic component.
//
// Package phone sets New when it is initialised, and nothing writes it after
// (the hook pattern of golang.org/x/tools' internal packages): a package that
// uses New imports package phone, so New is set before it can be called.
package phoneinternal

import (
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/sim"
)

// Parts are what a phone is made of.
type Parts struct {
	Device   *device.Device
	Recorder *sim.MemRecorder // every event of the trace, from the start
}

// New builds a *phone.Phone (returned as any: this package cannot name the
// type without an import cycle) from a device configuration, and its parts.
// A configuration without a Recorder gets a fresh one.
var New func(cfg device.Config) (phone any, parts Parts, err error)
