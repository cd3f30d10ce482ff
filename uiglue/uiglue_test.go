package uiglue

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestUIGlueRequestsAndAnswers(t *testing.T) {
	gaia, mgr := &simtest.Recorder{}, &simtest.Recorder{}
	sys := simtest.New(t, 9, map[sim.Addr]sim.Handler{wire.FxAccountsUIGlue: NewFxAccountsUIGlue(), wire.SystemFxAccountsManager: gaia, wire.FxAccountsManager: mgr})

	simtest.Deliver(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.SignInFlow, wire.PlainCall{Call: 7})
	require.Len(t, gaia.Got, 1)
	require.Equal(t, wire.MozFxAccountsUnsolChromeEvent, gaia.Got[0].Name)
	ev := gaia.Got[0].Payload.(wire.UnsolChromeEvent)
	require.Equal(t, wire.EventOpenFlow, ev.EventName)
	require.Regexp(t, `^[0-9a-f-]{36}$`, ev.ID)

	simtest.Deliver(t, sys, wire.SystemFxAccountsManager, wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent,
		wire.RPContentEvent{ID: ev.ID, Error: wire.DialogClosedByUser, HasError: true})
	require.Equal(t, "signInFlow:rejected", mgr.Got[0].Name)
	require.Equal(t, wire.Rejected{Call: 7, Reason: wire.DialogClosedByUser}, mgr.Got[0].Payload, "[G-3]: the bare error string")

	simtest.Deliver(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.RefreshAuthentication, wire.EmailCall{Call: 8, Email: "a@b.c"})
	ev = gaia.Got[1].Payload.(wire.UnsolChromeEvent)
	require.Equal(t, wire.EventRefreshAuthentication, ev.EventName)
	require.Equal(t, wire.O("email", "a@b.c"), ev.Data)
	result := wire.O("email", "a@b.c", "verified", true)
	simtest.Deliver(t, sys, wire.SystemFxAccountsManager, wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent, wire.RPContentEvent{ID: ev.ID, Result: result})
	require.Equal(t, wire.Resolved{Call: 8, Value: result}, mgr.Got[1].Payload)
}

func TestUIGlueWrongIDKillsEveryWaitingRequest(t *testing.T) {
	gaia, mgr := &simtest.Recorder{}, &simtest.Recorder{}
	sys := simtest.New(t, 9, map[sim.Addr]sim.Handler{wire.FxAccountsUIGlue: NewFxAccountsUIGlue(), wire.SystemFxAccountsManager: gaia, wire.FxAccountsManager: mgr})
	simtest.Deliver(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.SignInFlow, wire.PlainCall{Call: 1})
	simtest.Deliver(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.SignInFlow, wire.PlainCall{Call: 2})
	first := gaia.Got[0].Payload.(wire.UnsolChromeEvent).ID
	simtest.Deliver(t, sys, wire.SystemFxAccountsManager, wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent, wire.RPContentEvent{ID: first, Result: wire.O("verified", true)})
	require.Len(t, mgr.Got, 2)
	require.Equal(t, wire.Resolved{Call: 1, Value: wire.O("verified", true)}, mgr.Got[0].Payload)
	require.Equal(t, wire.Rejected{Call: 2, Reason: `InternalErrorWrongContentEvent {"id":"` + first + `","result":{"verified":true}}`}, mgr.Got[1].Payload)
}

func TestMgmtServiceServesContentEvents(t *testing.T) {
	client, gaia := &simtest.Recorder{}, &simtest.Recorder{}
	mgr := &simtest.Manager{WrongPassword: "wrong"}
	sys := simtest.New(t, 9, map[sim.Addr]sim.Handler{wire.FxAccountsMgmtService: NewFxAccountsMgmtService(), wire.FxAccountsManager: mgr,
		wire.SystemFxAccountsClient: client, wire.SystemFxAccountsManager: gaia})

	simtest.Deliver(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{ID: "1", Method: "signIn", Email: "a@b.c", Password: "pw"})
	simtest.Deliver(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{ID: "2", Method: "signIn", Email: "a@b.c", Password: "wrong"})
	simtest.Deliver(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{ID: "3", Method: "queryAccount", Email: "a@b.c"})
	simtest.Deliver(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{ID: "4", Method: "logout"})
	simtest.Deliver(t, sys, wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{Method: "logout"}) // no id: ignored
	require.Equal(t, []string{wire.SignIn, wire.SignIn, wire.QueryAccount, wire.SignOut}, mgr.Got)
	require.Equal(t, []any{
		wire.MgmtChromeEvent{ID: "1", Data: wire.O("user", wire.O("email", "a@b.c", "verified", true))},
		wire.MgmtChromeEvent{ID: "2", Error: wire.NewError("INVALID_PASSWORD", nil), HasError: true},
		wire.MgmtChromeEvent{ID: "3", Data: nil}, // undefined travels as null
		wire.MgmtChromeEvent{ID: "4", Data: nil},
	}, client.Payloads())

	for _, topic := range []string{wire.NotifyOnLogin, wire.NotifyOnVerified, wire.NotifyOnLogout} {
		simtest.Deliver(t, sys, wire.FxAccounts, wire.FxAccountsMgmtService, topic, wire.Notification{})
	}
	require.Equal(t, []any{wire.UnsolChromeEvent{EventName: "onlogin"}, wire.UnsolChromeEvent{EventName: "onverified"}, wire.UnsolChromeEvent{EventName: "onlogout"}}, gaia.Payloads())
}

// The unsolicited events go to every listener of the System window, fxa_manager
// first, then the others in the order given.
func TestMgmtServiceTellsEverySystemWindowListener(t *testing.T) {
	gaia, backup := &simtest.Recorder{}, &simtest.Recorder{}
	const backupAddr sim.Addr = "System/ContactsBackup"
	sys := simtest.New(t, 9, map[sim.Addr]sim.Handler{wire.FxAccountsMgmtService: NewFxAccountsMgmtService(backupAddr),
		wire.SystemFxAccountsManager: gaia, backupAddr: backup})
	simtest.Deliver(t, sys, wire.FxAccounts, wire.FxAccountsMgmtService, wire.NotifyOnLogout, wire.Notification{})
	want := []any{wire.UnsolChromeEvent{EventName: "onlogout"}}
	require.Equal(t, want, gaia.Payloads())
	require.Equal(t, want, backup.Payloads())
	var order []sim.Addr
	for _, e := range sys.Trace() {
		if e.Name == wire.MozFxAccountsUnsolChromeEvent {
			order = append(order, e.To)
		}
	}
	require.Equal(t, []sim.Addr{wire.SystemFxAccountsManager, backupAddr}, order)
}

// The listener tests `if (msg.error)` ([G-1] _contentRequest, [G-3]
// contentRequest): an {id, error} detail whose error is falsy resolves, with
// msg.result, which is undefined. openFlow's detail has no data (signInFlow
// passes none).
func TestUIGlueFalsyErrorResolvesUndefined(t *testing.T) {
	gaia, mgr := &simtest.Recorder{}, &simtest.Recorder{}
	sys := simtest.New(t, 9, map[sim.Addr]sim.Handler{wire.FxAccountsUIGlue: NewFxAccountsUIGlue(), wire.SystemFxAccountsManager: gaia, wire.FxAccountsManager: mgr})
	simtest.Deliver(t, sys, wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.SignInFlow, wire.PlainCall{Call: 3})
	ev := gaia.Got[0].Payload.(wire.UnsolChromeEvent)
	require.Nil(t, ev.Data, "signInFlow sends data undefined, not {}")
	simtest.Deliver(t, sys, wire.SystemFxAccountsManager, wire.FxAccountsUIGlue, wire.MozFxAccountsRPContentEvent,
		wire.RPContentEvent{ID: ev.ID, Error: "", HasError: true})
	require.Equal(t, "signInFlow:resolved", mgr.Got[0].Name)
	require.Equal(t, wire.Resolved{Call: 3, Value: wire.Undefined}, mgr.Got[0].Payload)
}
