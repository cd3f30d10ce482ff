package fxaccounts

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testAssertion = simtest.Assertion

// doLines are the do* calls FirefoxAccounts made to the DOMIdentity recorder,
// as mock_fxa_rp logged them.
func doLines(r *simtest.Recorder) []string {
	var out []string
	for _, m := range r.Got {
		cb := m.Payload.(wire.RPCallback)
		line := m.Name
		switch {
		case cb.Assertion != nil:
			line += "(" + *cb.Assertion + ")"
		case m.Name == wire.DoError:
			line += "(" + wire.OnErrorString(cb.Message) + ")"
		}
		out = append(out, line)
	}
	return out
}

type faHarness struct {
	sys *sim.System
	fa  *FirefoxAccounts
	mgr *simtest.Manager // test_firefox_accounts.js's MockFXAManager
	rp  *simtest.Recorder
}

func newFAHarness(t *testing.T, signedIn bool) *faHarness {
	t.Helper()
	h := &faHarness{fa: NewFirefoxAccounts(), mgr: &simtest.Manager{SignedIn: signedIn}, rp: &simtest.Recorder{}}
	h.sys = simtest.New(t, 1, map[sim.Addr]sim.Handler{wire.FirefoxAccounts: h.fa, wire.FxAccountsManager: h.mgr, wire.DOMIdentity: h.rp})
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
	require.Equal(t, []string{"doLogin(fake-assertion)", "doReady"}, doLines(h.rp))
}

func TestWatchSignedOut(t *testing.T) {
	h := newFAHarness(t, false)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	require.Equal(t, []string{"doLogout", "doReady"}, doLines(h.rp))
}

func TestRequestAfterSigningIn(t *testing.T) {
	h := newFAHarness(t, false)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	h.mgr.SignedIn = true // the test harness owns the mock between runs
	h.send(t, wire.RPRequest, watchMsg("w1"))
	require.Equal(t, []string{"doLogout", "doReady", "doLogin(fake-assertion)"}, doLines(h.rp))
}

func TestLogout(t *testing.T) {
	h := newFAHarness(t, true)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	h.send(t, wire.RPLogout, watchMsg("w1"))
	require.Equal(t, []string{"doLogin(fake-assertion)", "doReady", "doLogout"}, doLines(h.rp))
}

func TestSilentErrorGivesErrorOnlyNoReady(t *testing.T) {
	h := newFAHarness(t, true)
	h.mgr.Fail = wire.NewError("UNVERIFIED_ACCOUNT", nil)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	require.Equal(t, []string{`doError({"name":"UNVERIFIED_ACCOUNT"})`}, doLines(h.rp))
}

func TestCancelDetectionBothShapes(t *testing.T) {
	for name, reason := range map[string]any{
		"sign-in path": wire.NewError(ErrUIError, wire.DialogClosedByUser),
		"refresh path": &wire.FxAError{Error: wire.NewError(ErrUIError, wire.DialogClosedByUser)},
	} {
		t.Run(name, func(t *testing.T) {
			h := newFAHarness(t, false)
			h.send(t, wire.RPWatch, watchMsg("w1"))
			h.mgr.Fail = reason
			h.send(t, wire.RPRequest, watchMsg("w1"))
			require.Equal(t, []string{"doLogout", "doReady", "doCancel"}, doLines(h.rp))
		})
	}
	h := newFAHarness(t, false)
	h.send(t, wire.RPWatch, watchMsg("w1"))
	h.mgr.Fail = wire.NewError(ErrUIError, "something else")
	h.send(t, wire.RPRequest, watchMsg("w1"))
	require.Equal(t, []string{"doLogout", "doReady", `doError({"name":"UI_ERROR"})`}, doLines(h.rp))
}

// A manager that never answers requests keeps pendingRequest up (S12).
func TestDuplicateRequestWhilePendingIsIgnored(t *testing.T) {
	sm := &simtest.Manager{Hold: true}
	sys := simtest.New(t, 0, map[sim.Addr]sim.Handler{wire.FirefoxAccounts: NewFirefoxAccounts(), wire.FxAccountsManager: sm, wire.DOMIdentity: &simtest.Recorder{}})
	for _, name := range []string{wire.RPWatch, wire.RPRequest, wire.RPRequest} {
		require.NoError(t, sys.Send(sim.Message{Name: name, From: wire.DOMIdentity, To: wire.FirefoxAccounts, Payload: watchMsg("w1")}))
	}
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, 1, sm.Held)
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
	h.rp.Got = nil
	h.mgr.SignedIn = true
	h.send(t, wire.NotifyOnLogin, wire.Notification{})
	require.Equal(t, []string{"doLogin(fake-assertion)", "doLogin(fake-assertion)"}, doLines(h.rp))
	h.rp.Got = nil
	h.send(t, wire.NotifyOnLogout, wire.Notification{})
	require.Equal(t, []string{"doLogout", "doLogout"}, doLines(h.rp))
	h.send(t, wire.RPUnwatch, wire.UnwatchMessage{ID: "a"})
	require.Equal(t, 1, h.fa.FlowCount())
}

func TestRequestAndLogoutBeforeWatchAreOnlyLogged(t *testing.T) {
	h := newFAHarness(t, true)
	h.send(t, wire.RPRequest, watchMsg("nobody"))
	h.send(t, wire.RPLogout, watchMsg("nobody"))
	require.Empty(t, doLines(h.rp))
}
