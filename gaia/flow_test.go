package gaia

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestOpenFlowShowsEnterEmailWithHistoricHops(t *testing.T) {
	h := newHarness(t)
	h.openFlow("flow-1")
	require.Equal(t, []string{
		"FxAccountsUIGlue>System/FxAccountsManager:mozFxAccountsUnsolChromeEvent",
		"System/FxAccountsManager>System/FxAccountsUI:login",
		"System/FxAccountsUI>fxa_module:load",
		"System/FxAccountsUI>System/FxAccountsDialog:show",
		"System/FxAccountsDialog>System/SystemDialogManager:system-dialog-show",
	}, h.hops(0))
	var load ModuleLoad
	for _, e := range h.sys.Trace() {
		if e.Name == ModuleLoadEvent {
			load = e.Payload.(ModuleLoad)
		}
	}
	require.Equal(t, ModuleLoad{URL: "../fxa/fxa_module.html#login"}, load)
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterEmail}, h.state())
	require.Equal(t, []string{ScreenEnterEmail}, h.screens())
}

func TestEnterEmailGatingAndRegisteredRouting(t *testing.T) {
	h := newHarness(t)
	h.openFlow("flow-1")

	h.user(wire.UserNext, "") // Next starts disabled on an empty field
	require.Empty(t, h.mgmt)
	gating := []struct {
		typed string
		next  bool
	}{
		{"alice", false},
		{"alice@example", true}, // type=email needs no dot in the domain
		{"al ice@example.com", false},
		{"alice@exa mple.com", false},
		{"", false},
		{"  alice@example.com\n", true}, // sanitized: newline stripped, whitespace trimmed
	}
	for _, g := range gating {
		h.user(wire.UserTypeEmail, g.typed)
		require.Equal(t, g.next, h.state().NextEnabled, "%q", g.typed)
	}

	h.hold = true
	h.user(wire.UserNext, "")
	require.Len(t, h.mgmt, 1)
	require.Len(t, h.mgmt[0].ID, 36, "a UUID id")
	require.Equal(t, wire.ContentEvent{ID: h.mgmt[0].ID, Method: "queryAccount", Email: alice}, h.mgmt[0])
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterEmail, Busy: true}, h.state())

	// While the answer is pending every input waits.
	h.user(wire.UserTypeEmail, "x@y")
	h.user(wire.UserClose, "")
	h.release()
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterPassword, Params: wire.O("email", alice)}, h.state())
	require.Equal(t, []string{ScreenEnterEmail, ScreenEnterPassword}, h.screens())
	require.Equal(t, []string{
		"screen ENTER_EMAIL",
		`refused user:next: "Next is disabled: the e-mail is not a valid address"`,
		`refused user:type-email: "waiting for the answer to queryAccount"`,
		`refused user:close: "waiting for the answer to queryAccount"`,
		"screen ENTER_PASSWORD",
	}, h.notes(wire.FxAModule))
	require.Empty(t, h.rp)
}

func TestNotRegisteredGoesToCoppaAndBack(t *testing.T) {
	h := newHarness(t)
	h.openFlow("flow-1")
	h.user(wire.UserTypeEmail, newcomer)
	h.user(wire.UserNext, "")
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenCoppa, Params: wire.O("email", newcomer)}, h.state())
	h.user(wire.UserBack, "")
	st := h.state()
	require.Equal(t, ScreenEnterEmail, st.Screen)
	require.True(t, st.NextEnabled, "the e-mail field keeps its value")
	require.Equal(t, []string{ScreenEnterEmail, ScreenCoppa, ScreenEnterEmail}, h.screens())
}

func TestCoppa(t *testing.T) {
	h := newHarness(t)
	h.openFlow("flow-1")
	h.user(wire.UserTypeEmail, newcomer)
	h.user(wire.UserNext, "")
	require.False(t, h.state().NextEnabled, "no year chosen yet")

	h.user(wire.UserChooseYear, "2016") // not an option in 2015
	h.user(wire.UserChooseYear, "nineteen")
	require.False(t, h.state().NextEnabled)

	h.user(wire.UserChooseYear, "2015") // the current (virtual) year
	require.True(t, h.state().NextEnabled)
	h.user(wire.UserNext, "")
	st := h.state()
	require.Equal(t, ScreenCoppa, st.Screen)
	require.Equal(t, ErrCoppa, st.Overlay)

	h.user(wire.UserChooseYear, "2002") // currentYear - 13: dismisses the overlay first
	require.Equal(t, "", h.state().Overlay)
	h.user(wire.UserNext, "")
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenSetPassword, Params: wire.O("email", newcomer)}, h.state())
	require.Equal(t, []string{ScreenEnterEmail, ScreenCoppa, ScreenSetPassword}, h.screens())
	require.Equal(t, []string{
		"screen ENTER_EMAIL", "screen COPPA",
		`refused user:choose-year: "no option for 2016 (the list runs to 2015)"`,
		`refused user:choose-year: "\"nineteen\" is not a year"`,
		`overlay COPPA_ERROR: {"error":"COPPA_ERROR"}`,
		`overlay dismissed: "COPPA_ERROR"`,
		"screen SET_PASSWORD",
	}, h.notes(wire.FxAModule))
	require.Len(t, h.mgmt, 1, "COPPA asks no server")

	h.user(wire.UserBack, "")
	require.True(t, h.state().NextEnabled, "the chosen year stays selected")
	h.user(wire.UserChooseYear, "0")
	require.False(t, h.state().NextEnabled, "back to the placeholder")
}

func TestSignUpThenDone(t *testing.T) {
	h := newHarness(t)
	h.openFlow("flow-1")
	h.user(wire.UserTypeEmail, newcomer)
	h.user(wire.UserNext, "")
	h.user(wire.UserChooseYear, "2002")
	h.user(wire.UserNext, "")
	h.user(wire.UserTypePassword, "1234567")
	require.False(t, h.state().NextEnabled, "7 characters")
	h.user(wire.UserTypePassword, "12345678")
	require.True(t, h.state().NextEnabled)
	h.user(wire.UserNext, "")
	require.Equal(t, wire.ContentEvent{ID: h.mgmt[1].ID, Method: "signUp", Email: newcomer, Password: "12345678"}, h.mgmt[1])
	require.NotEqual(t, h.mgmt[0].ID, h.mgmt[1].ID)

	wantParams := wire.O("email", newcomer, "done", true, "verified", false, "success", true)
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenSignupSuccess, DoneEnabled: true, Params: wantParams}, h.state())
	h.user(wire.UserNext, "") // DONE via Next: nothing
	require.Equal(t, ScreenSignupSuccess, h.state().Screen)
	require.Empty(t, h.rp)

	at := h.mark()
	h.user(wire.UserDone, "")
	require.Equal(t, []wire.RPContentEvent{{ID: "flow-1", Result: wantParams}}, h.rp)
	require.Equal(t, `{"email":"new@example.com","done":true,"verified":false,"success":true}`, jsonOf(t, h.rp[0].Result))
	require.Equal(t, []string{
		"user>fxa_module:user:done",
		"fxa_module>System/FxAccountsUI:done",
		"System/FxAccountsUI>System/FxAccountsManager:onsuccessCb",
		"System/FxAccountsUI>System/FxAccountsDialog:hide",
		"System/FxAccountsManager>FxAccountsUIGlue:mozFxAccountsRPContentEvent",
		"System/FxAccountsDialog>System/SystemDialogManager:system-dialog-hide",
		"System/FxAccountsDialog>System/FxAccountsUI:reset",
		"System/FxAccountsUI>fxa_module:unload",
	}, h.hops(at))
	h.requireClosed()
	require.Equal(t, []string{ScreenEnterEmail, ScreenCoppa, ScreenSetPassword, ScreenSignupSuccess}, h.screens())
	require.Contains(t, h.notes(wire.FxAModule), `next does nothing on SIGNUP_SUCCESS: "DONE has no screen; the Done button finishes"`)
}

func TestBackThroughCoppaKeepsTheStepCount(t *testing.T) {
	// COPPA adds a step when entered forward and removes it on Back, so the
	// success screen is still the last step (Done shown) after a detour.
	h := newHarness(t)
	h.openFlow("flow-1")
	h.user(wire.UserTypeEmail, newcomer)
	h.user(wire.UserNext, "")
	h.user(wire.UserChooseYear, "1990")
	h.user(wire.UserNext, "")
	h.user(wire.UserBack, "")
	h.user(wire.UserBack, "")
	h.user(wire.UserNext, "")
	h.user(wire.UserNext, "")
	h.user(wire.UserTypePassword, "a long password")
	h.user(wire.UserNext, "")
	require.Equal(t, []string{ScreenEnterEmail, ScreenCoppa, ScreenSetPassword, ScreenCoppa, ScreenEnterEmail,
		ScreenCoppa, ScreenSetPassword, ScreenSignupSuccess}, h.screens())
	require.True(t, h.state().DoneEnabled)

	// Back on ENTER_EMAIL then existing user: SIGNUP_SUCCESS after an unverified
	// sign-in is the last of 3 steps.
	h2 := newHarness(t)
	h2.openFlow("flow-2")
	h2.user(wire.UserTypeEmail, newcomer)
	h2.user(wire.UserNext, "")
	h2.user(wire.UserBack, "")
	h2.signIn(bob, bobPass)
	st := h2.state()
	require.Equal(t, ScreenSignupSuccess, st.Screen)
	require.True(t, st.DoneEnabled)
}

func TestEnterPasswordWrongThenRight(t *testing.T) {
	h := newHarness(t)
	h.openFlow("flow-1")
	h.signIn(alice, "wrong password")
	require.Equal(t, wire.ContentEvent{ID: h.mgmt[1].ID, Method: "signIn", Email: alice, Password: "wrong password"}, h.mgmt[1])
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterPassword, Overlay: ErrInvalidPassword,
		Params: wire.O("email", alice, "success", true)}, h.state(), "password cleared (Next disabled), overlay, same screen")

	h.user(wire.UserTypePassword, alicePass)
	require.Equal(t, "", h.state().Overlay)
	h.user(wire.UserNext, "")
	wantParams := wire.O("email", alice, "success", true, "done", true, "verified", true)
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenSigninSuccess, DoneEnabled: true, Params: wantParams}, h.state())
	h.user(wire.UserDone, "")
	require.Equal(t, []wire.RPContentEvent{{ID: "flow-1", Result: wantParams}}, h.rp)
	require.Equal(t, `{"email":"alice@example.com","success":true,"done":true,"verified":true}`, jsonOf(t, h.rp[0].Result))
	require.Equal(t, []string{ScreenEnterEmail, ScreenEnterPassword, ScreenSigninSuccess}, h.screens())
	require.Contains(t, h.notes(wire.FxAModule), `overlay INVALID_PASSWORD: {"error":"INVALID_PASSWORD"}`)
	h.requireClosed()
}

func TestUnverifiedSignInShowsSignupSuccess(t *testing.T) {
	h := newHarness(t)
	h.openFlow("flow-1")
	h.signIn(bob, bobPass)
	require.Equal(t, []string{ScreenEnterEmail, ScreenEnterPassword, ScreenSignupSuccess}, h.screens())
	h.user(wire.UserDone, "")
	require.Equal(t, `{"email":"bob@example.com","success":true,"done":true,"verified":false}`, jsonOf(t, h.rp[0].Result))
}

func TestAccountDoesNotExistWithTrailingSpaceShowsUnknown(t *testing.T) {
	h := newHarness(t)
	// The account is gone between queryAccount and signIn.
	h.override = func(ev wire.ContentEvent) (wire.MgmtChromeEvent, bool) {
		if ev.Method == "queryAccount" {
			return data(wire.O("registered", true)), true
		}
		return wire.MgmtChromeEvent{}, false
	}
	h.openFlow("flow-1")
	h.signIn("gone@example.com", "whatever1")
	st := h.state()
	require.Equal(t, ScreenEnterPassword, st.Screen)
	require.Equal(t, ErrUnknown, st.Overlay)
	require.Contains(t, h.notes(wire.FxAModule), `overlay UNKNOWN: {"error":"ACCOUNT_DOES_NOT_EXIST "}`)
}

func TestCloseButton(t *testing.T) {
	closedByUser := wire.RPContentEvent{ID: "flow-1", Error: wire.DialogClosedByUser, HasError: true}
	t.Run("before any input", func(t *testing.T) {
		h := newHarness(t)
		h.openFlow("flow-1")
		h.user(wire.UserClose, "")
		require.Equal(t, []wire.RPContentEvent{closedByUser}, h.rp)
		h.requireClosed()
	})
	t.Run("after a failed sign-in (success set, done not)", func(t *testing.T) {
		h := newHarness(t)
		h.openFlow("flow-1")
		h.signIn(alice, "wrong password")
		h.user(wire.UserClose, "")
		require.Equal(t, []wire.RPContentEvent{closedByUser}, h.rp)
		h.requireClosed()
	})
	t.Run("on a success screen reports the params", func(t *testing.T) {
		h := newHarness(t)
		h.openFlow("flow-1")
		h.signIn(alice, alicePass)
		h.user(wire.UserClose, "")
		require.Equal(t, []wire.RPContentEvent{{ID: "flow-1", Result: wire.O("email", alice, "success", true, "done", true, "verified", true)}}, h.rp)
		h.requireClosed()
	})
	t.Run("after sign-up reports verified false", func(t *testing.T) { // gaia-fxa quirk §11.5
		h := newHarness(t)
		h.openFlow("flow-1")
		h.user(wire.UserTypeEmail, newcomer)
		h.user(wire.UserNext, "")
		h.user(wire.UserChooseYear, "2000")
		h.user(wire.UserNext, "")
		h.user(wire.UserTypePassword, "12345678")
		h.user(wire.UserNext, "")
		h.user(wire.UserClose, "")
		require.Equal(t, `{"email":"new@example.com","done":true,"verified":false,"success":true}`, jsonOf(t, h.rp[0].Result))
	})
}

func TestHomeAndHoldHomeCloseTheDialog(t *testing.T) {
	for _, button := range []string{wire.UserHome, wire.UserHoldHome} {
		t.Run(button, func(t *testing.T) {
			h := newHarness(t)
			h.openFlow("flow-1")
			h.user(wire.UserTypeEmail, alice)
			h.user(wire.UserNext, "")
			at := h.mark()
			h.user(button, "")
			require.Equal(t, []wire.RPContentEvent{{ID: "flow-1", Error: wire.DialogClosedByUser, HasError: true}}, h.rp)
			require.Equal(t, []string{
				"user>System/SystemDialogManager:" + button,
				"System/SystemDialogManager>System/FxAccountsDialog:hide",
				"System/FxAccountsDialog>System/SystemDialogManager:system-dialog-hide",
				"System/FxAccountsDialog>System/FxAccountsUI:reset",
				"System/FxAccountsUI>fxa_module:unload",
				"System/FxAccountsUI>System/FxAccountsManager:onerrorCb",
				"System/FxAccountsManager>FxAccountsUIGlue:mozFxAccountsRPContentEvent",
			}, h.hops(at))
			h.requireClosed()

			h.user(button, "") // nothing is open any more
			require.Len(t, h.rp, 1)
			require.Equal(t, []string{"no active dialog: \"" + button + " hides nothing\""}, h.notes(wire.SystemDialogManager))
		})
	}
}

func TestInterruptedDialogReportsNothing(t *testing.T) {
	h := newHarness(t)
	other := sim.Addr("System/OtherDialog")
	var hides []HideRequest
	require.NoError(t, h.sys.Spawn(other, sim.HandlerFunc(func(ctx *sim.Ctx, m sim.Message) {
		hides = append(hides, m.Payload.(HideRequest))
	})))
	h.openFlow("flow-1")
	h.send(other, wire.SystemDialogManager, EventSystemDialogShow, nil)
	require.Empty(t, h.rp, "reset('interrupted') reports nothing: the RP never hears back")
	h.requireClosed()
	// The other dialog is now the active one: Home hides it, not ours.
	h.user(wire.UserHome, "")
	require.Equal(t, []HideRequest{{Reason: wire.UserHome}}, hides)
	require.Empty(t, h.rp)
}

func TestRefreshAuthFlow(t *testing.T) {
	h := newHarness(t)
	h.chrome(wire.UnsolChromeEvent{EventName: wire.EventRefreshAuthentication, ID: "r-1", Data: wire.O("email", alice)})
	var load ModuleLoad
	for _, e := range h.sys.Trace() {
		if e.Name == ModuleLoadEvent {
			load = e.Payload.(ModuleLoad)
		}
	}
	require.Equal(t, "../fxa/fxa_module.html#refresh_auth?email=alice@example.com", load.URL)
	require.Equal(t, ModuleState{Flow: FlowRefreshAuth, Screen: ScreenRefreshAuth, Params: wire.O("email", alice)}, h.state())

	h.user(wire.UserNext, "")
	h.user(wire.UserBack, "")
	h.user(wire.UserTypePassword, "short")
	h.user(wire.UserDone, "")
	require.Empty(t, h.mgmt)

	h.user(wire.UserTypePassword, "not the password")
	require.True(t, h.state().DoneEnabled)
	h.user(wire.UserDone, "")
	require.Equal(t, []wire.ContentEvent{{ID: h.mgmt[0].ID, Method: "signIn", Email: alice, Password: "not the password"}}, h.mgmt)
	require.Equal(t, ModuleState{Flow: FlowRefreshAuth, Screen: ScreenRefreshAuth, Overlay: ErrInvalidPassword, Params: wire.O("email", alice)}, h.state(),
		"form cleared (Done disabled), overlay, same screen")

	h.user(wire.UserTypePassword, alicePass)
	h.user(wire.UserDone, "")
	require.Equal(t, []wire.RPContentEvent{{ID: "r-1", Result: wire.O("email", alice, "done", true, "verified", true)}}, h.rp)
	require.Equal(t, `{"email":"alice@example.com","done":true,"verified":true}`, jsonOf(t, h.rp[0].Result))
	require.Equal(t, []string{ScreenRefreshAuth}, h.screens())
	require.Equal(t, []string{
		"screen REFRESH_AUTH",
		`refused user:next: "there is no Next button on REFRESH_AUTH"`,
		`refused user:back: "there is no Back button on REFRESH_AUTH"`,
		`refused user:done: "Done is disabled: the password is shorter than 8 characters"`,
		`overlay INVALID_PASSWORD: {"error":"INVALID_PASSWORD"}`,
		`overlay dismissed: "INVALID_PASSWORD"`,
	}, h.notes(wire.FxAModule))
	h.requireClosed()
}

func TestRefreshAuthClosedBeforeSuccessIsAnError(t *testing.T) {
	h := newHarness(t)
	h.chrome(wire.UnsolChromeEvent{EventName: wire.EventRefreshAuthentication, ID: "r-1", Data: wire.O("email", alice)})
	h.user(wire.UserClose, "")
	require.Equal(t, []wire.RPContentEvent{{ID: "r-1", Error: wire.DialogClosedByUser, HasError: true}}, h.rp,
		"params hold the email but not done")
}

func TestRefreshAuthenticationWithoutEmailGetsNoReply(t *testing.T) {
	for name, d := range map[string]wire.Obj{"no data": nil, "empty email": wire.O("email", ""), "other key": wire.O("accountId", alice)} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.chrome(wire.UnsolChromeEvent{EventName: wire.EventRefreshAuthentication, ID: "r-1", Data: d})
			require.Equal(t, []string{"FxAccountsUIGlue>System/FxAccountsManager:mozFxAccountsUnsolChromeEvent"}, h.hops(0))
			require.Equal(t, []string{`No email specified: "refreshAuthentication r-1 gets no reply"`}, h.notes(wire.SystemFxAccountsManager))
			require.Empty(t, h.rp)
			h.requireClosed()
		})
	}
}

func TestSecondLoginOverwritesTheFirstCaller(t *testing.T) { // quirk §11.1
	h := newHarness(t)
	h.openFlow("first")
	h.user(wire.UserTypeEmail, alice)
	h.openFlow("second")
	st := h.state()
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterEmail}, st, "the iframe reloaded: empty field")
	h.user(wire.UserClose, "")
	require.Equal(t, []wire.RPContentEvent{{ID: "second", Error: wire.DialogClosedByUser, HasError: true}}, h.rp, "first never answered")
	h.requireClosed()
}

func TestAnswerForAReplacedFlowIsIgnored(t *testing.T) {
	h := newHarness(t)
	h.openFlow("first")
	h.hold = true
	h.user(wire.UserTypeEmail, alice)
	h.user(wire.UserNext, "")
	h.openFlow("second") // reloads the iframe while queryAccount is out
	h.release()
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterEmail}, h.state())
	require.Contains(t, h.notes(wire.FxAModule), `answer to queryAccount ignored: "the iframe has loaded another flow since"`)
}

func TestLoginWhileTheOldIframeIsStillBeingRemoved(t *testing.T) {
	h := newHarness(t)
	h.openFlow("first")
	// reset('home') and a new login reach FxAccountsUI back to back: the unload
	// of the old iframe is still queued when the login is handled.
	require.NoError(t, h.sys.Send(sim.Message{Name: MethodReset, From: wire.SystemFxAccountsDialog, To: wire.SystemFxAccountsUI, Payload: HideRequest{Reason: ReasonHome}}))
	require.NoError(t, h.sys.Send(sim.Message{Name: MethodLogin, From: wire.SystemFxAccountsManager, To: wire.SystemFxAccountsUI, Payload: FlowRequest{Ref: "second"}}))
	h.run()
	require.Equal(t, []wire.RPContentEvent{{ID: "first", Error: wire.DialogClosedByUser, HasError: true}}, h.rp)
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterEmail}, h.state())
	require.Empty(t, h.sys.Faults())
	h.user(wire.UserClose, "")
	require.Equal(t, wire.RPContentEvent{ID: "second", Error: wire.DialogClosedByUser, HasError: true}, h.rp[1])
}

func TestNotificationsAreRelayedToTheIACPortOnly(t *testing.T) {
	h := newHarness(t)
	for _, n := range []string{"onlogin", "onverified", "onlogout", "onverifiedlogin"} {
		h.send(wire.FxAccountsMgmtService, wire.SystemFxAccountsManager, wire.MozFxAccountsUnsolChromeEvent, wire.UnsolChromeEvent{EventName: n})
	}
	h.send(wire.FxAccountsMgmtService, wire.SystemFxAccountsManager, wire.MozFxAccountsUnsolChromeEvent, "not an event")
	require.Equal(t, []string{
		`sendPortMessage: {"eventName":"onlogin"}`,
		`sendPortMessage: {"eventName":"onverified"}`,
		`sendPortMessage: {"eventName":"onlogout"}`,
		`ignored chrome event: "onverifiedlogin"`,
	}, h.notes(wire.SystemFxAccountsManager))
	require.Len(t, h.hops(0), 5, "nothing is sent on")
	h.wantFaults = []string{`sim: actor System/FxAccountsManager: message "mozFxAccountsUnsolChromeEvent" carries string, want wire.UnsolChromeEvent`}
}

func TestNullQueryAccountAnswerThrows(t *testing.T) {
	// FxAccountsManager.jsm resolves queryAccount with undefined after a server
	// error; MgmtService sends data: null, which fxa_client.js counts as success.
	h := newHarness(t)
	h.override = func(ev wire.ContentEvent) (wire.MgmtChromeEvent, bool) { return data(nil), true }
	h.openFlow("flow-1")
	h.user(wire.UserTypeEmail, alice)
	h.user(wire.UserNext, "")
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterEmail, NextEnabled: true, Params: wire.O("email", alice)}, h.state())
	require.Contains(t, h.notes(wire.FxAModule), "TypeError: response is null")
}

func TestClientCallbacks(t *testing.T) {
	t.Run("no id", func(t *testing.T) {
		h := newHarness(t)
		h.send(wire.FxAccountsMgmtService, wire.SystemFxAccountsClient, wire.MozFxAccountsChromeEvent, wire.MgmtChromeEvent{Data: 1.0})
		require.Equal(t, []string{"Got chrome event without id!"}, h.notes(wire.SystemFxAccountsClient))
	})
	t.Run("error null runs no callback", func(t *testing.T) {
		h := newHarness(t)
		h.override = func(ev wire.ContentEvent) (wire.MgmtChromeEvent, bool) { return failure(nil), true }
		h.openFlow("flow-1")
		h.user(wire.UserTypeEmail, alice)
		h.user(wire.UserNext, "")
		require.True(t, h.state().Busy, "stuck behind the overlay")
		require.Equal(t, []string{`chrome event with neither data nor error: no callback: "` + h.mgmt[0].ID + `"`}, h.notes(wire.SystemFxAccountsClient))
		h.user(wire.UserHome, "") // the way out
		require.Equal(t, []wire.RPContentEvent{{ID: "flow-1", Error: wire.DialogClosedByUser, HasError: true}}, h.rp)
	})
	t.Run("offline error", func(t *testing.T) {
		h := newHarness(t)
		h.override = func(ev wire.ContentEvent) (wire.MgmtChromeEvent, bool) {
			return failure(wire.NewError("OFFLINE", nil)), true
		}
		h.openFlow("flow-1")
		h.user(wire.UserTypeEmail, alice)
		h.user(wire.UserNext, "")
		require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterEmail, Overlay: ErrOffline, NextEnabled: true}, h.state())
	})
}

func TestRefusedInputs(t *testing.T) {
	h := newHarness(t)
	h.openFlow("flow-1")
	h.user(wire.UserDone, "")
	h.user(wire.UserBack, "")
	h.user(wire.UserTypePassword, "12345678")
	h.user(wire.UserChooseYear, "2000")
	h.send(wire.User, wire.FxAModule, wire.UserTypeEmail, "bare string")
	require.Equal(t, ModuleState{Flow: FlowLogin, Screen: ScreenEnterEmail}, h.state())
	require.Equal(t, []string{
		"screen ENTER_EMAIL",
		`refused user:done: "there is no Done button on ENTER_EMAIL"`,
		`refused user:back: "there is no Back button on ENTER_EMAIL"`,
		`refused user:type-password: "there is no password field on ENTER_EMAIL"`,
		`refused user:choose-year: "there is no year of birth on ENTER_EMAIL"`,
	}, h.notes(wire.FxAModule))
	h.wantFaults = []string{`sim: actor fxa_module: message "user:type-email" carries string, want wire.UserInput`}
}

func TestUnknownFlowStaysBlank(t *testing.T) {
	h := newHarness(t)
	mod := NewFxaModule()
	require.NoError(t, h.sys.Spawn("blank", mod))
	h.send(wire.SystemFxAccountsUI, "blank", ModuleLoadEvent, ModuleLoad{URL: "../fxa/fxa_module.html#logout"})
	h.send(wire.User, "blank", wire.UserNext, wire.UserInput{})
	require.Equal(t, []string{
		`no view for flow "logout": "view/view_logout.js does not exist; the dialog stays blank"`,
		`refused user:next: "no flow is loaded"`,
	}, h.notes("blank"))
	var st ModuleState
	require.NoError(t, h.sys.Invoke("blank", func(*sim.Ctx) { st = mod.state() }))
	require.Equal(t, ModuleState{Flow: "logout"}, st)
}

func TestRefreshAuthURLWithoutEmail(t *testing.T) {
	h := newHarness(t)
	mod := NewFxaModule()
	require.NoError(t, h.sys.Spawn("m", mod))
	h.send(wire.SystemFxAccountsUI, "m", ModuleLoadEvent, ModuleLoad{URL: "../fxa/fxa_module.html#refresh_auth?email=a=b&x"})
	h.send(wire.User, "m", wire.UserTypePassword, wire.UserInput{Value: "12345678"})
	h.send(wire.User, "m", wire.UserDone, wire.UserInput{})
	require.Equal(t, []string{
		"screen REFRESH_AUTH",
		`refresh_auth without an email: "init returns early: the screen stays empty and Done disabled"`,
		`refused user:done: "Done is disabled: the screen never initialised (no email)"`,
	}, h.notes("m"))
}

func TestSettingsSignInAndOut(t *testing.T) {
	h := newHarness(t)
	h.send(wire.User, wire.Settings, wire.SettingsSignIn, wire.Credentials{Email: alice, Password: alicePass})
	h.send(wire.User, wire.Settings, wire.SettingsSignIn, wire.Credentials{Email: alice, Password: "nope"})
	h.send(wire.User, wire.Settings, wire.SettingsSignOut, nil)
	require.Equal(t, []wire.ContentEvent{
		{ID: h.mgmt[0].ID, Method: "signIn", Email: alice, Password: alicePass},
		{ID: h.mgmt[1].ID, Method: "signIn", Email: alice, Password: "nope"},
		{ID: h.mgmt[2].ID, Method: "logout"},
	}, h.mgmt)
	require.Equal(t, []string{
		`signIn succeeded: {"user":{"email":"alice@example.com","verified":true}}`,
		`signIn failed: {"error":"INVALID_PASSWORD"}`,
		"logout succeeded",
	}, h.notes(wire.Settings))
}

func TestDialogStateErrors(t *testing.T) {
	sys := sim.New(sim.Options{})
	g, err := Spawn(sys)
	require.NoError(t, err)
	_, ok, err := g.DialogState()
	require.NoError(t, err)
	require.False(t, ok)
	_, err = Spawn(sys)
	require.Error(t, err, "actors exist already")
	require.NoError(t, sys.Close())
	_, _, err = g.DialogState()
	require.ErrorIs(t, err, sim.ErrClosed)
}

// The System app's FxAccountsClient names the account "accountId" in March 2014
// (ozten/gaia@bb3e602d fxa_client.js) and "email" later; both send
// {id, data: {method, <account>, password?}}.
func TestContentEventAccountMemberPerEra(t *testing.T) {
	for _, c := range []struct {
		era  era.Era
		want []string
	}{
		{era.Y2015, []string{
			`{"id":"<id>","data":{"method":"queryAccount","email":"alice@example.com"}}`,
			`{"id":"<id>","data":{"method":"signIn","email":"alice@example.com","password":"a password"}}`}},
		{era.Spring2014, []string{
			`{"id":"<id>","data":{"method":"queryAccount","accountId":"alice@example.com"}}`,
			`{"id":"<id>","data":{"method":"signIn","accountId":"alice@example.com","password":"a password"}}`}},
	} {
		t.Run(c.era.String(), func(t *testing.T) {
			h := newHarness(t, InEra(c.era))
			h.openFlow("flow-1")
			h.signIn(alice, "a password")
			var got []string
			for _, ev := range h.mgmt {
				ev.ID = "<id>"
				got = append(got, jsonOf(t, ev.JSObject()))
			}
			require.Equal(t, c.want, got)
		})
	}
}
