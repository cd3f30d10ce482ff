package fxaccounts

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testAssertion = "fake-assertion"

// mockManager is test_firefox_accounts.js's MockFXAManager.
type mockManager struct {
	signedIn bool
	fail     any // getAssertion rejects with this when set
}

func (mm *mockManager) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case wire.GetAssertion:
		c := m.Payload.(wire.GetAssertionCall)
		switch {
		case mm.fail != nil:
			promise.Reject(ctx, m.From, m.Name, c.Call, mm.fail)
		case mm.signedIn:
			promise.Resolve(ctx, m.From, m.Name, c.Call, testAssertion)
		default:
			promise.Resolve(ctx, m.From, m.Name, c.Call, nil)
		}
	case wire.SignOut:
		mm.signedIn = false
		promise.Resolve(ctx, m.From, m.Name, m.Payload.(wire.SignOutCall).Call, nil)
	}
}

// rpEvents collects the do* calls FirefoxAccounts makes, like mock_fxa_rp.
type rpEvents struct{ got []string }

func (r *rpEvents) Receive(ctx *sim.Ctx, m sim.Message) {
	cb := m.Payload.(wire.RPCallback)
	line := m.Name
	switch {
	case cb.Assertion != nil:
		line += "(" + *cb.Assertion + ")"
	case m.Name == wire.DoError:
		line += "(" + wire.OnErrorString(cb.Message) + ")"
	}
	r.got = append(r.got, line)
}

type faHarness struct {
	sys *sim.System
	fa  *FirefoxAccounts
	mgr *mockManager
	rp  *rpEvents
}

func newFAHarness(t *testing.T, signedIn bool) *faHarness {
	t.Helper()
	h := &faHarness{sys: sim.New(sim.Options{Seed: 1}), fa: NewFirefoxAccounts(), mgr: &mockManager{signedIn: signedIn}, rp: &rpEvents{}}
	t.Cleanup(func() { h.sys.Close() })
	require.NoError(t, h.sys.Spawn(wire.FirefoxAccounts, h.fa))
	require.NoError(t, h.sys.Spawn(wire.FxAccountsManager, h.mgr))
	require.NoError(t, h.sys.Spawn(wire.DOMIdentity, h.rp))
	return h
}

func (h *faHarness) send(t *testing.T, name string, payload any) {
	t.Helper()
	require.NoError(t, h.sys.Send(sim.Message{Name: name, From: wire.DOMIdentity, To: wire.FirefoxAccounts, Payload: payload}))
	require.NoError(t, h.sys.RunUntilIdle())
}

func watchMsg(id string) wire.RPMessage {
	return wire.RPMessage{ID: id, Origin: "https://myfavoritebacon.com", Audience: "https://myfavoritebacon.com", WantIssuer: wire.WantIssuerFxA}
}

func TestWatchSignedIn(t *testing.T) {
	h := newFAHarness(t, true)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	require.Equal(t, []string{"doLogin(fake-assertion)", "doReady"}, h.rp.got)
}

func TestWatchSignedOut(t *testing.T) {
	h := newFAHarness(t, false)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	require.Equal(t, []string{"doLogout", "doReady"}, h.rp.got)
}

func TestRequestAfterSigningIn(t *testing.T) {
	h := newFAHarness(t, false)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	h.mgr.signedIn = true // the test harness owns the mock between runs
	h.send(t, wire.RPRequest, watchMsg("w1"))
	require.Equal(t, []string{"doLogout", "doReady", "doLogin(fake-assertion)"}, h.rp.got)
}

func TestLogout(t *testing.T) {
	h := newFAHarness(t, true)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	h.send(t, wire.RPLogout, watchMsg("w1"))
	require.Equal(t, []string{"doLogin(fake-assertion)", "doReady", "doLogout"}, h.rp.got)
}

func TestSilentErrorGivesErrorOnlyNoReady(t *testing.T) {
	h := newFAHarness(t, true)
	h.mgr.fail = wire.NewError("UNVERIFIED_ACCOUNT", nil)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	require.Equal(t, []string{`doError({"name":"UNVERIFIED_ACCOUNT"})`}, h.rp.got)
}

func TestCancelDetectionBothShapes(t *testing.T) {
	for name, reason := range map[string]any{
		"sign-in path": wire.NewError(ErrUIError, wire.DialogClosedByUser),
		"refresh path": &wire.FxAError{Error: wire.NewError(ErrUIError, wire.DialogClosedByUser)},
	} {
		t.Run(name, func(t *testing.T) {
			h := newFAHarness(t, false)
			h.send(t, wire.RPWatch, watchMsg("w1"))
			h.mgr.fail = reason
			h.send(t, wire.RPRequest, watchMsg("w1"))
			require.Equal(t, []string{"doLogout", "doReady", "doCancel"}, h.rp.got)
		})
	}
	h := newFAHarness(t, false)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	h.mgr.fail = wire.NewError(ErrUIError, "something else")
	h.send(t, wire.RPRequest, watchMsg("w1"))
	require.Equal(t, []string{"doLogout", "doReady", `doError({"name":"UI_ERROR"})`}, h.rp.got)
}

// A manager that never answers requests keeps pendingRequest up (S12).
type silentManager struct{ requests int }

func (s *silentManager) Receive(ctx *sim.Ctx, m sim.Message) {
	c := m.Payload.(wire.GetAssertionCall)
	if c.Options.Silent {
		promise.Resolve(ctx, m.From, m.Name, c.Call, nil)
		return
	}
	s.requests++
}

func TestDuplicateRequestWhilePendingIsIgnored(t *testing.T) {
	sys := sim.New(sim.Options{})
	defer sys.Close()
	sm := &silentManager{}
	r := &rpEvents{}
	require.NoError(t, sys.Spawn(wire.FirefoxAccounts, NewFirefoxAccounts()))
	require.NoError(t, sys.Spawn(wire.FxAccountsManager, sm))
	require.NoError(t, sys.Spawn(wire.DOMIdentity, r))
	for _, name := range []string{wire.RPWatch, wire.RPRequest, wire.RPRequest} {
		require.NoError(t, sys.Send(sim.Message{Name: name, From: wire.DOMIdentity, To: wire.FirefoxAccounts, Payload: watchMsg("w1")}))
	}
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, 1, sm.requests)
	var notes []string
	for _, e := range sys.Trace() {
		if e.Kind == sim.KindNote {
			notes = append(notes, e.Name)
		}
	}
	require.Contains(t, notes, "request() already called")
}

func TestNotificationsReachEveryFlowInWatchOrder(t *testing.T) {
	h := newFAHarness(t, false)
	h.send(t, wire.RPWatch, watchMsg("b"))
	h.send(t, wire.RPWatch, watchMsg("a"))
	h.rp.got = nil
	h.mgr.signedIn = true
	h.send(t, wire.NotifyOnLogin, wire.Notification{})
	require.Equal(t, []string{"doLogin(fake-assertion)", "doLogin(fake-assertion)"}, h.rp.got)
	h.rp.got = nil
	h.send(t, wire.NotifyOnLogout, wire.Notification{})
	require.Equal(t, []string{"doLogout", "doLogout"}, h.rp.got)
	h.send(t, wire.RPUnwatch, wire.UnwatchMessage{ID: "a"})
	require.Equal(t, 1, h.fa.FlowCount())
}

func TestRequestAndLogoutBeforeWatchAreOnlyLogged(t *testing.T) {
	h := newFAHarness(t, true)
	h.send(t, wire.RPRequest, watchMsg("nobody"))
	h.send(t, wire.RPLogout, watchMsg("nobody"))
	require.Empty(t, h.rp.got)
}
