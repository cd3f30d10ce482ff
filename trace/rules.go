package trace

import (
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Frequently used patterns.
const (
	anyPage = "page[*]"
	anyNav  = "nsDOMIdentity[*]"
)

func isNull(p any) bool { return p == nil }

func valueIsNull(p any) bool {
	v, _ := objectPath(p, "value").(any)
	return v == nil
}

func valueIsToken(p any) bool {
	o, ok := objectPath(p, "value").(Object)
	return ok && o.String(memberRole) != ""
}

func eventNameIs(names ...string) func(any) bool {
	return func(p any) bool {
		o, _ := p.(Object)
		got := o.String("eventName")
		for _, n := range names {
			if got == n {
				return true
			}
		}
		return false
	}
}

// rules is the explanation table. Seed steps: fxos-mozid-control-flow.txt, part I
// (watch) and part II (request and sign in). Sentences paraphrase the reference
// notes (gecko-identity.md, fxaccounts-crypto.md, gaia-fxa.md).
var rules = []rule{
	// ---- The page's API calls and callbacks (I.1, I.8, II.1, II.14) ----
	{Kind: "call", From: anyPage, To: anyNav, Name: wire.CallWatch, Tag: "I.1",
		Caller: "RP page", Callee: "navigator.mozId.watch", File: "dom/identity/nsDOMIdentity.js",
		Why:  "The relying party hands navigator.mozId its callbacks (onlogin, onlogout, onready, onerror) and asks for Firefox Accounts with wantIssuer; watch() must come first and only once.",
		Show: []string{"."}},
	{Kind: "call", From: anyPage, To: anyNav, Name: wire.CallRequest, Tag: "II.1",
		Caller: "RP page", Callee: "navigator.mozId.request", File: "dom/identity/nsDOMIdentity.js",
		Why:  "The relying party wants an assertion now (usually from a click), optionally passing oncancel and refreshAuthentication.",
		Show: []string{"."}},
	{Kind: "call", From: anyPage, To: anyNav, Name: wire.CallLogout,
		Caller: "RP page", Callee: "navigator.mozId.logout", File: "dom/identity/nsDOMIdentity.js",
		Why: "The relying party asks to log the user out; in Firefox Accounts this signs the whole phone out, not just this site."},
	{Kind: "call", From: anyPage, To: anyNav, Name: wire.CallClose,
		Caller: "window", Callee: "nsDOMIdentity.uninit", File: "dom/identity/nsDOMIdentity.js",
		Why: "The page's window goes away (inner-window-destroyed), so its navigator.mozId tells the parent to forget the watcher."},
	{Kind: "call", From: anyPage, To: anyNav,
		Caller: "RP page", Callee: "navigator.mozId", File: "dom/identity/nsDOMIdentity.js",
		Why: "The relying party calls its navigator.mozId.", Show: []string{"."}},

	{Kind: "callback", From: anyNav, To: anyPage, Name: wire.CbThrows,
		Caller: "nsDOMIdentity", Callee: "RP page (exception)", File: "dom/identity/nsDOMIdentity.js",
		Why:  "navigator.mozId refuses the call synchronously: the page gets an exception and nothing is sent to the parent.",
		Show: []string{"."}},
	{Kind: "callback", From: anyNav, To: anyPage, Phase: phaseWatch, Tag: "I.8",
		Caller: "nsDOMIdentity._callWatchCallback", Callee: "RP page callback", File: "dom/identity/nsDOMIdentity.js",
		Why:  "nsDOMIdentity fires the callback the page registered in watch(): onlogin or onlogout for the state found, then onready (or onerror when the check failed).",
		Show: []string{"."}},
	{Kind: "callback", From: anyNav, To: anyPage, Name: wire.CbCancel, Phase: phaseRequest + "|" + phaseUI, Tag: "II.14",
		Caller: "nsDOMIdentity", Callee: "RP page oncancel", File: "dom/identity/nsDOMIdentity.js",
		Why: "The user closed the sign-in dialog, so the page gets the oncancel it passed to request() instead of onlogin."},
	{Kind: "callback", From: anyNav, To: anyPage, Phase: phaseRequest + "|" + phaseUI, Tag: "II.14",
		Caller: "nsDOMIdentity._callWatchCallback", Callee: "RP page callback", File: "dom/identity/nsDOMIdentity.js",
		Why:  "nsDOMIdentity fires the watch() callback that matches the answer: onlogin with the assertion, or onerror with a JSON string naming the error.",
		Show: []string{"."}},
	{Kind: "callback", From: anyNav, To: anyPage,
		Caller: "nsDOMIdentity._callWatchCallback", Callee: "RP page callback", File: "dom/identity/nsDOMIdentity.js",
		Why:  "nsDOMIdentity fires the page's callback for a message from the parent (here not caused by the page's own watch() or request()).",
		Show: []string{"."}},

	// ---- Child -> parent messages (I.3, II.2) ----
	{From: anyNav, To: string(wire.DOMIdentity), Name: wire.MsgRPWatch, Tag: "I.3",
		Caller: "nsDOMIdentity.watch", Callee: "DOMIdentity.receiveMessage",
		Why:  "nsDOMIdentity adds the window's id, origin and audience to the options and sends them over the message-manager wall from the content process to the parent.",
		Show: []string{"origin", "audience", "wantIssuer"}},
	{From: anyNav, To: string(wire.DOMIdentity), Name: wire.MsgRPRequest, Tag: "II.2",
		Caller: "nsDOMIdentity.request", Callee: "DOMIdentity.receiveMessage",
		Why:  "nsDOMIdentity sends the request, with the window's id and the request options, to the parent process.",
		Show: []string{"origin", "audience", "options"}},
	{From: anyNav, To: string(wire.DOMIdentity), Name: wire.MsgRPLogout,
		Caller: "nsDOMIdentity.logout", Callee: "DOMIdentity.receiveMessage",
		Why: "nsDOMIdentity sends the logout to the parent process."},
	{From: anyNav, To: string(wire.DOMIdentity), Name: wire.MsgRPUnwatch,
		Caller: "nsDOMIdentity.uninit", Callee: "DOMIdentity.receiveMessage",
		Why: "The window is gone: the parent must drop its watch context so no callback targets a dead page."},

	// ---- DOMIdentity -> the service (I.4, II.3) ----
	{From: string(wire.DOMIdentity), To: string(wire.FirefoxAccounts), Name: wire.RPWatch, Tag: "I.4",
		Caller: "DOMIdentity._watch", Callee: "FirefoxAccounts.watch",
		Why: "DOMIdentity stores an RPWatchContext for the window and, because wantIssuer is firefox-accounts and FxA is enabled, hands it to FirefoxAccounts.jsm."},
	{From: string(wire.DOMIdentity), To: string(wire.FirefoxAccounts), Name: wire.RPRequest, Tag: "II.3",
		Caller: "DOMIdentity._request", Callee: "FirefoxAccounts.request",
		Why: "DOMIdentity routes the request to the service chosen at watch() time, FirefoxAccounts.jsm."},
	{From: string(wire.DOMIdentity), To: string(wire.FirefoxAccounts), Name: wire.RPLogout,
		Caller: "DOMIdentity._logout", Callee: "FirefoxAccounts.logout",
		Why: "DOMIdentity routes the logout to FirefoxAccounts.jsm."},
	{From: string(wire.DOMIdentity), To: string(wire.FirefoxAccounts), Name: wire.RPUnwatch,
		Caller: "DOMIdentity._unwatch", Callee: "FirefoxAccounts.unwatch",
		Why: "FirefoxAccounts forgets the window's flow; callbacks for it are dropped from now on."},
	{From: string(wire.DOMIdentity), To: string(wire.MinimalIdentity),
		Caller: "DOMIdentity", Callee: "MinimalIdentity",
		Why: "The page did not ask for Firefox Accounts (or FxA is disabled), so DOMIdentity falls back to the BrowserID service, which this simulator does not model further."},

	// ---- FirefoxAccounts -> FxAccountsManager (I.5, II.4) ----
	{From: string(wire.FirefoxAccounts), To: string(wire.FxAccountsManager), Name: wire.GetAssertion, Phase: phaseWatch, Tag: "I.5",
		Caller: "FirefoxAccounts.watch", Callee: "FxAccountsManager.getAssertion",
		Why:  "FirefoxAccounts keeps the flow and, on the next tick, asks the b2g manager for an assertion with {silent: true}, so that no UI can appear during watch().",
		Show: []string{"audience", "options"}},
	{From: string(wire.FirefoxAccounts), To: string(wire.FxAccountsManager), Name: wire.GetAssertion, Tag: "II.4",
		Caller: "FirefoxAccounts.request", Callee: "FxAccountsManager.getAssertion",
		Why:  "FirefoxAccounts marks the request pending and asks the manager for an assertion for the page's audience, this time without silent.",
		Show: []string{"audience", "options"}},
	{From: string(wire.FirefoxAccounts), To: string(wire.FxAccountsManager), Name: wire.SignOut,
		Caller: "FirefoxAccounts.logout", Callee: "FxAccountsManager.signOut",
		Why: "Per-site logout means nothing in Firefox Accounts, so FirefoxAccounts signs the device account out."},

	// ---- FxAccountsManager reads the user (I.6, II.5) ----
	{From: string(wire.FxAccountsManager), To: string(wire.FxAccounts), Name: wire.GetSignedInUser, Phase: phaseWatch, Tag: "I.6",
		Caller: "FxAccountsManager.getAccount", Callee: "FxAccounts.getSignedInUser",
		Why: "getAssertion first needs the signed-in user; the manager reads it from FxAccounts (signedInUser.json) unless it has it cached."},
	{From: string(wire.FxAccountsManager), To: string(wire.FxAccounts), Name: wire.GetSignedInUser, Phase: phaseRequest, Tag: "II.5",
		Caller: "FxAccountsManager.getAccount", Callee: "FxAccounts.getSignedInUser",
		Why: "getAssertion looks up the signed-in user to decide between an assertion and the sign-in UI."},
	{From: string(wire.FxAccounts), To: string(wire.FxAccountsManager), Name: "getSignedInUser:resolved", Phase: phaseWatch, Tag: "I.6",
		Caller: "FxAccounts.getSignedInUser", Callee: "FxAccountsManager.getAccount",
		Why:  "FxAccounts answers with the stored user, or null when nobody is signed in on the phone.",
		Show: []string{"value"}},
	{From: string(wire.FxAccounts), To: string(wire.FxAccountsManager), Name: "getSignedInUser:resolved", Phase: phaseRequest, When: valueIsNull, Tag: "II.5",
		Caller: "FxAccounts.getSignedInUser", Callee: "FxAccountsManager.getAccount",
		Why:  "Nobody is signed in: getAssertion notices there is no user and, not being silent, goes to _uiRequest.",
		Show: []string{"value"}},
	{From: string(wire.FxAccounts), To: string(wire.FxAccountsManager), Name: "getSignedInUser:resolved", Phase: phaseRequest, Tag: "II.5",
		Caller: "FxAccounts.getSignedInUser", Callee: "FxAccountsManager.getAccount",
		Why:  "A user is signed in: getAssertion checks verification, refreshAuthentication and the app's permission before minting an assertion.",
		Show: []string{"value"}},

	// ---- The manager answers FirefoxAccounts (I.6, II.13) ----
	{From: string(wire.FxAccountsManager), To: string(wire.FirefoxAccounts), Name: "getAssertion:resolved", Phase: phaseWatch, When: valueIsNull, Tag: "I.6",
		Caller: "FxAccountsManager.getAssertion", Callee: "FirefoxAccounts.watch",
		Why:  "Nobody is logged in and {silent: true} forbids the UI, so getAssertion resolves null instead of opening the sign-in dialog.",
		Show: []string{"value"}},
	{From: string(wire.FxAccountsManager), To: string(wire.FirefoxAccounts), Name: "getAssertion:resolved", Phase: phaseWatch, Tag: "I.6",
		Caller: "FxAccountsManager.getAssertion", Callee: "FirefoxAccounts.watch",
		Why:  "A verified user is logged in, so even the silent check returns a fresh assertion for the page's audience.",
		Show: []string{"value"}},
	{From: string(wire.FxAccountsManager), To: string(wire.FirefoxAccounts), Name: "getAssertion:rejected", Phase: phaseWatch, Tag: "I.6",
		Caller: "FxAccountsManager.getAssertion", Callee: "FirefoxAccounts.watch",
		Why:  "getAssertion found a simple error (offline, unverified account, permission) and rejects with {error, details}.",
		Show: []string{"reason"}},
	{From: string(wire.FxAccountsManager), To: string(wire.FirefoxAccounts), Name: "getAssertion:resolved", Tag: "II.13",
		Caller: "FxAccountsManager.getAssertion", Callee: "FirefoxAccounts.request",
		Why:  "The promise FirefoxAccounts got in II.4 resolves with the backed assertion (or null when a refresh is already in progress).",
		Show: []string{"value"}},
	{From: string(wire.FxAccountsManager), To: string(wire.FirefoxAccounts), Name: "getAssertion:rejected", Tag: "II.13",
		Caller: "FxAccountsManager._error", Callee: "FirefoxAccounts.request",
		Why:  "The promise FirefoxAccounts got in II.4 rejects; FirefoxAccounts will read DIALOG_CLOSED_BY_USER as a cancel and anything else as an error.",
		Show: []string{"reason"}},
	{From: string(wire.FxAccountsManager), To: string(wire.FirefoxAccounts), Name: "signOut:*",
		Caller: "FxAccountsManager.signOut", Callee: "FirefoxAccounts.logout",
		Why: "The device account is signed out; FirefoxAccounts now tells the page (doLogout)."},

	// ---- FirefoxAccounts -> DOMIdentity (I.7, II.13) ----
	{From: string(wire.FirefoxAccounts), To: string(wire.DOMIdentity), Name: wire.DoLogout, Phase: phaseWatch, Tag: "I.7",
		Caller: "FirefoxAccounts.watch", Callee: "RPWatchContext.doLogout",
		Why: "null means nobody is logged in, so FirefoxAccounts calls the window's context doLogout."},
	{From: string(wire.FirefoxAccounts), To: string(wire.DOMIdentity), Name: wire.DoLogin, Phase: phaseWatch, Tag: "I.7",
		Caller: "FirefoxAccounts.watch", Callee: "RPWatchContext.doLogin",
		Why:  "An assertion means the user is logged in: doLogin carries it back towards the page.",
		Show: []string{"assertion"}},
	{From: string(wire.FirefoxAccounts), To: string(wire.DOMIdentity), Name: wire.DoReady, Phase: phaseWatch, Tag: "I.7",
		Caller: "FirefoxAccounts.watch", Callee: "RPWatchContext.doReady",
		Why: "After doLogin or doLogout the silent check is over, and FirefoxAccounts always follows with doReady."},
	{From: string(wire.FirefoxAccounts), To: string(wire.DOMIdentity), Name: wire.DoError, Phase: phaseWatch, Tag: "I.7",
		Caller: "FirefoxAccounts.watch", Callee: "RPWatchContext.doError",
		Why:  "The silent check failed: FirefoxAccounts reports doError, and no doReady ever follows.",
		Show: []string{"message"}},
	{From: string(wire.FirefoxAccounts), To: string(wire.DOMIdentity), Name: wire.DoLogin, Phase: phaseRequest, Tag: "II.13",
		Caller: "FirefoxAccounts.request", Callee: "RPWatchContext.doLogin",
		Why:  "FirefoxAccounts passes the assertion back to DOMIdentity with doLogin, as watch() did in I.7.",
		Show: []string{"assertion"}},
	{From: string(wire.FirefoxAccounts), To: string(wire.DOMIdentity), Name: wire.DoCancel, Phase: phaseRequest, Tag: "II.13",
		Caller: "FirefoxAccounts.request", Callee: "RPWatchContext.doCancel",
		Why: "The rejection carries DIALOG_CLOSED_BY_USER, which FirefoxAccounts turns into doCancel rather than doError."},
	{From: string(wire.FirefoxAccounts), To: string(wire.DOMIdentity), Name: wire.DoError, Phase: phaseRequest, Tag: "II.13",
		Caller: "FirefoxAccounts.request", Callee: "RPWatchContext.doError",
		Why:  "FirefoxAccounts passes the error back to DOMIdentity with doError.",
		Show: []string{"message"}},
	{From: string(wire.FirefoxAccounts), To: string(wire.DOMIdentity), Name: wire.DoLogout,
		Caller: "FirefoxAccounts", Callee: "RPWatchContext.doLogout",
		Why: "The device account signed out (logout() or the fxaccounts:onlogout notification), so every watching page hears doLogout."},
	{From: string(wire.FirefoxAccounts), To: string(wire.DOMIdentity),
		Caller: "FirefoxAccounts", Callee: "RPWatchContext",
		Why:  "FirefoxAccounts reports to the window's watch context outside the page's own watch() or request() (an observer notification re-ran the flow).",
		Show: []string{"assertion", "message"}},

	// ---- DOMIdentity -> the child (I.7, II.13) ----
	{From: string(wire.DOMIdentity), To: anyNav, Name: "Identity:RP:Watch:On*", Phase: phaseWatch, Tag: "I.7",
		Caller: "RPWatchContext", Callee: "nsDOMIdentity.receiveMessage",
		Why:  "DOMIdentity sends the answer back over the message-manager wall, on the page's own message manager, so it arrives in the order it was sent.",
		Show: []string{"assertion", "message"}},
	{From: string(wire.DOMIdentity), To: anyNav, Name: "Identity:RP:Watch:On*", Phase: phaseRequest + "|" + phaseUI, Tag: "II.13",
		Caller: "RPWatchContext", Callee: "nsDOMIdentity.receiveMessage",
		Why:  "DOMIdentity forwards the outcome of the request to the page's process, as in I.7.",
		Show: []string{"assertion", "message"}},
	{From: string(wire.DOMIdentity), To: anyNav, Name: "Identity:RP:Watch:On*",
		Caller: "RPWatchContext", Callee: "nsDOMIdentity.receiveMessage",
		Why:  "DOMIdentity forwards a callback to the page's process.",
		Show: []string{"assertion", "message"}},

	// ---- The UI request (II.6, II.11) ----
	{From: string(wire.FxAccountsManager), To: string(wire.FxAccountsUIGlue), Name: wire.SignInFlow, Tag: "II.6",
		Caller: "FxAccountsManager._uiRequest", Callee: "FxAccountsUIGlue.signInFlow",
		Why: "Nobody is signed in and the page is not silent, so _uiRequest asks the UI glue to show the Firefox Accounts sign-in flow."},
	{From: string(wire.FxAccountsManager), To: string(wire.FxAccountsUIGlue), Name: wire.RefreshAuthentication, Tag: "II.6",
		Caller: "FxAccountsManager._refreshAuthentication", Callee: "FxAccountsUIGlue.refreshAuthentication",
		Why:  "The user must type the password again (refreshAuthentication too old, or a PROMPT permission), so the manager asks the glue for the password screen.",
		Show: []string{"email"}},
	{From: string(wire.FxAccountsUIGlue), To: string(wire.SystemFxAccountsManager), Name: wire.MozFxAccountsUnsolChromeEvent, When: eventNameIs(wire.EventOpenFlow, wire.EventRefreshAuthentication), Tag: "II.6",
		Caller: "FxAccountsUIGlue.signInFlow", Callee: "fxa_manager.handleEvent",
		Why:  "Gecko cannot draw the dialog itself: the glue sends the System app a chrome event with a new UUID, listens for the reply with that id, and returns a promise to _uiRequest.",
		Show: []string{"eventName", "id", "data"}},
	{From: string(wire.FxAccountsUIGlue), To: string(wire.FxAccountsManager), Name: "signInFlow:resolved", Tag: "II.11",
		Caller: "FxAccountsUIGlue onContentEvent", Callee: "FxAccountsManager._uiRequest",
		Why:  "The content event carried our id and a result, so onContentEvent resolves the promise _uiRequest was waiting on.",
		Show: []string{"value"}},
	{From: string(wire.FxAccountsUIGlue), To: string(wire.FxAccountsManager), Name: "signInFlow:rejected", Tag: "II.11",
		Caller: "FxAccountsUIGlue onContentEvent", Callee: "FxAccountsManager._uiRequest",
		Why:  "The content event carried an error (e.g. DIALOG_CLOSED_BY_USER), so onContentEvent rejects the promise _uiRequest was waiting on.",
		Show: []string{"reason"}},
	{From: string(wire.FxAccountsUIGlue), To: string(wire.FxAccountsManager), Name: "refreshAuthentication:*", Tag: "II.11",
		Caller: "FxAccountsUIGlue onContentEvent", Callee: "FxAccountsManager._refreshAuthentication",
		Why:  "The password screen answered, and the glue settles the manager's promise with its result or error.",
		Show: []string{"value", "reason"}},

	// ---- Minting the assertion (I.6 when signed in, II.12) ----
	{From: string(wire.FxAccountsManager), To: string(wire.FxAccounts), Name: wire.GetAssertion, Phase: phaseWatch, Tag: "I.6",
		Caller: "FxAccountsManager._getAssertion", Callee: "FxAccounts.getAssertion",
		Why:  "The user is logged in and verified, so the manager asks FxAccounts.jsm to build an assertion for the audience.",
		Show: []string{"audience"}},
	{From: string(wire.FxAccountsManager), To: string(wire.FxAccounts), Name: wire.GetAssertion, Tag: "II.12",
		Caller: "FxAccountsManager._getAssertion", Callee: "FxAccounts.getAssertion",
		Why:  "The account is signed in and verified, so the manager asks FxAccounts.jsm, which marshals the data and does the crypto, for an assertion.",
		Show: []string{"audience"}},
	{From: string(wire.FxAccounts), To: string(wire.FxAServer), Name: wire.OpCertSign, Phase: phaseWatch, Tag: "I.6",
		Caller: "FxAccounts.getCertificate", Callee: "POST /certificate/sign",
		Why:  "No valid certificate is cached, so FxAccounts sends its fresh DSA public key to the auth server to be signed for six hours.",
		Show: []string{"publicKey", "duration"}},
	{From: string(wire.FxAccounts), To: string(wire.FxAServer), Name: wire.OpCertSign, Tag: "II.12",
		Caller: "FxAccounts.getCertificate", Callee: "POST /certificate/sign",
		Why:  "No valid certificate is cached, so FxAccounts sends its fresh DSA public key to the auth server to be signed for six hours.",
		Show: []string{"publicKey", "duration"}},
	{From: string(wire.FxAServer), To: string(wire.FxAccounts), Name: wire.OpCertSign + ":resolved", Phase: phaseWatch, Tag: "I.6",
		Caller: "fxa-auth-server", Callee: "FxAccounts.getCertificate",
		Why:  "The server returns an RS256 certificate binding the user's e-mail to the public key; FxAccounts caches it and signs the assertion with the private key.",
		Show: []string{"value"}},
	{From: string(wire.FxAServer), To: string(wire.FxAccounts), Name: wire.OpCertSign + ":resolved", Tag: "II.12",
		Caller: "fxa-auth-server", Callee: "FxAccounts.getCertificate",
		Why:  "The server returns an RS256 certificate binding the user's e-mail to the public key; FxAccounts caches it and signs the assertion with the private key.",
		Show: []string{"value"}},
	{From: string(wire.FxAccounts), To: string(wire.FxAccountsManager), Name: "getAssertion:resolved", Phase: phaseWatch, Tag: "I.6",
		Caller: "FxAccounts.getAssertion", Callee: "FxAccountsManager._getAssertion",
		Why:  "FxAccounts returns the backed assertion: the certificate and the DS128 assertion for the audience, joined by '~'.",
		Show: []string{"value"}},
	{From: string(wire.FxAccounts), To: string(wire.FxAccountsManager), Name: "getAssertion:resolved", Tag: "II.12",
		Caller: "FxAccounts.getAssertion", Callee: "FxAccountsManager._getAssertion",
		Why:  "FxAccounts returns the backed assertion: the certificate and the DS128 assertion for the audience, joined by '~'.",
		Show: []string{"value"}},
	{From: string(wire.FxAccounts), To: string(wire.FxAccountsManager), Name: "getAssertion:rejected",
		Caller: "FxAccounts.getAssertion", Callee: "FxAccountsManager._getAssertion",
		Why:  "Minting failed (offline with a stale certificate, or the server refused); the manager recovers only from errno 110, an invalid session token.",
		Show: []string{"reason"}},
	{From: string(wire.FxAServer), To: string(wire.FxAccounts), Name: wire.OpCertSign + ":rejected",
		Caller: "fxa-auth-server", Callee: "FxAccounts.getCertificate",
		Why:  "The server refused to sign the key (e.g. errno 110: the session token is no longer valid).",
		Show: []string{"reason"}},
}
