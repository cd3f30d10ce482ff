package fxaccounts

import (
	"time"

	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Backend performs one request against the FxA auth server: in memory
// (authserver.Server.Do) or over HTTP with Hawk.
type Backend interface {
	Do(r wire.ServerRequest) (any, *wire.ServerError)
}

// ServerLink is the device's network path to the FxA auth server: FxAccountsClient.jsm
// and hawkclient.js doing HTTP. It is an actor so that the trace shows each request
// as a hop to "FxA server" and its answer as the hop back, and so that network
// faults and delays live in one place.
type ServerLink struct {
	backend Backend
	offline bool
	// Delay holds answers back by this much virtual time (a slow server).
	delay time.Duration
}

// NewServerLink creates the link (address wire.FxAServer) over a backend.
func NewServerLink(b Backend, offline bool) *ServerLink {
	return &ServerLink{backend: b, offline: offline}
}

// SetDelay is a driver message payload: answers from now on wait this long.
type SetDelay struct{ Delay time.Duration }

// SetDelayName is the message that carries SetDelay.
const SetDelayName = "link:set-delay"

const delayedAnswer = "link:answer"

type pendingAnswer struct {
	to     sim.Addr
	op     string
	call   uint64
	ok     bool
	result any
}

// Receive performs one request per message.
func (l *ServerLink) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case wire.NotifyNetwork:
		if st, ok := wire.Read[wire.NetworkStatus](ctx, m); ok {
			l.offline = st.Offline
		}
		return
	case SetDelayName:
		if d, ok := wire.Read[SetDelay](ctx, m); ok {
			l.delay = d.Delay
		}
		return
	case delayedAnswer:
		if a, ok := wire.Read[pendingAnswer](ctx, m); ok {
			l.answer(ctx, a)
		}
		return
	}
	// The message is named by the auth server operation (wire.Op*).
	if _, isOp := wire.Messages[m.Name].(wire.ServerRequest); !isOp {
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
		return
	}
	req, ok := wire.Read[wire.ServerRequest](ctx, m)
	if !ok {
		return
	}
	a := pendingAnswer{to: m.From, op: m.Name, call: req.Call}
	if l.offline {
		a.result = &wire.ServerError{Code: 0, Errno: 998, Error: "NETWORK_ERROR", Message: "offline"}
	} else {
		res, err := l.backend.Do(req)
		a.result, a.ok = res, err == nil
		if err != nil {
			a.result = err
		}
	}
	if l.delay > 0 {
		ctx.After(l.delay, delayedAnswer, a)
		return
	}
	l.answer(ctx, a)
}

func (l *ServerLink) answer(ctx *sim.Ctx, a pendingAnswer) {
	if a.ok {
		promise.Resolve(ctx, a.to, a.op, a.call, a.result)
	} else {
		promise.Reject(ctx, a.to, a.op, a.call, a.result)
	}
}
