package gaia

import (
	"fmt"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// FxAccountsUI is apps/system/js/fxa_ui.js (callback form, with the 2015 reset
// that reports Home as DIALOG_CLOSED_BY_USER). It holds one pair of callbacks:
// a second login while a flow is open overwrites them, so the first caller never
// hears back (gaia-fxa quirk §11.1).
type FxAccountsUI struct {
	era            era.Era
	closeAnimation time.Duration
	closing        bool     // close() is waiting for animationend
	caller         sim.Addr // who gets onsuccessCb/onerrorCb
	ref            string
	hasCallbacks   bool
	iframe         bool       // the module iframe is in the panel
	module         *FxaModule // the handler behind the iframe (read by DialogState)
}

// NewFxAccountsUI creates the actor (address wire.SystemFxAccountsUI).
func NewFxAccountsUI() *FxAccountsUI { return &FxAccountsUI{} }

// maxDeferrals bounds waiting for an old iframe to go away; it is gone after one
// round unless something other than FxAccountsUI owns the module address.
const maxDeferrals = 3

// Receive handles flow requests, the module's outcome and the dialog's onHide.
func (u *FxAccountsUI) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case MethodLogin, MethodRefreshAuthentication:
		if m.From == ctx.Self() { // a request request() put off for a round
			if d, ok := wire.Read[deferredRequest](ctx, m); ok {
				u.request(ctx, d)
			}
			return
		}
		if req, ok := wire.Read[FlowRequest](ctx, m); ok {
			u.request(ctx, deferredRequest{from: m.From, name: m.Name, req: req})
		}
	case EventAnimationEnd:
		u.animationEnd(ctx)
	case MethodDone:
		u.answer(ctx, CallbackSuccess, m.Payload)
	case MethodError:
		u.answer(ctx, CallbackError, m.Payload)
	case MethodReset:
		if hr, ok := wire.Read[HideRequest](ctx, m); ok {
			u.reset(ctx, hr.Reason)
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", fmt.Sprintf("%s (%T)", m.Name, m.Payload))
	}
}

func (u *FxAccountsUI) request(ctx *sim.Ctx, d deferredRequest) {
	if !u.iframe && ctx.Has(wire.FxAModule) {
		// reset() has removed the iframe but its unload is still queued; a new
		// actor cannot take the address until it is gone. In the browser both
		// happen in one turn, so waiting one round changes nothing observable.
		if d.attempts >= maxDeferrals {
			ctx.Record(sim.KindNote, ctx.Self(), "cannot load "+d.name, "another "+string(wire.FxAModule)+" actor holds the address")
			return
		}
		d.attempts++
		ctx.Send(ctx.Self(), d.name, d)
		return
	}
	u.caller, u.ref, u.hasCallbacks = d.from, d.req.Ref, true
	if d.name == MethodLogin {
		u.loadFlow(ctx, FlowLogin, nil)
		return
	}
	// Not URI-encoded, as in fxa_ui.js; keyed accountId until April 2014
	// (gaia-fxa.md §5.1), email later.
	u.loadFlow(ctx, FlowRefreshAuth, []string{refreshParam(u.era) + "=" + d.req.Email})
}

// loadFlow points the iframe at fxa_module.html#<flow>?<params> and shows the dialog.
func (u *FxAccountsUI) loadFlow(ctx *sim.Ctx, flow string, params []string) {
	url := moduleURL + "#" + flow
	if len(params) > 0 {
		url += "?" + strings.Join(params, "&")
	}
	if !u.iframe {
		mod := NewFxaModule()
		mod.era = u.era
		if err := ctx.Spawn(wire.FxAModule, mod); err != nil {
			ctx.Record(sim.KindNote, ctx.Self(), "cannot create the FxA iframe", err.Error())
			return
		}
		u.iframe, u.module = true, mod
	}
	// An open iframe simply navigates to the new src.
	ctx.Send(wire.FxAModule, ModuleLoadEvent, ModuleLoad{URL: url})
	ctx.Send(wire.SystemFxAccountsDialog, MethodShow, nil)
}

// answer is done(data) / error(e): the stored callback, then close().
func (u *FxAccountsUI) answer(ctx *sim.Ctx, callback string, value any) {
	if !u.hasCallbacks {
		// Calling a null callback throws, so close() is never reached either.
		ctx.Record(sim.KindNote, ctx.Self(), "TypeError: this."+callback+" is not a function", value)
		return
	}
	ctx.Send(u.caller, callback, FlowAnswer{Ref: u.ref, Value: value})
	u.close(ctx)
}

// close() adds "closing" to the panel and hides the dialog (no reason) only on
// animationend (mozilla-b2g/gaia@26650467 fxa_ui.js close). A login() or
// refreshAuthentication() arriving meanwhile stores its callbacks and loads its
// flow into the closing panel; the hide then resets it (reason undefined:
// nothing reported), so that request never settles.
func (u *FxAccountsUI) close(ctx *sim.Ctx) {
	if u.closeAnimation == 0 {
		ctx.Send(wire.SystemFxAccountsDialog, MethodHide, HideRequest{})
		return
	}
	if u.closing {
		return // a second listener would also fire; one hide is enough to show it
	}
	u.closing = true
	ctx.Record(sim.KindNote, ctx.Self(), "panel closing: waiting for animationend", u.closeAnimation.String())
	ctx.After(u.closeAnimation, EventAnimationEnd, nil)
}

func (u *FxAccountsUI) animationEnd(ctx *sim.Ctx) {
	if !u.closing {
		return
	}
	u.closing = false
	if u.hasCallbacks {
		ctx.Record(sim.KindNote, ctx.Self(), "animationend resets the panel: the pending flow's callbacks are lost", u.ref)
	}
	ctx.Send(wire.SystemFxAccountsDialog, MethodHide, HideRequest{})
}

// reset is the dialog's onHide: remove the iframe, report Home, forget the callbacks.
func (u *FxAccountsUI) reset(ctx *sim.Ctx, reason string) {
	if u.iframe {
		ctx.Send(wire.FxAModule, ModuleUnloadEvent, nil)
		u.iframe, u.module = false, nil
	}
	// March 2014 (ozten/gaia@bb3e602d fxa_ui.js reset) clears the panel and
	// both callbacks and reports nothing: Home leaves the request unsettled.
	// Later (mozilla-b2g/gaia@26650467) Home and holdhome report
	// DIALOG_CLOSED_BY_USER.
	if u.era != era.Spring2014 && (reason == ReasonHome || reason == ReasonHoldHome) && u.hasCallbacks {
		ctx.Send(u.caller, CallbackError, FlowAnswer{Ref: u.ref, Value: wire.DialogClosedByUser})
	}
	u.caller, u.ref, u.hasCallbacks = "", "", false
}

// refreshParam is the refresh_auth URL parameter naming the account.
func refreshParam(e era.Era) string {
	if e == era.Spring2014 {
		return "accountId"
	}
	return "email"
}
