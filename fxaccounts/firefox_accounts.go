// Package fxaccounts is the Gecko side of Firefox Accounts on Firefox OS:
//
//   - FirefoxAccounts: toolkit/identity/FirefoxAccounts.jsm, the RP service behind
//     navigator.mozId for wantIssuer "firefox-accounts" (2015, [F-v3]).
//   - FxAccountsManager: services/fxaccounts/FxAccountsManager.jsm, the b2g state
//     manager whose getAssertion decides login, logout, error or UI ([M-C]).
//   - FxAccounts: services/fxaccounts/FxAccounts.jsm, the signed-in user, key pair
//     and certificate caches, verification polling and assertion minting ([F-2]).
//   - ServerLink: FxAccountsClient.jsm + hawkclient.js, the device's HTTP calls to
//     the FxA auth server (subpackages authserver and fxaclient).
//
// Each is an actor: its state is touched only on its own goroutine.
package fxaccounts

import (
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// rpFlow is one watched window (an entry of _rpFlows).
type rpFlow struct {
	ctx            wire.RPMessage
	pendingRequest bool
}

// FirefoxAccounts is toolkit/identity/FirefoxAccounts.jsm ([F-v3]).
type FirefoxAccounts struct {
	era era.Era
	// flows keeps insertion order: the JS Map the observers iterate is ordered, and
	// a Go map would make "request() for every flow" nondeterministic.
	flows map[string]*rpFlow
	order []string
	calls promise.Calls
}

// NewFirefoxAccounts creates the RP service actor (address wire.FirefoxAccounts).
func NewFirefoxAccounts(opts ...Option) *FirefoxAccounts {
	return &FirefoxAccounts{era: configure(opts).era, flows: make(map[string]*rpFlow)}
}

// Receive handles DOMIdentity's RP calls, the manager's answers and the fxaccounts notifications.
func (f *FirefoxAccounts) Receive(ctx *sim.Ctx, m sim.Message) {
	if f.calls.Settle(ctx, m) {
		return
	}
	switch m.Name {
	case wire.RPWatch, wire.RPRequest, wire.RPLogout:
		msg, ok := wire.Read[wire.RPMessage](ctx, m)
		if !ok {
			return
		}
		switch m.Name {
		case wire.RPWatch:
			f.watch(ctx, m.From, msg)
		case wire.RPRequest:
			f.request(ctx, msg.ID, &msg)
		default:
			f.logout(ctx, msg.ID)
		}
	case wire.RPUnwatch:
		msg, ok := wire.Read[wire.UnwatchMessage](ctx, m)
		if !ok {
			return
		}
		f.unwatch(msg.ID)
	case wire.NotifyOnVerified, wire.NotifyOnLogin:
		if m.Name == wire.NotifyOnLogin && !f.era.LoginLogoutNotifications() {
			ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name+" (FirefoxAccounts F-v1 observes only fxaccounts:onverified)")
			return
		}
		// F-v1/F-v2: a login or verification elsewhere re-runs request() for every flow.
		for _, id := range f.flowIDs() {
			f.request(ctx, id, nil)
		}
	case wire.NotifyOnLogout:
		if !f.era.LoginLogoutNotifications() {
			ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name+" (FirefoxAccounts F-v1 observes only fxaccounts:onverified)")
			return
		}
		for _, id := range f.flowIDs() {
			f.do(ctx, wire.DoLogout, wire.RPCallback{ID: id})
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

func (f *FirefoxAccounts) flowIDs() []string { return append([]string(nil), f.order...) }

// FlowCount is the number of watched windows (the test hook xpcshell tests count).
func (f *FirefoxAccounts) FlowCount() int { return len(f.flows) }

func (f *FirefoxAccounts) watch(ctx *sim.Ctx, domIdentity sim.Addr, msg wire.RPMessage) {
	if _, exists := f.flows[msg.ID]; !exists {
		f.order = append(f.order, msg.ID)
	}
	f.flows[msg.ID] = &rpFlow{ctx: msg}
	id := msg.ID
	opts := wire.AssertionOptions{Silent: true}
	principal := f.principal(msg.Principal)
	f.calls.Send(ctx, wire.FxAccountsManager, wire.GetAssertion, wire.GetAssertionCall{Audience: msg.Audience, Principal: principal, Options: opts}, func(ctx *sim.Ctx, ok bool, v any) {
		if !ok {
			ctx.Record(sim.KindNote, ctx.Self(), "get silent assertion failed", v)
			f.do(ctx, wire.DoError, wire.RPCallback{ID: id, Message: v})
			return // no doReady on a silent failure (S3)
		}
		if a, isString := v.(string); isString && a != "" {
			f.do(ctx, wire.DoLogin, wire.RPCallback{ID: id, Assertion: &a})
		} else {
			f.do(ctx, wire.DoLogout, wire.RPCallback{ID: id})
		}
		f.do(ctx, wire.DoReady, wire.RPCallback{ID: id})
	})
}

// request is RP.request(id, options); options is nil when an observer re-runs it.
func (f *FirefoxAccounts) request(ctx *sim.Ctx, id string, reqMsg *wire.RPMessage) {
	flow, ok := f.flows[id]
	if !ok {
		ctx.Record(sim.KindNote, ctx.Self(), "request() called before watch()", id)
		return
	}
	if f.era.PendingRequest() && flow.pendingRequest {
		// F-v3: avoid a duplicated onlogin/oncancel for one window (S12).
		ctx.Record(sim.KindNote, ctx.Self(), "request() already called", id)
		return
	}
	flow.pendingRequest = true
	// makeMessageObject(flow) overlaid with the request's own fields: the request's
	// refreshAuthentication wins, the watch's is the fallback.
	opts := wire.AssertionOptions{RefreshAuthentication: flow.ctx.Options.RefreshAuthentication, Extra: flow.ctx.Options.Extra.Clone()}
	if reqMsg != nil {
		if reqMsg.Options.RefreshAuthentication != nil {
			opts.RefreshAuthentication = reqMsg.Options.RefreshAuthentication
		}
		opts.Silent = reqMsg.Options.Silent
		for _, kv := range reqMsg.Options.Extra {
			opts.Extra = opts.Extra.Set(kv.Key, kv.Value)
		}
	}
	audience, principal := flow.ctx.Audience, f.principal(flow.ctx.Principal)
	f.calls.Send(ctx, wire.FxAccountsManager, wire.GetAssertion, wire.GetAssertionCall{Audience: audience, Principal: principal, Options: opts}, func(ctx *sim.Ctx, ok bool, v any) {
		if ok {
			cb := wire.RPCallback{ID: id}
			if a, isString := v.(string); isString {
				cb.Assertion = &a
			}
			f.do(ctx, wire.DoLogin, cb) // even for null (e.g. blocked while refreshing)
		} else if f.isCancel(v) {
			f.do(ctx, wire.DoCancel, wire.RPCallback{ID: id})
		} else {
			f.do(ctx, wire.DoError, wire.RPCallback{ID: id, Message: v})
		}
		if f.era.PendingRequest() {
			f.cleanupRPRequest(ctx, flow)
		}
	})
}

// cleanupRPRequest ([F-v3], Floorp@8daffa24 FirefoxAccounts.jsm) clears
// pendingRequest and writes the flow back with _rpFlows.set(id, rp): a window
// unwatched while its request was pending comes back as a flow (at the end of
// the Map's order), and later onlogin/onverified notifications request
// assertions for it. Its callbacks go to a window that is gone.
func (f *FirefoxAccounts) cleanupRPRequest(ctx *sim.Ctx, flow *rpFlow) {
	flow.pendingRequest = false
	id := flow.ctx.ID
	if cur, ok := f.flows[id]; ok && cur == flow {
		return
	}
	if _, ok := f.flows[id]; !ok {
		ctx.Record(sim.KindNote, ctx.Self(), "cleanupRPRequest: the unwatched flow is set again", id)
		f.order = append(f.order, id)
	}
	f.flows[id] = flow
}

// principal is what getAssertion gets: [F-v3] passes the window's principal,
// [F-v1] getAssertion(audience, options) none.
func (f *FirefoxAccounts) principal(p wire.Principal) *wire.Principal {
	if !f.era.PrincipalToManager() {
		return nil
	}
	return &p
}

// isCancel is F-v2/F-v3's test: the sign-in path carries the reason in
// error.details, the refresh path one level deeper in error.error.details.
// [F-v0]/[F-v1] (P79N6A/gecko-dev-comments-removed@0c7ec9c8 request) test
// error.details.error: [G-1] rejects with the whole {id, error} detail.
func (f *FirefoxAccounts) isCancel(reason any) bool {
	e, ok := reason.(*wire.FxAError)
	if !ok {
		return false
	}
	if !f.era.NestedCancel() {
		d, isObj := e.Details.(wire.Obj)
		v, _ := d.Get("error")
		return isObj && v == wire.DialogClosedByUser
	}
	if inner, nested := e.Error.(*wire.FxAError); nested && inner.Details == wire.DialogClosedByUser {
		return true
	}
	return e.Details == wire.DialogClosedByUser
}

func (f *FirefoxAccounts) logout(ctx *sim.Ctx, id string) {
	if _, ok := f.flows[id]; !ok {
		ctx.Record(sim.KindNote, ctx.Self(), "logout() called before watch()", id)
		return
	}
	// Per-RP logout is meaningless in FxA: the whole device account signs out. There
	// is no rejection handler, so a failed signOut gives the page nothing.
	f.calls.Send(ctx, wire.FxAccountsManager, wire.SignOut, wire.SignOutCall{}, func(ctx *sim.Ctx, ok bool, v any) {
		if ok {
			f.do(ctx, wire.DoLogout, wire.RPCallback{ID: id})
		}
	})
}

func (f *FirefoxAccounts) unwatch(id string) {
	if _, ok := f.flows[id]; !ok {
		return
	}
	delete(f.flows, id)
	for i, o := range f.order {
		if o == id {
			f.order = append(f.order[:i], f.order[i+1:]...)
			break
		}
	}
}

// do calls the RPWatchContext method; a flow that is gone (unwatched) drops it.
// The flow holds the context object, so the call names its window.
func (f *FirefoxAccounts) do(ctx *sim.Ctx, method string, cb wire.RPCallback) {
	flow, ok := f.flows[cb.ID]
	if !ok {
		ctx.Record(sim.KindNote, ctx.Self(), method+" found no rp to go with callerId "+cb.ID, nil)
		return
	}
	cb.Target, cb.MM = flow.ctx.Target, flow.ctx.MM
	ctx.Send(wire.DOMIdentity, method, cb)
}
