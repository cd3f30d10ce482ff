package identity

import (
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Notes DOMIdentity records, byte for byte what DOMIdentity.jsm logged (or threw).
const (
	NotePermissionDenied   = `Error("PERMISSION_DENIED")`
	NoteFxADisabled        = "WARNING: Firefox Accounts is not enabled; Defaulting to BrowserID"
	NoteNoContextRequest   = "No context in which to call request(); Did you call watch() first?"
	NoteNoContextLogout    = "No context in which to call logout(); Did you call watch() first?"
	NoteFrameClosed        = "Cannot sendAsyncMessage because the recipient frame has closed"
	noteGetServicePrefix   = "ERROR: getService called before newContext for "
	noteCantUnwatchPrefix  = "Can't find a service to unwatch() for "
	noteContextMissingData = "id and origin are required for RP watch context"
)

// rpWatchContext is RPWatchContext: the watch message as DOMIdentity keeps it, with
// the page's message manager (Target) and principal.
type rpWatchContext struct {
	msg wire.RPMessage
}

// DOMIdentityOption configures DOMIdentity.
type DOMIdentityOption func(*DOMIdentity)

// FxAEnabled is the identity.fxaccounts.enabled pref (default true). With it off,
// wantIssuer "firefox-accounts" silently falls back to BrowserID (S6).
func FxAEnabled(on bool) DOMIdentityOption { return func(d *DOMIdentity) { d.fxaEnabled = on } }

// DOMIdentityEra makes DOMIdentity the one of era e (era.Default when not given).
func DOMIdentityEra(e era.Era) DOMIdentityOption { return func(d *DOMIdentity) { d.era = era.Of(e) } }

// PermissionFunc answers testPermissionFromPrincipal(principal, "firefox-accounts").
// The default is wire.PermissionOf the principal; scenarios
// that grant the permission (as the 2015 mochitests did) pass their own.
func PermissionFunc(f func(wire.Principal) wire.Permission) DOMIdentityOption {
	return func(d *DOMIdentity) { d.permission = f }
}

// DOMIdentity is dom/identity/DOMIdentity.jsm (P-late, 2015): the parent-process
// singleton that receives every page's Identity:RP:* messages, checks the
// firefox-accounts permission, keeps one RPWatchContext per window and routes each
// RP call to FirefoxAccounts.jsm or to the BrowserID service (MinimalIdentity). The
// service answers with do* calls, which DOMIdentity turns into
// Identity:RP:Watch:On* messages to the page. Address: wire.DOMIdentity.
type DOMIdentity struct {
	era        era.Era
	fxaEnabled bool
	permission func(wire.Principal) wire.Permission
	// contexts is _serviceContexts (window id -> context); mmContexts is
	// _mmContexts (message manager -> window id), which keeps ONE id per manager.
	contexts   map[string]*rpWatchContext
	mmContexts map[sim.Addr]string
}

// NewDOMIdentity creates the DOMIdentity actor.
func NewDOMIdentity(opts ...DOMIdentityOption) *DOMIdentity {
	d := &DOMIdentity{
		era:        era.Default,
		fxaEnabled: true,
		permission: wire.PermissionOf,
		contexts:   make(map[string]*rpWatchContext),
		mmContexts: make(map[sim.Addr]string),
	}
	for _, o := range opts {
		o(d)
	}
	return d
}

// ContextCount is the number of windows with a watch context (a test hook).
func (d *DOMIdentity) ContextCount() int { return len(d.contexts) }

// Receive handles page messages (Identity:RP:*) and service callbacks (do*).
func (d *DOMIdentity) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case wire.MsgRPWatch, wire.MsgRPRequest, wire.MsgRPLogout:
		msg, ok := wire.Read[wire.RPMessage](ctx, m)
		if !ok {
			return
		}
		if d.era.ParentPermissionCheck() && !d.hasPermission(msg) {
			// receiveMessage throws in the parent: no context, no callback, ever (S5).
			ctx.Record(sim.KindNote, ctx.Self(), NotePermissionDenied, m.Name)
			return
		}
		switch m.Name {
		case wire.MsgRPWatch:
			d.watch(ctx, msg)
		case wire.MsgRPRequest:
			d.forward(ctx, wire.RPRequest, msg.ID, msg, NoteNoContextRequest)
		case wire.MsgRPLogout:
			d.forward(ctx, wire.RPLogout, msg.ID, msg, NoteNoContextLogout)
		}
	case wire.MsgRPUnwatch:
		msg, ok := wire.Read[wire.UnwatchMessage](ctx, m)
		if !ok {
			return
		}
		d.unwatch(ctx, msg)
	case wire.DoLogin, wire.DoLogout, wire.DoReady, wire.DoCancel, wire.DoError:
		cb, ok := wire.Read[wire.RPCallback](ctx, m)
		if !ok {
			return
		}
		d.callback(ctx, m.Name, cb)
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

// hasPermission: only messages asking for firefox-accounts are checked; without a
// principal they are refused; otherwise anything but UNKNOWN or DENY passes.
func (d *DOMIdentity) hasPermission(msg wire.RPMessage) bool {
	if msg.WantIssuer != wire.WantIssuerFxA {
		return true
	}
	if msg.Principal.Origin == "" {
		return false
	}
	p := d.permission(msg.Principal)
	return p != wire.PermUnknown && p != wire.PermDeny
}

func (d *DOMIdentity) watch(ctx *sim.Ctx, msg wire.RPMessage) {
	if msg.ID == "" || msg.Origin == "" {
		ctx.Record(sim.KindNote, ctx.Self(), noteContextMissingData, msg.ID)
		return
	}
	d.contexts[msg.ID] = &rpWatchContext{msg: msg}
	// newContext: ONE id per message manager, so a second watching window of
	// the same process overwrites the first's entry.
	d.mmContexts[mmOf(msg.MM, msg.Target)] = msg.ID
	if service, ok := d.service(ctx, msg.ID); ok {
		ctx.Send(service, wire.RPWatch, msg)
	}
}

// forward is _request/_logout: the service chosen at watch time gets the call.
func (d *DOMIdentity) forward(ctx *sim.Ctx, method, id string, msg wire.RPMessage, noContext string) {
	service, ok := d.service(ctx, id)
	if !ok {
		ctx.Record(sim.KindNote, ctx.Self(), noContext, id)
		return
	}
	ctx.Send(service, method, msg)
}

func (d *DOMIdentity) unwatch(ctx *sim.Ctx, msg wire.UnwatchMessage) {
	service, ok := d.service(ctx, msg.ID)
	if !ok {
		ctx.Record(sim.KindNote, ctx.Self(), noteCantUnwatchPrefix+msg.ID, nil)
		return
	}
	ctx.Send(service, wire.RPUnwatch, msg)
	if !d.era.UnwatchDeletesContext() {
		return // the 2014 handler only tells the service ([P-early]/[P-mid])
	}
	// [P-late] deleteContextForMM: by message manager, not by the message's id.
	// With two watching windows in one process this drops the OTHER window's
	// context (the last to watch there), and later request()/logout() from it
	// find no context.
	mm := mmOf(msg.MM, msg.Target)
	delete(d.contexts, d.mmContexts[mm])
	delete(d.mmContexts, mm)
}

// mmOf is the message manager a message came through: the window's own
// address stands for a process of its own.
func mmOf(mm, target sim.Addr) sim.Addr {
	if mm != "" {
		return mm
	}
	return target
}

// service is getService: FirefoxAccounts for a firefox-accounts context when the
// pref is on, the BrowserID service otherwise.
func (d *DOMIdentity) service(ctx *sim.Ctx, id string) (sim.Addr, bool) {
	c, ok := d.contexts[id]
	if !ok {
		ctx.Record(sim.KindNote, ctx.Self(), noteGetServicePrefix+id, nil)
		return "", false
	}
	if c.msg.WantIssuer == wire.WantIssuerFxA {
		if d.fxaEnabled {
			return wire.FirefoxAccounts, true
		}
		ctx.Record(sim.KindNote, ctx.Self(), NoteFxADisabled, id)
	}
	return wire.MinimalIdentity, true
}

var callbackMessages = map[string]string{
	wire.DoLogin:  wire.MsgOnLogin,
	wire.DoLogout: wire.MsgOnLogout,
	wire.DoReady:  wire.MsgOnReady,
	wire.DoCancel: wire.MsgOnCancel,
	wire.DoError:  wire.MsgOnError,
}

// callback is RPWatchContext.do*: send the matching message on the page's own
// message manager. A page that has gone away swallows it (P-late's
// NS_ERROR_NOT_INITIALIZED guard), so late callbacks vanish.
//
// The service holds the RPWatchContext object itself, so a do* call that
// names its target reaches the window whether or not DOMIdentity still has an
// entry for it (deleteContextForMM may have dropped it). A window that is gone
// while its process lives on is not an error: the child drops a message whose
// id is no window's.
func (d *DOMIdentity) callback(ctx *sim.Ctx, method string, cb wire.RPCallback) {
	target, mm := cb.Target, cb.MM
	if target == "" {
		c, ok := d.contexts[cb.ID]
		if !ok {
			ctx.Record(sim.KindNote, ctx.Self(), method+": no RP watch context for "+cb.ID, nil)
			return
		}
		target, mm = c.msg.Target, c.msg.MM
	}
	if !ctx.Has(target) {
		if mm != "" && mm != target {
			ctx.Record(sim.KindNote, ctx.Self(), "child message manager "+string(mm)+": no window with id "+cb.ID, callbackMessages[method])
			return
		}
		ctx.Record(sim.KindNote, ctx.Self(), NoteFrameClosed, callbackMessages[method])
		return
	}
	ctx.Send(target, callbackMessages[method], wire.RPCallback{ID: cb.ID, Assertion: cb.Assertion, Message: cb.Message})
}

// Controller notifications MinimalIdentity emits (observer topics).
const (
	NoteControllerWatch   = "identity-controller-watch"
	NoteControllerRequest = "identity-controller-request"
	NoteControllerLogout  = "identity-controller-logout"
)

// MinimalIdentity stands for toolkit/identity/MinimalIdentity.jsm, the BrowserID
// (Persona) service on B2G. Persona is out of scope: the real module only notified
// the hosted Persona shim through observer topics, and the shim decided the rest.
// This stub records those notifications as notes and never answers, so a Persona
// page gets no callback unless a test puts its own actor at wire.MinimalIdentity
// (as the mochitests' _mockIdentityService did).
type MinimalIdentity struct{}

// NewMinimalIdentity creates the stub.
func NewMinimalIdentity() *MinimalIdentity { return &MinimalIdentity{} }

// Receive records identity-controller-* notes for watch, request and logout.
func (MinimalIdentity) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case wire.RPWatch:
		ctx.Record(sim.KindNote, ctx.Self(), NoteControllerWatch, m.Payload)
	case wire.RPRequest:
		ctx.Record(sim.KindNote, ctx.Self(), NoteControllerRequest, m.Payload)
	case wire.RPLogout:
		ctx.Record(sim.KindNote, ctx.Self(), NoteControllerLogout, m.Payload)
	}
}
