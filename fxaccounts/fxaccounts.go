package fxaccounts

import (
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Timing constants of FxAccountsCommon.js / FxAccounts.jsm, 2015 ([C-2], [F-2]).
const (
	AssertionLifetime  = 25 * 365 * 24 * time.Hour // the cert, not the assertion, is the real limit
	AssertionUsePeriod = 5 * time.Minute           // cached key/cert must stay valid this long
	CertLifetime       = 6 * time.Hour
	KeyLifetime        = 12 * time.Hour
	PollSession        = 20 * time.Minute
	PollInitial        = 5 * time.Second  // VERIFICATION_POLL_TIMEOUT_INITIAL, for the first 2 minutes
	PollSubsequent     = 15 * time.Second // VERIFICATION_POLL_TIMEOUT_SUBSEQUENT
	pollInitialPeriod  = 2 * time.Minute
)

// ErrDifferentUser is AccountState's rejection when the account changed mid-flight.
const ErrDifferentUser = "A different user signed in"

const pollTimer = "pollEmailStatus"

// Observers of the fxaccounts notifications (Services.obs subscribers).
var (
	onLoginObservers  = []sim.Addr{wire.FirefoxAccounts, wire.FxAccountsMgmtService}
	onLogoutObservers = []sim.Addr{wire.FirefoxAccounts, wire.FxAccountsManager, wire.FxAccountsMgmtService}
)

type cachedKey struct {
	key        *browserid.DSAKey
	validUntil time.Time
}

type cachedCert struct {
	cert       string
	validUntil time.Time
}

// FxAccounts is services/fxaccounts/FxAccounts.jsm ([F-2]): the signed-in user,
// the in-memory key pair and certificate, and assertion minting.
type FxAccounts struct {
	user       *wire.AccountData // signedInUser.json
	generation uint64            // bumps on every sign-in/out: AccountState identity
	keyPair    *cachedKey
	cert       *cachedCert
	offline    bool

	pollStart time.Time
	pollTimer sim.TimerID
	polling   bool

	calls promise.Calls
}

// NewFxAccounts creates the actor (address wire.FxAccounts) with an optional stored user.
func NewFxAccounts(user *wire.AccountData, offline bool) *FxAccounts {
	f := &FxAccounts{offline: offline}
	if user != nil {
		u := *user
		f.user = &u
	}
	return f
}

// Receive handles the manager's calls, server answers, timers and network changes.
func (f *FxAccounts) Receive(ctx *sim.Ctx, m sim.Message) {
	if f.calls.Settle(ctx, m) {
		return
	}
	switch m.Name {
	case wire.GetSignedInUser:
		c, ok := wire.Read[wire.PlainCall](ctx, m)
		if !ok {
			return
		}
		var v any
		if f.user != nil {
			u := *f.user
			v = &u
			if !u.Verified {
				f.startPolling(ctx)
			}
		}
		promise.Resolve(ctx, m.From, m.Name, c.Call, v)
	case wire.SetSignedInUser:
		c, ok := wire.Read[wire.SetSignedInUserCall](ctx, m)
		if !ok {
			return
		}
		f.setSignedInUser(ctx, c.User)
		promise.Resolve(ctx, m.From, m.Name, c.Call, nil)
	case wire.SignOut:
		c, ok := wire.Read[wire.SignOutCall](ctx, m)
		if !ok {
			return
		}
		f.signOut(ctx, c.LocalOnly)
		promise.Resolve(ctx, m.From, m.Name, c.Call, nil)
	case wire.GetAssertion:
		c, ok := wire.Read[wire.GetAssertionCall](ctx, m)
		if !ok {
			return
		}
		f.getAssertion(ctx, c.Audience, func(ctx *sim.Ctx, ok bool, v any) {
			if ok {
				promise.Resolve(ctx, m.From, wire.GetAssertion, c.Call, v)
			} else {
				promise.Reject(ctx, m.From, wire.GetAssertion, c.Call, v)
			}
		})
	case wire.AccountStatus:
		if c, ok := wire.Read[wire.PlainCall](ctx, m); ok {
			f.accountStatus(ctx, m.From, c.Call)
		}
	case pollTimer:
		f.pollEmailStatus(ctx)
	case wire.NotifyNetwork:
		if st, ok := wire.Read[wire.NetworkStatus](ctx, m); ok {
			f.offline = st.Offline
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

func notify(ctx *sim.Ctx, topic string, data string, observers []sim.Addr) {
	for _, o := range observers {
		ctx.Send(o, topic, wire.Notification{Data: data})
	}
}

// setSignedInUser aborts the previous account's flow, stores the new one, tells the
// observers and starts polling for verification when needed.
// SignedInUser is the stored user (nil: nobody). Read it only on the actor's
// goroutine (sim.System.Invoke).
func (f *FxAccounts) SignedInUser() *wire.AccountData { return f.user }

func (f *FxAccounts) setSignedInUser(ctx *sim.Ctx, u wire.AccountData) {
	f.abort(ctx)
	f.user = &u
	notify(ctx, wire.NotifyOnLogin, "", onLoginObservers)
	if !u.Verified {
		f.startPolling(ctx)
	}
}

func (f *FxAccounts) abort(ctx *sim.Ctx) {
	f.generation++
	f.keyPair, f.cert = nil, nil
	if f.polling {
		ctx.CancelTimer(f.pollTimer)
		f.polling = false
	}
}

func (f *FxAccounts) signOut(ctx *sim.Ctx, localOnly bool) {
	token := ""
	if f.user != nil {
		token = f.user.SessionToken
	}
	f.abort(ctx)
	f.user = nil
	if !localOnly && token != "" && !f.offline {
		// Best effort, in the background: nobody waits for it.
		f.calls.Send(ctx, wire.FxAServer, wire.OpSessionDestroy, wire.ServerRequest{Op: wire.OpSessionDestroy, SessionToken: token}, func(*sim.Ctx, bool, any) {})
	}
	notify(ctx, wire.NotifyOnLogout, "", onLogoutObservers)
}

// getAssertion is FxAccounts.getAssertion(audience): key pair, certificate, assertion.
func (f *FxAccounts) getAssertion(ctx *sim.Ctx, audience string, done promise.Then) {
	if f.user == nil || !f.user.Verified {
		done(ctx, true, nil) // no user or not verified: null, not an error
		return
	}
	gen := f.generation
	now := ctx.Now()
	mustBeValidUntil := now.Add(AssertionUsePeriod)
	if f.keyPair == nil || !f.keyPair.validUntil.After(mustBeValidUntil) {
		key, err := browserid.GenerateDSAKey(ctx.RandReader())
		if err != nil {
			done(ctx, false, &wire.JSError{Message: err.Error()})
			return
		}
		f.keyPair = &cachedKey{key: key, validUntil: now.Add(KeyLifetime)}
		f.cert = nil // a new key needs a new certificate
	}
	key := f.keyPair.key
	mint := func(ctx *sim.Ctx, cert string) {
		if gen != f.generation {
			done(ctx, false, &wire.JSError{Message: ErrDifferentUser})
			return
		}
		a, err := browserid.SignAssertion(key, audience, ctx.Now().Add(AssertionLifetime))
		if err != nil {
			done(ctx, false, &wire.JSError{Message: err.Error()})
			return
		}
		done(ctx, true, browserid.Bundle([]string{cert}, a))
	}
	if f.cert != nil && f.cert.validUntil.After(mustBeValidUntil) {
		mint(ctx, f.cert.cert)
		return
	}
	if f.offline {
		done(ctx, false, &wire.JSError{Message: ErrOffline})
		return
	}
	token := f.user.SessionToken
	requestedAt := now // validUntil counts from before the request
	f.calls.Send(ctx, wire.FxAServer, wire.OpCertSign, wire.ServerRequest{Op: wire.OpCertSign, SessionToken: token, PublicKey: key.Public(), Duration: CertLifetime.Milliseconds()}, func(ctx *sim.Ctx, ok bool, v any) {
		if gen != f.generation {
			done(ctx, false, &wire.JSError{Message: ErrDifferentUser})
			return
		}
		if !ok {
			done(ctx, false, v) // unchanged: the manager looks for errno 110
			return
		}
		cert, _ := v.(string)
		f.cert = &cachedCert{cert: cert, validUntil: requestedAt.Add(CertLifetime)}
		mint(ctx, cert)
	})
}

func (f *FxAccounts) accountStatus(ctx *sim.Ctx, replyTo sim.Addr, call uint64) {
	if f.user == nil {
		promise.Resolve(ctx, replyTo, wire.AccountStatus, call, false)
		return
	}
	uid := f.user.UID
	f.calls.Send(ctx, wire.FxAServer, wire.OpAccountStatus, wire.ServerRequest{Op: wire.OpAccountStatus, UID: uid}, func(ctx *sim.Ctx, ok bool, v any) {
		if ok {
			promise.Resolve(ctx, replyTo, wire.AccountStatus, call, v)
		} else {
			promise.Reject(ctx, replyTo, wire.AccountStatus, call, v)
		}
	})
}

// startPolling begins pollEmailStatus unless it is already running.
func (f *FxAccounts) startPolling(ctx *sim.Ctx) {
	if f.polling {
		return
	}
	f.polling = true
	f.pollStart = ctx.Now()
	f.pollTimer = ctx.After(PollInitial, pollTimer, nil)
}

func (f *FxAccounts) pollEmailStatus(ctx *sim.Ctx) {
	f.polling = false
	if f.user == nil || f.user.Verified {
		return
	}
	if ctx.Now().Sub(f.pollStart) >= PollSession {
		ctx.Record(sim.KindNote, ctx.Self(), "stopped polling for verification", nil)
		return
	}
	if f.offline {
		f.again(ctx, 0)
		return
	}
	gen, token := f.generation, f.user.SessionToken
	f.polling = true // a request is out; no second poll loop
	f.calls.Send(ctx, wire.FxAServer, wire.OpEmailStatus, wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: token}, func(ctx *sim.Ctx, ok bool, v any) {
		f.polling = false
		if gen != f.generation || f.user == nil {
			return
		}
		if !ok {
			se, _ := v.(*wire.ServerError)
			if se != nil && se.Code == 401 {
				return // an invalid session stops polling
			}
			retry := 0
			if se != nil {
				retry = se.RetryAfter
			}
			f.again(ctx, retry)
			return
		}
		st, _ := v.(wire.EmailStatus)
		if !st.Verified {
			f.again(ctx, 0)
			return
		}
		f.user.Verified = true
		notify(ctx, wire.NotifyUpdate, wire.NotifyOnVerified, []sim.Addr{wire.FxAccountsManager})
	})
}

// again schedules the next poll: 5 s for the first two minutes, then 15 s; a server
// retryAfter wins, plus 3 s.
func (f *FxAccounts) again(ctx *sim.Ctx, retryAfter int) {
	wait := PollSubsequent
	if ctx.Now().Sub(f.pollStart) < pollInitialPeriod {
		wait = PollInitial
	}
	if retryAfter > 0 {
		wait = time.Duration(retryAfter+3) * time.Second
	}
	f.polling = true
	f.pollTimer = ctx.After(wait, pollTimer, nil)
}
