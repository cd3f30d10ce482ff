package trace

import (
	"github.com/mozidsim/mozidsim/internal/wire"
)

// rules is the whole explanation table, most specific first.
var rules = concatRules(geckoRules, dialogRules, otherRules)

func concatRules(tables ...[]rule) []rule {
	var out []rule
	for _, t := range tables {
		out = append(out, t...)
	}
	return out
}

const (
	systemManager = string(wire.SystemFxAccountsManager)
	systemUI      = string(wire.SystemFxAccountsUI)
	systemDialog  = string(wire.SystemFxAccountsDialog)
	systemClient  = string(wire.SystemFxAccountsClient)
	dialogManager = string(wire.SystemDialogManager)
	module        = string(wire.FxAModule)
	mgmt          = string(wire.FxAccountsMgmtService)
	manager       = string(wire.FxAccountsManager)
	fxAccounts    = string(wire.FxAccounts)
	server        = string(wire.FxAServer)
	user          = string(wire.User)
)

// dialogRules explain what happens while Gaia's dialog is open (II.7–II.11):
// the phase starts with the openFlow (or refreshAuthentication) chrome event and
// ends when FxAccountsUIGlue settles the manager's promise. Gaia-internal hops
// are matched by who talks to whom, whatever the message is called.
var dialogRules = []rule{
	// II.8: the System app opens the dialog.
	{From: systemManager, To: systemUI, Phase: phaseUI, Tag: "II.8",
		Caller: "fxa_manager.handleEvent", Callee: "FxAccountsUI.login",
		Why:  "handleEvent branches on eventName: openFlow becomes FxAccountsUI.login(onsuccess, onerror), refreshAuthentication becomes FxAccountsUI.refreshAuthentication(email, ...).",
		Show: []string{"."}},
	{From: systemUI, To: systemDialog, Phase: phaseUI, Name: "*show*", Tag: "II.8",
		Caller: "FxAccountsUI.loadFlow", Callee: "FxAccountsDialog.show",
		Why: "loadFlow puts an iframe with fxa/fxa_module.html#login into the FxAccountsDialog (a SystemDialog) and shows it."},
	{From: systemUI, To: module, Phase: phaseUI, Tag: "II.8",
		Caller: "FxAccountsUI.loadFlow", Callee: "fxa_module.html",
		Why:  "The iframe loads fxa/fxa_module.html with the flow name after '#' (login or refresh_auth); FxaModuleManager reads it and starts the flow's first screen.",
		Show: []string{"."}},
	// II.9: the user in the black box.
	{From: user, To: module, Phase: phaseUI, Tag: "II.9",
		Caller: "user", Callee: "fxa_module screen",
		Why:  "The user works through the interactive flow (fxam_*.js screens): e-mail, then password for an existing account, Next, and Done on the success screen.",
		Show: []string{"value"}},
	{From: user, To: dialogManager, Phase: phaseUI, Tag: "II.9",
		Caller: "user", Callee: "SystemDialogManager",
		Why: "The user presses Home: the System app hides the active dialog with that reason, and FxAccountsUI reports DIALOG_CLOSED_BY_USER."},
	{From: dialogManager, To: systemDialog, Phase: phaseUI, Tag: "II.9",
		Caller: "SystemDialogManager", Callee: "FxAccountsDialog.hide",
		Why: "Home deactivates the active system dialog, which calls its onHide with the reason."},
	{From: systemDialog, To: systemUI, Phase: phaseUI, Tag: "II.10",
		Caller: "FxAccountsDialog onHide", Callee: "FxAccountsUI.reset",
		Why: "The dialog is hidden; reset removes the iframe and, when the reason is home or holdhome, calls onerrorCb('DIALOG_CLOSED_BY_USER') first."},
	{From: module, To: systemClient, Phase: phaseUI, Tag: "II.9",
		Caller: "FxaModuleServerRequest", Callee: "FxAccountsClient (System)",
		Why:  "The module's screens reach the account service through the parent System window's FxAccountsClient (fxam_server_request.js).",
		Show: []string{"."}},
	{From: systemClient, To: mgmt, Name: wire.MozFxAccountsContentEvent, Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccountsClient._sendMessage", Callee: "FxAccountsMgmtService.handleEvent",
		Why:  "The System app asks Gecko's management service with a content event {id, data: {method, email, password}}.",
		Show: []string{"method", "email"}},
	{From: mgmt, To: manager, Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccountsMgmtService", Callee: "FxAccountsManager",
		Why:  "The management service calls the matching FxAccountsManager method (queryAccount, signIn, signUp, ...).",
		Show: []string{"email"}},
	{From: manager, To: server, Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccountsManager", Callee: "FxA auth server",
		Why:  "The manager talks to the FxA auth server through FxAccountsClient.jsm: does the account exist, or log in with the password-derived authPW.",
		Show: []string{"email"}},
	{From: server, To: manager, Phase: phaseUI, Tag: "II.9",
		Caller: "FxA auth server", Callee: "FxAccountsManager",
		Why:  "The server answers; a login returns the uid, a session token and whether the e-mail is verified.",
		Show: []string{"value", "reason"}},
	{From: manager, To: fxAccounts, Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccountsManager._signInSignUp", Callee: "FxAccounts",
		Why: "Signing in reads the current user and then stores the new one (setSignedInUser), unless this is a password refresh, which only proves the password."},
	{From: fxAccounts, To: manager, Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccounts", Callee: "FxAccountsManager._signInSignUp",
		Why:  "FxAccounts answers the manager's account call.",
		Show: []string{"value"}},
	{From: fxAccounts, Name: "fxaccounts:*", Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccounts.setSignedInUser", Callee: "observers",
		Why: "Storing the user notifies fxaccounts:onlogin; FirefoxAccounts would re-run request() for every watching page but skips this one, whose request is still pending."},
	{From: manager, To: mgmt, Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccountsManager", Callee: "FxAccountsMgmtService",
		Why:  "The manager's promise settles and the management service turns it into its reply.",
		Show: []string{"value", "reason"}},
	{From: mgmt, To: systemClient, Name: wire.MozFxAccountsChromeEvent, Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccountsMgmtService", Callee: "FxAccountsClient (System)",
		Why:  "Gecko replies with a chrome event {id, data} or {id, error}, which the System client hands to the module's callback.",
		Show: []string{"data", "error"}},
	{From: mgmt, To: systemManager, Name: wire.MozFxAccountsUnsolChromeEvent, Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccountsMgmtService", Callee: "fxa_manager.handleEvent",
		Why:  "The management service re-emits fxaccounts:onlogin to Gaia as an unsolicited chrome event; fxa_manager relays it to the IAC port of certified apps, if one is connected.",
		Show: []string{"eventName"}},
	{From: systemClient, To: module, Phase: phaseUI, Tag: "II.9",
		Caller: "FxAccountsClient (System)", Callee: "fxa_module screen",
		Why:  "The answer reaches the screen that asked: the next screen appears, or an error overlay and the user stays.",
		Show: []string{"."}},
	{From: module, To: systemUI, Phase: phaseUI, Tag: "II.9",
		Caller: "FxaModuleManager", Callee: "FxAccountsUI.done / error",
		Why:  "On closing, the module sends its result to done() (signed in: the params with verified) or error() (e.g. DIALOG_CLOSED_BY_USER from the X button) in fxa_ui.js.",
		Show: []string{"."}},
	{From: module, Phase: phaseUI, Tag: "II.9",
		Caller: "fxa_module", Callee: "",
		Why:  "The FxA module (the black box of II.9) moves the interactive flow along.",
		Show: []string{"."}},
	// II.10: the answer goes back to Gecko.
	{From: systemUI, To: systemManager, Phase: phaseUI, Tag: "II.10",
		Caller: "FxAccountsUI.done / error", Callee: "fxa_manager onsuccess / onerror",
		Why:  "done() and error() call the onsuccess and onerror callbacks that fxa_manager.js passed to login().",
		Show: []string{"."}},
	{From: systemUI, To: systemDialog, Phase: phaseUI, Tag: "II.10",
		Caller: "FxAccountsUI.close", Callee: "FxAccountsDialog.hide",
		Why: "After reporting, FxAccountsUI closes the dialog (the closing animation, then hide)."},
	{From: systemManager, To: string(wire.FxAccountsUIGlue), Name: wire.MozFxAccountsRPContentEvent, Phase: phaseUI, Tag: "II.10",
		Caller: "fxa_manager._sendContentEvent", Callee: "FxAccountsUIGlue onContentEvent",
		Why:  "The callbacks send mozFxAccountsRPContentEvent {id, result} or {id, error} with the id from II.6, which the glue's one-shot listener receives.",
		Show: []string{"id", "result", "error"}},
	{From: systemUI, Phase: phaseUI, Tag: "II.10",
		Caller: "FxAccountsUI", Callee: "",
		Why:  "FxAccountsUI finishes the flow and tidies the dialog up.",
		Show: []string{"."}},
	{From: systemDialog, Phase: phaseUI, Tag: "II.10",
		Caller: "FxAccountsDialog", Callee: "",
		Why: "The system dialog that holds the FxA iframe changes state."},
}

// otherRules explain what the seed does not walk through: logout, Settings,
// notifications, verification polling, the network, closing windows.
var otherRules = []rule{
	// FirefoxAccounts reacting to notifications.
	{From: fxAccounts, To: string(wire.FirefoxAccounts), Name: wire.NotifyOnLogin,
		Caller: "FxAccounts", Callee: "FirefoxAccounts.observe",
		Why: "Someone signed in (Settings, FTU or another app's dialog): FirefoxAccounts re-runs request() for every watching page, so each can get onlogin."},
	{From: "*", To: string(wire.FirefoxAccounts), Name: wire.NotifyOnVerified,
		Caller: "FxAccountsManager", Callee: "FirefoxAccounts.observe",
		Why: "The account has just been verified: FirefoxAccounts re-runs request() for every watching page (S10), turning an earlier UNVERIFIED_ACCOUNT into onlogin."},
	{From: fxAccounts, To: string(wire.FirefoxAccounts), Name: wire.NotifyOnLogout,
		Caller: "FxAccounts", Callee: "FirefoxAccounts.observe",
		Why: "The device account signed out: FirefoxAccounts sends doLogout to every watching page."},
	{From: fxAccounts, To: manager, Name: "fxaccounts:*",
		Caller: "FxAccounts", Callee: "FxAccountsManager.observe",
		Why: "The manager drops its cached session when the account changes; a verification update is passed on to FirefoxAccounts and Gaia."},
	{From: "*", To: mgmt, Name: "fxaccounts:*",
		Caller: "FxAccounts", Callee: "FxAccountsMgmtService.observe",
		Why: "The management service forwards fxaccounts notifications to the System app."},
	{From: mgmt, To: systemManager, Name: wire.MozFxAccountsUnsolChromeEvent,
		Caller: "FxAccountsMgmtService", Callee: "fxa_manager.handleEvent",
		Why:  "Gaia hears onlogin, onverified or onlogout as an unsolicited chrome event and relays it to the connected certified app, if any.",
		Show: []string{"eventName"}},

	// Logout and local sign-out.
	{From: manager, To: fxAccounts, Name: wire.SignOut,
		Caller: "FxAccountsManager._signOut", Callee: "FxAccounts.signOut",
		Why: "The manager forgets its session and has FxAccounts delete the stored user (locally; the server session goes separately)."},
	{From: fxAccounts, To: manager, Name: "signOut:*",
		Caller: "FxAccounts.signOut", Callee: "FxAccountsManager",
		Why: "The stored user is gone."},
	{From: manager, To: server, Name: wire.OpSessionDestroy,
		Caller: "FxAccountsManager.signOut", Callee: "POST /session/destroy",
		Why: "Signing out also ends the session on the server (skipped when offline)."},
	{From: server, To: manager, Name: wire.OpSessionDestroy + ":*",
		Caller: "fxa-auth-server", Callee: "FxAccountsManager.signOut",
		Why: "The server has ended the session."},
	{From: fxAccounts, To: server, Name: wire.OpSessionDestroy,
		Caller: "FxAccounts.signOut", Callee: "POST /session/destroy",
		Why: "FxAccounts ends the old session on the server."},
	{From: server, To: fxAccounts, Name: wire.OpSessionDestroy + ":*",
		Caller: "fxa-auth-server", Callee: "FxAccounts.signOut",
		Why: "The server has ended the session."},

	// The manager's other account calls (outside the dialog: Settings, refresh, errno 110).
	{From: manager, To: fxAccounts, Name: wire.GetSignedInUser,
		Caller: "FxAccountsManager.getAccount", Callee: "FxAccounts.getSignedInUser",
		Why: "The manager reads the signed-in user from FxAccounts because it has no cached session."},
	{From: fxAccounts, To: manager, Name: "getSignedInUser:resolved",
		Caller: "FxAccounts.getSignedInUser", Callee: "FxAccountsManager.getAccount",
		Why:  "FxAccounts answers with the stored user, or null.",
		Show: []string{"value"}},
	{From: manager, To: fxAccounts, Name: wire.SetSignedInUser,
		Caller: "FxAccountsManager", Callee: "FxAccounts.setSignedInUser",
		Why: "The manager stores the signed-in user (after a sign-in, or a changed verification status)."},
	{From: fxAccounts, To: manager, Name: "setSignedInUser:*",
		Caller: "FxAccounts.setSignedInUser", Callee: "FxAccountsManager",
		Why: "The user is stored."},
	{From: manager, To: fxAccounts, Name: wire.AccountStatus,
		Caller: "FxAccountsManager._handleGetAssertionError", Callee: "FxAccounts.accountStatus",
		Why: "The server rejected the session token (errno 110): does the account still exist? If so the password changed and the user must retype it; if not, sign out and offer a fresh sign-in."},
	{From: fxAccounts, To: manager, Name: "accountStatus:*",
		Caller: "FxAccounts.accountStatus", Callee: "FxAccountsManager",
		Why:  "The account's existence decides between the password screen and a fresh sign-in.",
		Show: []string{"value"}},
	{From: fxAccounts, To: server, Name: wire.OpAccountStatus,
		Caller: "FxAccounts.accountStatus", Callee: "GET /account/status",
		Why: "FxAccounts asks the server whether the account still exists."},
	{From: server, To: fxAccounts, Name: wire.OpAccountStatus + ":*",
		Caller: "fxa-auth-server", Callee: "FxAccounts.accountStatus",
		Why:  "The server says whether the account exists.",
		Show: []string{"value"}},
	{From: manager, To: server, Name: wire.OpEmailStatus,
		Caller: "FxAccountsManager.verificationStatus", Callee: "GET /recovery_email/status",
		Why: "The stored user is unverified, so the manager asks the server in the background whether that has changed."},
	{From: server, To: manager, Name: wire.OpEmailStatus + ":*",
		Caller: "fxa-auth-server", Callee: "FxAccountsManager.verificationStatus",
		Why:  "The server reports the e-mail's verification status.",
		Show: []string{"value"}},
	{From: manager, To: server,
		Caller: "FxAccountsManager", Callee: "FxA auth server",
		Why:  "The manager calls the FxA auth server through FxAccountsClient.jsm.",
		Show: []string{"email"}},
	{From: server, To: manager,
		Caller: "FxA auth server", Callee: "FxAccountsManager",
		Why:  "The server answers the manager.",
		Show: []string{"value", "reason"}},

	// Verification polling.
	{Kind: "timer", From: fxAccounts, To: fxAccounts,
		Caller: "FxAccounts", Callee: "FxAccounts.pollEmailStatus",
		Why: "While the account is unverified FxAccounts polls the server: every 5 s for two minutes, then every 15 s, for at most 20 minutes."},
	{From: fxAccounts, To: server, Name: wire.OpEmailStatus,
		Caller: "FxAccounts.pollEmailStatus", Callee: "GET /recovery_email/status",
		Why: "FxAccounts asks whether the user has clicked the verification link."},
	{From: server, To: fxAccounts, Name: wire.OpEmailStatus + ":*",
		Caller: "fxa-auth-server", Callee: "FxAccounts.pollEmailStatus",
		Why:  "The server answers; once verified, FxAccounts stores it and tells the manager (fxaccounts:update onverified).",
		Show: []string{"value"}},
	{Kind: "timer",
		Caller: "", Callee: "",
		Why: "A timer the actor armed fires on the virtual clock."},

	// The manager reached from Gaia or Settings outside a dialog.
	{From: systemClient, To: mgmt, Name: wire.MozFxAccountsContentEvent,
		Caller: "FxAccountsClient._sendMessage", Callee: "FxAccountsMgmtService.handleEvent",
		Why:  "A certified app (Settings, FTU) asks Gecko's management service through the System app: {id, data: {method, ...}}.",
		Show: []string{"method", "email"}},
	{From: mgmt, To: manager,
		Caller: "FxAccountsMgmtService", Callee: "FxAccountsManager",
		Why:  "The management service calls the matching FxAccountsManager method.",
		Show: []string{"email"}},
	{From: manager, To: mgmt,
		Caller: "FxAccountsManager", Callee: "FxAccountsMgmtService",
		Why:  "The manager's promise settles and the management service turns it into its reply.",
		Show: []string{"value", "reason"}},
	{From: mgmt, To: systemClient, Name: wire.MozFxAccountsChromeEvent,
		Caller: "FxAccountsMgmtService", Callee: "FxAccountsClient (System)",
		Why:  "Gecko replies with a chrome event {id, data} or {id, error}.",
		Show: []string{"data", "error"}},
	{From: user, To: string(wire.Settings),
		Caller: "user", Callee: "Settings",
		Why:  "The user signs in or out from the Settings app's Firefox Accounts panel, not from a web page.",
		Show: []string{"email"}},
	{From: string(wire.Settings),
		Caller: "Settings", Callee: "",
		Why: "Settings asks the System app, over the fxa-mgmt IAC port, to act on the device account."},
	{To: string(wire.Settings),
		Caller: "", Callee: "Settings",
		Why: "The System app answers Settings over the fxa-mgmt IAC port."},
	{From: systemManager, To: systemClient,
		Caller: "fxa_manager.onPortMessage", Callee: "FxAccountsClient (System)",
		Why: "fxa_manager.js serves an IAC request by calling the System app's FxAccountsClient."},
	{From: systemClient, To: systemManager,
		Caller: "FxAccountsClient (System)", Callee: "fxa_manager",
		Why: "The client's answer goes back to fxa_manager.js, which posts it to the IAC port."},

	// The network and the world.
	{Name: wire.NotifyNetwork,
		Caller: "world", Callee: "",
		Why:  "The phone goes online or offline (network:offline-status-changed); each component keeps its own Services.io.offline.",
		Show: []string{"offline"}},
	{From: string(wire.World),
		Caller: "world", Callee: "",
		Why:  "The scenario changes the world around the phone.",
		Show: []string{"."}},

	// Messages that found nobody.
	{Kind: "dropped",
		Caller: "", Callee: "(gone)",
		Why: "The receiver no longer exists (its window closed), so the message is lost, as Gecko's sends to a dead frame were."},
}
