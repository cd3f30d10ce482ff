package fxaccounts

import (
	"context"
	"errors"
	"time"

	"github.com/mozidsim/mozidsim/fxaccounts/fxaclient"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// ErrnoToError is SERVER_ERRNO_TO_ERROR; "" for errnos it does not map.
func ErrnoToError(errno int) string { return fxaclient.ErrnoToError(errno) }

// ServerLink is the device's network path to the FxA auth server: FxAccountsClient.jsm
// and hawkclient.js doing HTTP. It is an actor so that the trace shows each request
// as a hop to "FxA server" and its answer as the hop back, and so that network
// faults and delays live in one place.
type ServerLink struct {
	client  *fxaclient.Client
	offline bool
	// Delay holds answers back by this much virtual time (a slow server).
	delay time.Duration
}

// NewServerLink creates the link (address wire.FxAServer) over a client.
func NewServerLink(c *fxaclient.Client, offline bool) *ServerLink {
	return &ServerLink{client: c, offline: offline}
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
		l.offline = m.Payload.(wire.NetworkStatus).Offline
		return
	case SetDelayName:
		l.delay = m.Payload.(SetDelay).Delay
		return
	case delayedAnswer:
		a := m.Payload.(pendingAnswer)
		l.answer(ctx, a)
		return
	}
	req, ok := m.Payload.(wire.ServerRequest)
	if !ok {
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
		return
	}
	a := pendingAnswer{to: m.From, op: m.Name, call: req.Call}
	if l.offline {
		a.result = &wire.ServerError{Code: 0, Errno: 998, Error: "NETWORK_ERROR", Message: "offline"}
	} else {
		a.result, a.ok = l.do(req)
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

// do runs the HTTP exchange. The in-memory transport makes it synchronous and
// deterministic; a real server (--fxa-url) makes it a real socket round trip.
func (l *ServerLink) do(r wire.ServerRequest) (any, bool) {
	c := context.Background()
	var (
		v   any
		err error
	)
	switch r.Op {
	case wire.OpAccountLogin, wire.OpAccountCreate:
		var res *fxaclient.SignInResult
		if r.Op == wire.OpAccountLogin {
			res, err = l.client.SignIn(c, r.Email, r.Password)
		} else {
			res, err = l.client.SignUp(c, r.Email, r.Password)
		}
		if res != nil {
			v = wire.SignInResult{UID: res.UID, SessionToken: res.SessionToken, Verified: res.Verified, AuthAt: res.AuthAt, Email: res.Email}
		}
	case wire.OpAccountExists:
		v, err = l.client.AccountExists(c, r.Email)
	case wire.OpAccountStatus:
		v, err = l.client.AccountStatus(c, r.UID)
	case wire.OpEmailStatus:
		var st wire.EmailStatus
		st.Email, st.Verified, err = l.client.RecoveryEmailStatus(c, r.SessionToken)
		v = st
	case wire.OpResendCode:
		err = l.client.ResendVerificationEmail(c, r.SessionToken)
	case wire.OpSessionDestroy:
		err = l.client.SignOut(c, r.SessionToken)
	case wire.OpCertSign:
		pub, _ := r.PublicKey.(*browserid.PublicKey)
		v, err = l.client.SignCertificate(c, r.SessionToken, pub, time.Duration(r.Duration)*time.Millisecond)
	default:
		return &wire.ServerError{Code: 400, Errno: 999, Error: "UNKNOWN_ERROR", Message: "unknown operation " + r.Op}, false
	}
	if err != nil {
		return toWireError(err), false
	}
	return v, true
}

// toWireError turns a client error into the parsed server JSON the JS code saw.
func toWireError(err error) *wire.ServerError {
	var se *fxaclient.ServerError
	if errors.As(err, &se) {
		return &wire.ServerError{Code: se.Code, Errno: se.Errno, Error: se.Error, Message: se.Message, Info: se.Info, RetryAfter: se.RetryAfter}
	}
	return &wire.ServerError{Code: 0, Errno: 999, Error: "UNKNOWN_ERROR", Message: err.Error()}
}
