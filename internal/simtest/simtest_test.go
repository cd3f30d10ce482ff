package simtest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// caller asks the manager what a test wants and keeps the answers.
type caller struct {
	calls   promise.Calls
	answers []string
}

func (c *caller) Receive(ctx *sim.Ctx, m sim.Message) {
	if c.calls.Settle(ctx, m) {
		return
	}
	p, _ := m.Payload.(wire.Callable)
	c.calls.Send(ctx, wire.FxAccountsManager, m.Name, p, func(_ *sim.Ctx, ok bool, v any) {
		s, _ := wire.JSONStringify(v)
		if v == wire.Undefined {
			s = "undefined"
		}
		if ok {
			c.answers = append(c.answers, m.Name+" resolved "+s)
		} else {
			c.answers = append(c.answers, m.Name+" rejected "+s)
		}
	})
}

func TestManagerAnswersLikeFxAccountsManager(t *testing.T) {
	mgr := &Manager{WrongPassword: "wrong"}
	c := &caller{}
	sys := New(t, 1, map[sim.Addr]sim.Handler{wire.FxAccountsManager: mgr, "caller": c})
	ask := func(name string, p wire.Callable) { Deliver(t, sys, wire.World, "caller", name, p) }

	ask(wire.GetAssertion, wire.GetAssertionCall{Audience: "a"})
	ask(wire.SignIn, wire.Credentials{Email: "a@b.c", Password: "wrong"})
	ask(wire.SignIn, wire.Credentials{Email: "a@b.c", Password: "right"})
	require.True(t, mgr.SignedIn)
	ask(wire.GetAssertion, wire.GetAssertionCall{Audience: "a"})
	mgr.Fail = wire.NewError("OFFLINE", nil)
	ask(wire.GetAssertion, wire.GetAssertionCall{Audience: "a"})
	mgr.Fail, mgr.Hold = nil, true
	ask(wire.GetAssertion, wire.GetAssertionCall{Audience: "a"})
	ask(wire.GetAssertion, wire.GetAssertionCall{Audience: "a", Options: wire.AssertionOptions{Silent: true}})
	ask(wire.QueryAccount, wire.EmailCall{Email: "a@b.c"})
	ask(wire.GetAccount, wire.PlainCall{})
	ask(wire.SignOut, wire.SignOutCall{})
	require.False(t, mgr.SignedIn)
	require.Equal(t, 1, mgr.Held)
	require.Equal(t, []string{
		"getAssertion resolved null",
		`signIn rejected {"error":"INVALID_PASSWORD"}`,
		`signIn resolved {"user":{"email":"a@b.c","verified":true}}`,
		`getAssertion resolved "fake-assertion"`,
		`getAssertion rejected {"error":"OFFLINE"}`,
		`getAssertion resolved "fake-assertion"`, // silent calls are never held
		"queryAccount resolved undefined",
		"getAccount resolved null",
		"signOut resolved null",
	}, c.answers)
	require.Equal(t, []string{"getAssertion", "signIn", "signIn", "getAssertion", "getAssertion", "getAssertion", "getAssertion", "queryAccount", "getAccount", "signOut"}, mgr.Got)
	require.Empty(t, Faults(sys))

	Deliver(t, sys, wire.World, wire.FxAccountsManager, wire.SignIn, "not credentials")
	require.Equal(t, []string{`sim: actor FxAccountsManager: message "signIn" carries string, want wire.Credentials`}, Faults(sys))
}

func TestRecorderKeepsEveryMessage(t *testing.T) {
	r := &Recorder{}
	sys := New(t, 1, map[sim.Addr]sim.Handler{"r": r})
	Deliver(t, sys, "a", "r", "one", 1)
	Deliver(t, sys, "b", "r", "two", nil)
	require.Equal(t, []string{"one", "two"}, r.Names())
	require.Equal(t, []any{1, nil}, r.Payloads())
	require.Equal(t, sim.Addr("b"), r.Got[1].From)
}

func TestKeysAreSharedAndDistinct(t *testing.T) {
	require.Same(t, IssuerKey(), IssuerKey())
	require.NotEqual(t, IssuerKey().N, OtherIssuerKey().N)
	require.Equal(t, 2048, IssuerKey().N.BitLen())
	require.Equal(t, 2048, OtherIssuerKey().N.BitLen())
	require.Equal(t, 1024, RSA1024Key().N.BitLen())
}
