// Package stubphone builds contacts phones on internal/simtest/fxastub's stand-in FxA
// side, for tests of the backup service that need no whole device. It stands
// for no historic component, and only tests import it: no command builds the
// stand-in.
package stubphone

import (
	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest/fxastub"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// New builds a contacts phone on a bare system (opts: seed, start, trace)
// whose FxA side is fxa's stand-in manager, with user signed in ("" for
// nobody): the contacts store and backup service without the whole device,
// for the backup's own tests. A scenario's phones are internal/device phones
// (device.Config.Contacts).
func New(fxa *fxastub.Server, name string, opts sim.Options, user string, cfg backup.Config, clock *phone.Clock) (*phone.Phone, error) {
	sys := sim.New(opts)
	if err := sys.Spawn(wire.FxAccountsManager, fxa.NewManager(user, contacts.Backup)); err != nil {
		sys.Close()
		return nil, err
	}
	p, err := phone.Attach(name, sys, cfg, clock)
	if err != nil {
		sys.Close()
		return nil, err
	}
	p.SignIn = func(email, password string) error {
		return send(sys, wire.SettingsSignIn, wire.Credentials{Email: email, Password: password})
	}
	p.SignOut = func() error { return send(sys, wire.SettingsSignOut, nil) }
	return p, nil
}

// send is the user at the Settings app, which the stand-in manager answers.
func send(sys *sim.System, name string, payload any) error {
	if err := sys.Send(sim.Message{Name: name, From: wire.User, To: wire.FxAccountsManager, Payload: payload}); err != nil {
		return err
	}
	return sys.RunUntilIdle()
}
