// Package uiglue is the b2g/components bridge between Gecko's Firefox Accounts code
// and the Gaia System app:
//
//   - FxAccountsUIGlue: b2g/components/FxAccountsUIGlue.js with
//     ContentRequestHelper.jsm ([G-3], 2015): asks the System app for the sign-in or
//     refresh-auth UI with mozFxAccountsUnsolChromeEvent and waits for the matching
//     mozFxAccountsRPContentEvent.
//   - FxAccountsMgmtService: b2g/components/FxAccountsMgmtService.jsm: serves the
//     System app's account requests (mozFxAccountsContentEvent) from
//     FxAccountsManager and re-emits the fxaccounts notifications to Gaia.
package uiglue

import (
	"strings"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// ErrWrongContentEvent prefixes the rejection of a listener that saw another request's answer.
const ErrWrongContentEvent = "InternalErrorWrongContentEvent "

// listener is one ContentRequestHelper.contentRequest waiting for its answer.
type listener struct {
	id      string
	replyTo sim.Addr
	method  string
	call    uint64
}

// FxAccountsUIGlue is b2g/components/FxAccountsUIGlue.js ([G-3]).
type FxAccountsUIGlue struct {
	era       era.Era
	listeners []listener
}

// Option configures the UI glue.
type Option func(*FxAccountsUIGlue)

// InEra makes the glue the version of era e: [G-1] for 2014, [G-3] for 2015.
func InEra(e era.Era) Option { return func(g *FxAccountsUIGlue) { g.era = era.Of(e) } }

// NewFxAccountsUIGlue creates the actor (address wire.FxAccountsUIGlue).
func NewFxAccountsUIGlue(opts ...Option) *FxAccountsUIGlue {
	g := &FxAccountsUIGlue{era: era.Default}
	for _, o := range opts {
		o(g)
	}
	return g
}

// Receive handles UI requests from FxAccountsManager and the System app's answers.
func (g *FxAccountsUIGlue) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case wire.SignInFlow:
		if c, ok := wire.Read[wire.PlainCall](ctx, m); ok {
			g.contentRequest(ctx, m.From, m.Name, c.Call, wire.EventOpenFlow, nil)
		}
	case wire.RefreshAuthentication:
		c, ok := wire.Read[wire.EmailCall](ctx, m)
		if !ok {
			return
		}
		// [G-1] refreshAuthentication(accountId) sends data {accountId}; [G-3] {email}.
		key := "email"
		if g.era.AccountIDKey() {
			key = wire.AccountIDKey
		}
		g.contentRequest(ctx, m.From, m.Name, c.Call, wire.EventRefreshAuthentication, wire.O(key, c.Email))
	case wire.MozFxAccountsRPContentEvent:
		if ev, ok := wire.Read[wire.RPContentEvent](ctx, m); ok {
			g.onContentEvent(ctx, ev)
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

func (g *FxAccountsUIGlue) contentRequest(ctx *sim.Ctx, replyTo sim.Addr, method string, call uint64, eventName string, data wire.Obj) {
	id := ctx.UUID()
	g.listeners = append(g.listeners, listener{id: id, replyTo: replyTo, method: method, call: call})
	ctx.Send(wire.SystemFxAccountsManager, wire.MozFxAccountsUnsolChromeEvent, wire.UnsolChromeEvent{EventName: eventName, ID: id, Data: data})
}

// onContentEvent runs every one-shot listener on the event: each was registered on
// the same window, so an answer to one request also reaches (and kills) the others.
func (g *FxAccountsUIGlue) onContentEvent(ctx *sim.Ctx, ev wire.RPContentEvent) {
	waiting := g.listeners
	g.listeners = nil
	if len(waiting) == 0 {
		ctx.Record(sim.KindNote, ctx.Self(), "content event with no request waiting", ev.ID)
	}
	for _, l := range waiting {
		switch {
		case (ev.ID == "" || ev.ID != l.id) && g.era.WholeDetailRejection():
			// [G-1] _contentRequest: the bare name, no detail.
			promise.Reject(ctx, l.replyTo, l.method, l.call, strings.TrimSuffix(ErrWrongContentEvent, " "))
		case ev.ID == "" || ev.ID != l.id:
			detail, _ := wire.JSONStringify(contentEventDetail(ev))
			promise.Reject(ctx, l.replyTo, l.method, l.call, ErrWrongContentEvent+detail)
		case failed(ev) && g.era.WholeDetailRejection():
			// [G-1] (lissyx/mozilla-central@51cc7196 FxAccountsUIGlue.js
			// _contentRequest) rejects with the whole detail {id, error}.
			promise.Reject(ctx, l.replyTo, l.method, l.call, wire.O("id", ev.ID, "error", ev.Error))
		case failed(ev):
			promise.Reject(ctx, l.replyTo, l.method, l.call, ev.Error) // the bare error, e.g. "DIALOG_CLOSED_BY_USER"
		case ev.HasError: // {id, error: <falsy>}: msg.result is undefined
			promise.Resolve(ctx, l.replyTo, l.method, l.call, wire.Undefined)
		default:
			promise.Resolve(ctx, l.replyTo, l.method, l.call, ev.Result)
		}
	}
}

// failed is the listener's `if (msg.error)` ([G-1] _contentRequest, [G-3]
// contentRequest): a falsy error is no failure, and the request resolves with
// msg.result, which such a detail lacks (undefined).
func failed(ev wire.RPContentEvent) bool { return ev.HasError && wire.Truthy(ev.Error) }

func contentEventDetail(ev wire.RPContentEvent) wire.Obj { return ev.JSObject() }

// FxAccountsMgmtService is b2g/components/FxAccountsMgmtService.jsm.
type FxAccountsMgmtService struct {
	calls promise.Calls
	// window are the System window's listeners for unsolicited chrome events:
	// fxa_manager.js, and whatever other System app code listens (on a phone the
	// event is dispatched on the window, to every listener).
	window []sim.Addr
}

// NewFxAccountsMgmtService creates the actor (address wire.FxAccountsMgmtService).
// The System app's fxa_manager always hears the unsolicited events; listeners are
// other System app actors that listen on the same window.
func NewFxAccountsMgmtService(listeners ...sim.Addr) *FxAccountsMgmtService {
	return &FxAccountsMgmtService{window: append([]sim.Addr{wire.SystemFxAccountsManager}, listeners...)}
}

// Receive handles content events from Gaia, manager answers and notifications.
func (s *FxAccountsMgmtService) Receive(ctx *sim.Ctx, m sim.Message) {
	if s.calls.Settle(ctx, m) {
		return
	}
	switch m.Name {
	case wire.MozFxAccountsContentEvent:
		if ev, ok := wire.Read[wire.ContentEvent](ctx, m); ok {
			s.onContentEvent(ctx, m.From, ev)
		}
	case wire.NotifyOnLogin, wire.NotifyOnVerified, wire.NotifyOnLogout:
		// The topic without its "fxaccounts:" prefix: onlogin, onverified, onlogout.
		ev := wire.UnsolChromeEvent{EventName: m.Name[len("fxaccounts:"):]}
		for _, to := range s.window {
			ctx.Send(to, wire.MozFxAccountsUnsolChromeEvent, ev)
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

func (s *FxAccountsMgmtService) onContentEvent(ctx *sim.Ctx, from sim.Addr, ev wire.ContentEvent) {
	if ev.ID == "" {
		ctx.Record(sim.KindNote, ctx.Self(), "content event without id or data ignored", nil)
		return
	}
	var method string
	var call wire.Callable
	switch ev.Method {
	case "getAccounts", "getAccount":
		method, call = wire.GetAccount, wire.PlainCall{}
	case "logout":
		method, call = wire.SignOut, wire.SignOutCall{}
	case "queryAccount":
		method, call = wire.QueryAccount, wire.EmailCall{Email: ev.Email}
	case "resendVerificationEmail":
		method, call = wire.ResendVerification, wire.EmailCall{Email: ev.Email}
	case "signIn", "signUp", "refreshAuthentication":
		// Gaia's refresh flow signs in through signIn, allowed while _refreshing.
		method = wire.SignIn
		if ev.Method == "signUp" {
			method = wire.SignUp
		}
		call = wire.Credentials{Email: ev.Email, Password: ev.Password}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "unknown method "+ev.Method, nil)
		return
	}
	id := ev.ID
	s.calls.Send(ctx, wire.FxAccountsManager, method, call, func(ctx *sim.Ctx, ok bool, v any) {
		// _onFulfill / _onReject (2014 and 2015 alike): {id, data: aData ? aData : null}
		// or {id, error: aReason ? aReason : null}.
		if !wire.Truthy(v) {
			v = nil
		}
		if ok {
			ctx.Send(from, wire.MozFxAccountsChromeEvent, wire.MgmtChromeEvent{ID: id, Data: v})
			return
		}
		ctx.Send(from, wire.MozFxAccountsChromeEvent, wire.MgmtChromeEvent{ID: id, Error: v, HasError: true})
	})
}
