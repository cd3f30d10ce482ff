package gaia

import (
	"fmt"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// FxAccountsManager is the System app's apps/system/js/fxa_manager.js (V5, 2015):
// its handleEvent for mozFxAccountsUnsolChromeEvent. The IAC side (onPortMessage)
// has no simulated clients, so relays to the fxa-mgmt port are notes.
type FxAccountsManager struct{ era era.Era }

// Receive handles Gecko's chrome events and FxAccountsUI's callbacks.
func (f *FxAccountsManager) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case wire.MozFxAccountsUnsolChromeEvent:
		if ev, ok := wire.Read[wire.UnsolChromeEvent](ctx, m); ok {
			f.handleEvent(ctx, ev)
		}
	case CallbackSuccess, CallbackError:
		ans, ok := wire.Read[FlowAnswer](ctx, m)
		if !ok {
			return
		}
		// The callbacks close over message.id and dispatch the content event Gecko waits for.
		if m.Name == CallbackSuccess {
			ctx.Send(wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent, wire.RPContentEvent{ID: ans.Ref, Result: ans.Value})
		} else {
			ctx.Send(wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent, wire.RPContentEvent{ID: ans.Ref, Error: ans.Value, HasError: true})
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

func (f *FxAccountsManager) handleEvent(ctx *sim.Ctx, ev wire.UnsolChromeEvent) {
	switch ev.EventName {
	case wire.EventOpenFlow:
		ctx.Send(wire.SystemFxAccountsUI, MethodLogin, FlowRequest{Ref: ev.ID})
	case wire.EventRefreshAuthentication:
		// fxa_manager.js V2 (March 2014, ozten/gaia@bb3e602d fxa_manager.js
		// handleEvent) reads message.data.accountId; from V3 (mid-2014) on,
		// message.data.email.
		key, missing := "email", "No email specified"
		if f.era.AccountIDKey() {
			key, missing = "accountId", "No account id specified"
		}
		raw, _ := ev.Data.Get(key)
		if !wire.Truthy(raw) {
			// Historic quirk (gaia-fxa §11.2): log and return; Gecko's promise never settles.
			ctx.Record(sim.KindNote, ctx.Self(), missing, "refreshAuthentication "+ev.ID+" gets no reply")
			return
		}
		email, isString := raw.(string)
		if !isString {
			email = fmt.Sprint(raw) // string concatenation in loadFlow
		}
		ctx.Send(wire.SystemFxAccountsUI, MethodRefreshAuthentication, FlowRequest{Ref: ev.ID, Email: email})
	case "onlogin", "onverified", "onlogout":
		// sendPortMessage({eventName}) silently does nothing without an fxa-mgmt port.
		ctx.Record(sim.KindNote, ctx.Self(), "sendPortMessage", wire.O("eventName", ev.EventName))
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored chrome event", ev.EventName)
	}
}
