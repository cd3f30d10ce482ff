package gaia

import (
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// FxAccountsClient is apps/system/js/fxa_client.js: each request becomes a
// mozFxAccountsContentEvent {id: uuid, data: {method, email, password}} to Gecko's
// FxAccountsMgmtService, and the mozFxAccountsChromeEvent with the same id runs
// that request's callback. (The listener bookkeeping, eventCount, has no
// observable effect here and is left out.)
type FxAccountsClient struct {
	pending map[string]clientRequest
	era     era.Era
}

type clientRequest struct {
	replyTo sim.Addr
	method  string
	call    uint64
}

// clientMethods is the fxa_client.js API the simulator lets through.
var clientMethods = map[string]bool{
	"getAccounts": true, "logout": true, ClientQueryAccount: true, ClientSignIn: true, ClientSignUp: true,
	"verificationStatus": true, "resendVerificationEmail": true,
}

// NewFxAccountsClient creates the actor (address wire.SystemFxAccountsClient).
func NewFxAccountsClient() *FxAccountsClient {
	return &FxAccountsClient{pending: make(map[string]clientRequest)}
}

// Receive handles requests from the module and Gecko's replies.
func (c *FxAccountsClient) Receive(ctx *sim.Ctx, m sim.Message) {
	if m.Name == wire.MozFxAccountsChromeEvent {
		if ev, ok := wire.Read[wire.MgmtChromeEvent](ctx, m); ok {
			c.onChromeEvent(ctx, ev)
		}
		return
	}
	if !clientMethods[m.Name] {
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
		return
	}
	call, ok := wire.Read[ClientCall](ctx, m)
	if !ok {
		return
	}
	id := ctx.UUID()
	c.pending[id] = clientRequest{replyTo: m.From, method: m.Name, call: call.Call}
	ctx.Send(wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent,
		wire.ContentEvent{ID: id, Method: m.Name, Email: call.Email, Password: call.Password, AccountKey: accountKey(c.era)})
}

func (c *FxAccountsClient) onChromeEvent(ctx *sim.Ctx, ev wire.MgmtChromeEvent) {
	if ev.ID == "" {
		ctx.Record(sim.KindNote, ctx.Self(), "Got chrome event without id!", nil)
		return
	}
	req, found := c.pending[ev.ID]
	if !found {
		ctx.Record(sim.KindNote, ctx.Self(), "chrome event for nobody", ev.ID)
		return
	}
	delete(c.pending, ev.ID)
	switch {
	case !ev.HasError: // data !== undefined: null is a success too
		promise.Resolve(ctx, req.replyTo, req.method, req.call, ev.Data)
	case wire.Truthy(ev.Error):
		promise.Reject(ctx, req.replyTo, req.method, req.call, ev.Error)
	default:
		// Neither data nor a truthy error: no callback runs and the caller waits forever.
		ctx.Record(sim.KindNote, ctx.Self(), "chrome event with neither data nor error: no callback", ev.ID)
	}
}

// accountKey names the content event's account member in era e (era.AccountIDKey).
func accountKey(e era.Era) string {
	if e.AccountIDKey() {
		return wire.AccountIDKey
	}
	return ""
}
