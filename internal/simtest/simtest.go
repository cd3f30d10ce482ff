// Package simtest is the kit the actor tests share: a system that closes itself
// when the test ends, an actor that records what it receives, a stand-in for
// services/fxaccounts/FxAccountsManager.jsm (as test_firefox_accounts.js's
// MockFXAManager stood in for it), and the RSA issuer keys, made once per test
// binary because a 2048-bit key costs tens of milliseconds.
//
// It stands for no historic component; production code never imports it.
package simtest

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// New starts a system with seed and spawns actors on it; the system is closed
// when the test ends.
func New(tb testing.TB, seed uint64, actors map[sim.Addr]sim.Handler) *sim.System {
	tb.Helper()
	sys := sim.New(sim.Options{Seed: seed})
	tb.Cleanup(func() { require.NoError(tb, sys.Close()) })
	for a, h := range actors {
		require.NoError(tb, sys.Spawn(a, h), "spawn %s", a)
	}
	return sys
}

// Deliver sends one message and runs the system until it is idle.
func Deliver(tb testing.TB, sys *sim.System, from, to sim.Addr, name string, payload any) {
	tb.Helper()
	require.NoError(tb, sys.Send(sim.Message{Name: name, From: from, To: to, Payload: payload}))
	require.NoError(tb, sys.RunUntilIdle())
}

// Faults are the system's faults as text (panics, refused payloads).
func Faults(sys *sim.System) []string {
	var out []string
	for _, f := range sys.Faults() {
		out = append(out, f.Error())
	}
	return out
}

// Recorder is an actor that keeps every message it receives. Read it while
// the system is idle.
type Recorder struct {
	Got []sim.Message
}

// Receive keeps m.
func (r *Recorder) Receive(_ *sim.Ctx, m sim.Message) { r.Got = append(r.Got, m) }

// Names are the names of the messages received, in order.
func (r *Recorder) Names() []string {
	out := make([]string, len(r.Got))
	for i, m := range r.Got {
		out[i] = m.Name
	}
	return out
}

// Payloads are the payloads of the messages received, in order.
func (r *Recorder) Payloads() []any {
	out := make([]any, len(r.Got))
	for i, m := range r.Got {
		out[i] = m.Payload
	}
	return out
}

// Assertion is what Manager's getAssertion resolves with for a signed-in user.
const Assertion = "fake-assertion"

// Manager stands in for FxAccountsManager, for the actors that call it
// (FirefoxAccounts.jsm, FxAccountsMgmtService): it answers at once, from the
// fields below, which a test may change while the system is idle.
type Manager struct {
	SignedIn bool
	// Fail, when set, is the reason getAssertion rejects with.
	Fail any
	// Hold keeps every getAssertion that is not silent unanswered (Held
	// counts them): a flow waiting on the dialog.
	Hold bool
	Held int
	// WrongPassword is the password signIn/signUp refuse with INVALID_PASSWORD.
	WrongPassword string
	// Got are the names of the calls received, in order.
	Got []string
}

// Receive answers the call.
func (mm *Manager) Receive(ctx *sim.Ctx, m sim.Message) {
	mm.Got = append(mm.Got, m.Name)
	switch m.Name {
	case wire.GetAssertion:
		c, ok := wire.Read[wire.GetAssertionCall](ctx, m)
		if !ok {
			return
		}
		switch {
		case mm.Hold && !c.Options.Silent:
			mm.Held++
		case mm.Fail != nil:
			promise.Reject(ctx, m.From, m.Name, c.Call, mm.Fail)
		case mm.SignedIn:
			promise.Resolve(ctx, m.From, m.Name, c.Call, Assertion)
		default:
			promise.Resolve(ctx, m.From, m.Name, c.Call, nil)
		}
	case wire.SignOut:
		if c, ok := wire.Read[wire.SignOutCall](ctx, m); ok {
			mm.SignedIn = false
			promise.Resolve(ctx, m.From, m.Name, c.Call, nil)
		}
	case wire.SignIn, wire.SignUp:
		c, ok := wire.Read[wire.Credentials](ctx, m)
		if !ok {
			return
		}
		if mm.WrongPassword != "" && c.Password == mm.WrongPassword {
			promise.Reject(ctx, m.From, m.Name, c.Call, wire.NewError("INVALID_PASSWORD", nil))
			return
		}
		mm.SignedIn = true
		promise.Resolve(ctx, m.From, m.Name, c.Call, wire.O("user", wire.O("email", c.Email, "verified", true)))
	case wire.QueryAccount, wire.ResendVerification:
		// As the manager after a server error: resolved with undefined.
		if c, ok := wire.Read[wire.EmailCall](ctx, m); ok {
			promise.Resolve(ctx, m.From, m.Name, c.Call, wire.Undefined)
		}
	case wire.GetAccount:
		if c, ok := wire.Read[wire.PlainCall](ctx, m); ok {
			promise.Resolve(ctx, m.From, m.Name, c.Call, nil)
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

// The RSA keys the tests share, made on first use, once per test binary.
var (
	issuerKey      = sync.OnceValue(func() *rsa.PrivateKey { return newKey(2048) })
	otherIssuerKey = sync.OnceValue(func() *rsa.PrivateKey { return newKey(2048) })
	rsa1024Key     = sync.OnceValue(func() *rsa.PrivateKey { return newKey(1024) })
)

// newKey panics when the system's random source fails: no test can go on.
func newKey(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic("simtest: RSA key: " + err.Error())
	}
	return k
}

// IssuerKey is a 2048-bit RSA key standing for the FxA server's signing key.
func IssuerKey() *rsa.PrivateKey { return issuerKey() }

// OtherIssuerKey is a second 2048-bit RSA key: some other issuer.
func OtherIssuerKey() *rsa.PrivateKey { return otherIssuerKey() }

// RSA1024Key is a 1024-bit RSA key (an RS128 issuer).
func RSA1024Key() *rsa.PrivateKey { return rsa1024Key() }
