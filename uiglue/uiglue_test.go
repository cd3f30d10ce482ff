package uiglue

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recorder keeps every message an actor received.
type recorder struct{ got []sim.Message }

func (r *recorder) Receive(_ *sim.Ctx, m sim.Message) { r.got = append(r.got, m) }

func newSys(t *testing.T, actors map[sim.Addr]sim.Handler) *sim.System {
	t.Helper()
	sys := sim.New(sim.Options{Seed: 9})
	t.Cleanup(func() { sys.Close() })
	for a, h := range actors {
		require.NoError(t, sys.Spawn(a, h))
	}
	return sys
}

func send(t *testing.T, sys *sim.System, from, to sim.Addr, name string, payload any) {
	t.Helper()
	require.NoError(t, sys.Send(sim.Message{Name: name, From: from, To: to, Payload: payload}))
	require.NoError(t, sys.RunUntilIdle())
}

func TestUIGlueRequestsAndAnswers(t *testing.T) {
	gaia, mgr := &recorder{}, &recorder{}
	sys := newSys(t, map[sim.Addr]sim.Handler{wire.FxAccountsUIGlue: NewFxAccountsUIGlue(), wire.SystemFxAccountsManager: gaia, wire.FxAccountsManager: mgr})

	send(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.SignInFlow, wire.PlainCall{Call: 7})
	require.Len(t, gaia.got, 1)
	require.Equal(t, wire.MozFxAccountsUnsolChromeEvent, gaia.got[0].Name)
	ev := gaia.got[0].Payload.(wire.UnsolChromeEvent)
	require.Equal(t, wire.EventOpenFlow, ev.EventName)
	require.Regexp(t, `^[0-9a-f-]{36}$`, ev.ID)

	send(t, sys, wire.SystemFxAccountsManager, wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent,
		wire.RPContentEvent{ID: ev.ID, Error: wire.DialogClosedByUser, HasError: true})
	require.Equal(t, "signInFlow:rejected", mgr.got[0].Name)
	require.Equal(t, wire.Rejected{Call: 7, Reason: wire.DialogClosedByUser}, mgr.got[0].Payload, "[G-3]: the bare error string")

	send(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.RefreshAuthentication, wire.EmailCall{Call: 8, Email: "a@b.c"})
	ev = gaia.got[1].Payload.(wire.UnsolChromeEvent)
	require.Equal(t, wire.EventRefreshAuthentication, ev.EventName)
	require.Equal(t, wire.O("email", "a@b.c"), ev.Data)
	result := wire.O("email", "a@b.c", "verified", true)
	send(t, sys, wire.SystemFxAccountsManager, wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent, wire.RPContentEvent{ID: ev.ID, Result: result})
	require.Equal(t, wire.Resolved{Call: 8, Value: result}, mgr.got[1].Payload)
}

func TestUIGlueWrongIDKillsEveryWaitingRequest(t *testing.T) {
	gaia, mgr := &recorder{}, &recorder{}
	sys := newSys(t, map[sim.Addr]sim.Handler{wire.FxAccountsUIGlue: NewFxAccountsUIGlue(), wire.SystemFxAccountsManager: gaia, wire.FxAccountsManager: mgr})
	send(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.SignInFlow, wire.PlainCall{Call: 1})
	send(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.SignInFlow, wire.PlainCall{Call: 2})
	first := gaia.got[0].Payload.(wire.UnsolChromeEvent).ID
	send(t, sys, wire.SystemFxAccountsManager, wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent, wire.RPContentEvent{ID: first, Result: wire.O("verified", true)})
	require.Len(t, mgr.got, 2)
	require.Equal(t, wire.Resolved{Call: 1, Value: wire.O("verified", true)}, mgr.got[0].Payload)
	require.Equal(t, wire.Rejected{Call: 2, Reason: `InternalErrorWrongContentEvent {"id":"` + first + `","result":{"verified":true}}`}, mgr.got[1].Payload)
}

// fakeManager answers the MgmtService like FxAccountsManager would.
type fakeManager struct{ got []string }

func (f *fakeManager) Receive(ctx *sim.Ctx, m sim.Message) {
	f.got = append(f.got, m.Name)
	switch p := m.Payload.(type) {
	case wire.Credentials:
		if p.Password == "wrong" {
			promise.Reject(ctx, m.From, m.Name, p.Call, wire.NewError("INVALID_PASSWORD", nil))
			return
		}
		promise.Resolve(ctx, m.From, m.Name, p.Call, wire.O("user", wire.O("email", p.Email, "verified", true)))
	case wire.EmailCall:
		promise.Resolve(ctx, m.From, m.Name, p.Call, wire.Undefined)
	case wire.PlainCall:
		promise.Resolve(ctx, m.From, m.Name, p.Call, nil)
	}
}

func TestMgmtServiceServesContentEvents(t *testing.T) {
	client, gaia := &recorder{}, &recorder{}
	mgr := &fakeManager{}
	sys := newSys(t, map[sim.Addr]sim.Handler{wire.FxAccountsMgmtService: NewFxAccountsMgmtService(), wire.FxAccountsManager: mgr,
		wire.SystemFxAccountsClient: client, wire.SystemFxAccountsManager: gaia})

	send(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{ID: "1", Method: "signIn", Email: "a@b.c", Password: "pw"})
	send(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{ID: "2", Method: "signIn", Email: "a@b.c", Password: "wrong"})
	send(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{ID: "3", Method: "queryAccount", Email: "a@b.c"})
	send(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{ID: "4", Method: "logout"})
	send(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{Method: "logout"}) // no id: ignored
	require.Equal(t, []string{wire.SignIn, wire.SignIn, wire.QueryAccount, wire.SignOut}, mgr.got)
	require.Equal(t, []any{
		wire.MgmtChromeEvent{ID: "1", Data: wire.O("user", wire.O("email", "a@b.c", "verified", true))},
		wire.MgmtChromeEvent{ID: "2", Error: wire.NewError("INVALID_PASSWORD", nil), HasError: true},
		wire.MgmtChromeEvent{ID: "3", Data: nil}, // undefined travels as null
		wire.MgmtChromeEvent{ID: "4", Data: nil},
	}, payloads(client.got))

	for _, topic := range []string{wire.NotifyOnLogin, wire.NotifyOnVerified, wire.NotifyOnLogout} {
		send(t, sys, wire.FxAccounts, wire.FxAccountsMgmtService, topic, wire.Notification{})
	}
	require.Equal(t, []any{wire.UnsolChromeEvent{EventName: "onlogin"}, wire.UnsolChromeEvent{EventName: "onverified"}, wire.UnsolChromeEvent{EventName: "onlogout"}}, payloads(gaia.got))
}

// The unsolicited events go to every listener of the System window, fxa_manager
// first, then the others in the order given.
func TestMgmtServiceTellsEverySystemWindowListener(t *testing.T) {
	gaia, backup := &recorder{}, &recorder{}
	const backupAddr sim.Addr = "System/ContactsBackup"
	sys := newSys(t, map[sim.Addr]sim.Handler{wire.FxAccountsMgmtService: NewFxAccountsMgmtService(backupAddr),
		wire.SystemFxAccountsManager: gaia, backupAddr: backup})
	send(t, sys, wire.FxAccounts, wire.FxAccountsMgmtService, wire.NotifyOnLogout, wire.Notification{})
	want := []any{wire.UnsolChromeEvent{EventName: "onlogout"}}
	require.Equal(t, want, payloads(gaia.got))
	require.Equal(t, want, payloads(backup.got))
	var order []sim.Addr
	for _, e := range sys.Trace() {
		if e.Name == wire.MozFxAccountsUnsolChromeEvent {
			order = append(order, e.To)
		}
	}
	require.Equal(t, []sim.Addr{wire.SystemFxAccountsManager, backupAddr}, order)
}

func payloads(ms []sim.Message) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m.Payload
	}
	return out
}

// The listener tests `if (msg.error)` ([G-1] _contentRequest, [G-3]
// contentRequest): an {id, error} detail whose error is falsy resolves, with
// msg.result, which is undefined. openFlow's detail has no data (signInFlow
// passes none).
func TestUIGlueFalsyErrorResolvesUndefined(t *testing.T) {
	gaia, mgr := &recorder{}, &recorder{}
	sys := newSys(t, map[sim.Addr]sim.Handler{wire.FxAccountsUIGlue: NewFxAccountsUIGlue(), wire.SystemFxAccountsManager: gaia, wire.FxAccountsManager: mgr})
	send(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.SignInFlow, wire.PlainCall{Call: 3})
	ev := gaia.got[0].Payload.(wire.UnsolChromeEvent)
	require.Nil(t, ev.Data, "signInFlow sends data undefined, not {}")
	send(t, sys, wire.SystemFxAccountsManager, wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent,
		wire.RPContentEvent{ID: ev.ID, Error: "", HasError: true})
	require.Equal(t, "signInFlow:resolved", mgr.got[0].Name)
	require.Equal(t, wire.Resolved{Call: 3, Value: wire.Undefined}, mgr.got[0].Payload)
}
