package gaia

import (
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Settings is the Settings app's Firefox Accounts panel (apps/settings,
// fxa panel), signing the device account in and out. Historically it went through
// FxAccountsIACHelper and the System app; here it sends the management service's
// content events itself, since no IAC is simulated.
type Settings struct {
	pending map[string]string // content event id -> method
	era     era.Era
}

// NewSettings creates the actor (address wire.Settings).
func NewSettings() *Settings { return &Settings{pending: make(map[string]string)} }

// Receive handles the user's sign-in/out and Gecko's answers.
func (s *Settings) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case wire.SettingsSignIn:
		cr, ok := wire.Read[wire.Credentials](ctx, m)
		if !ok {
			return
		}
		s.send(ctx, wire.ContentEvent{Method: ClientSignIn, Email: cr.Email, Password: cr.Password})
	case wire.SettingsSignOut:
		s.send(ctx, wire.ContentEvent{Method: "logout"})
	case wire.MozFxAccountsChromeEvent:
		ev, ok := wire.Read[wire.MgmtChromeEvent](ctx, m)
		if !ok {
			return
		}
		method, found := s.pending[ev.ID]
		if !found {
			ctx.Record(sim.KindNote, ctx.Self(), "chrome event for nobody", ev.ID)
			return
		}
		delete(s.pending, ev.ID)
		if ev.HasError {
			ctx.Record(sim.KindNote, ctx.Self(), method+" failed", ev.Error)
			return
		}
		ctx.Record(sim.KindNote, ctx.Self(), method+" succeeded", ev.Data)
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

func (s *Settings) send(ctx *sim.Ctx, ev wire.ContentEvent) {
	ev.ID, ev.AccountKey = ctx.UUID(), accountKey(s.era)
	s.pending[ev.ID] = ev.Method
	ctx.Send(wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, ev)
}
