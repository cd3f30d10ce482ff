// Package era is the simulated phone's software generation: which versions of
// the Gecko identity modules and of the Gaia System app a run reproduces. It
// stands for no single historic component; it names a B2G build. Every actor
// whose behaviour changed between the two builds takes the one Era value and
// asks it a question named after the behaviour, and each question cites the
// source version that decides it (tags as in ../shared/reference/).
//
//   - Spring2014 is B2G 1.4/2.0 as of March-May 2014: nsDOMIdentity [D-early]
//     (XPCOM), DOMIdentity of that time, FirefoxAccounts [F-v1],
//     FxAccountsManager [M-A], FxAccountsUIGlue [G-1], and the Gaia System app
//     of the contacts-backup branch (ozten/gaia@bb3e602d, 2014-03-21).
//   - Y2015 is B2G 2.2 as of 2015: [D-late] (WebIDL), [P-late], [F-v3], [M-C],
//     [G-3] and the 2015 Gaia FxAccountsUI. It is the default.
package era

import "fmt"

// Era is one software generation. The zero value is not an era: use Parse, or
// Of, which maps "" to the default.
type Era string

// The two generations.
const (
	Spring2014 Era = "2014"
	Y2015      Era = "2015"
	// Default is the era of a scenario that names none.
	Default = Y2015
)

// All lists the eras, oldest first.
var All = []Era{Spring2014, Y2015}

// Parse reads an era as scenarios and flags write it.
func Parse(s string) (Era, error) {
	switch Era(s) {
	case Spring2014, Y2015:
		return Era(s), nil
	}
	return "", fmt.Errorf("era %q is not one of 2014, 2015", s)
}

// Of is e, or Default when e is empty.
func Of(e Era) Era {
	if e == "" {
		return Default
	}
	return e
}

func (e Era) String() string { return string(Of(e)) }

func (e Era) is2014() bool { return Of(e) == Spring2014 }

// Versions names the historic versions the era stands for, for READMEs,
// headers and help text.
func (e Era) Versions() string {
	if e.is2014() {
		return "spring 2014 (B2G 1.4/2.0): nsDOMIdentity D-early, DOMIdentity of that time, FirefoxAccounts F-v1, FxAccountsManager M-A, FxAccountsUIGlue G-1, Gaia contacts-backup (2014-03)"
	}
	return "2015 (B2G 2.2): nsDOMIdentity D-late (WebIDL), DOMIdentity P-late, FirefoxAccounts F-v3, FxAccountsManager M-C, FxAccountsUIGlue G-3, Gaia 2015"
}

// --- nsDOMIdentity.js (the page's navigator.mozId) ---

// WebIDL: navigator.mozId is the WebIDL interface of dom/webidl/Identity.webidl
// (autumn 2014, Gaia's fix for Bug 1011084), so options pass through its
// dictionaries. [D-early] is XPCOM: the page's object is read as it is.
func (e Era) WebIDL() bool { return !e.is2014() }

// ChildSideAuthorisation: [D-early] DOMIdentityMessage refuses wantIssuer
// "firefox-accounts" for apps that are neither privileged nor certified, with
// the synchronous ERROR_NOT_AUTHORIZED_FOR_FIREFOX_ACCOUNTS. [D-mid]+ moved the
// gate to the parent's permission check.
func (e Era) ChildSideAuthorisation() bool { return e.is2014() }

// PrivilegedSkipsUserInputGate: the request() user-input gate exempts
// privileged apps from [D-mid] on (Bug 982460); [D-early] exempts certified
// apps only (test_syntheticEvents.html of 2014 expects the error for a
// privileged app "until bug 982460 lands").
func (e Era) PrivilegedSkipsUserInputGate() bool { return !e.is2014() }

// RawOnError: [D-early] receiveMessage calls onerror(msg.message), the
// manager's rejection object as it is; [D-mid]+ pass
// JSON.stringify({name: msg.message.error}).
func (e Era) RawOnError() bool { return e.is2014() }

// NormalisesNullStrings: [D-late] maps loggedInUser "null"/"undefined" (what
// the WebIDL DOMString conversion makes of null and undefined) back to null;
// [D-early] only skips a falsy value or the string "undefined".
func (e Era) NormalisesNullStrings() bool { return !e.is2014() }

// --- DOMIdentity.jsm (the parent router) ---

// ParentPermissionCheck: [P-late] hasPermission tests "firefox-accounts" for
// the message principal and throws PERMISSION_DENIED. The 2014 DOMIdentity made
// no check of its own in practice (the 2014 mochitests test_syntheticEvents.html
// and test_declareAudience.html reach the manager with no permission granted):
// principal passing and hasPermission arrived together later.
func (e Era) ParentPermissionCheck() bool { return !e.is2014() }

// UnwatchDeletesContext: only [P-late] deletes DOMIdentity's own context on
// Identity:RP:Unwatch (deleteContextForMM, keyed by message manager). Earlier
// versions only told the service to unwatch.
func (e Era) UnwatchDeletesContext() bool { return !e.is2014() }

// --- FirefoxAccounts.jsm (the RP service) ---

// LoginLogoutNotifications: [F-v2]+ observe fxaccounts:onlogin (request() for
// every flow) and fxaccounts:onlogout (doLogout for every flow); [F-v1] only
// observes fxaccounts:onverified.
func (e Era) LoginLogoutNotifications() bool { return !e.is2014() }

// PendingRequest: [F-v3] ignores a request() while one is pending for the same
// window and, in cleanupRPRequest, writes the flow back into _rpFlows (so a
// window unwatched meanwhile comes back). [F-v1] has neither.
func (e Era) PendingRequest() bool { return !e.is2014() }

// NestedCancel: [F-v2]/[F-v3] recognise a cancel in error.details or
// error.error.details (the bare string of [G-3]); [F-v0]/[F-v1] in
// error.details.error (the whole {id, error} detail that [G-1] rejects with).
func (e Era) NestedCancel() bool { return !e.is2014() }

// PrincipalToManager: [F-v3] passes the window's principal to getAssertion
// ([M-C] tests the firefox-accounts permission with it); [F-v1] and [M-A] know
// no principal.
func (e Era) PrincipalToManager() bool { return !e.is2014() }

// --- FxAccountsManager.jsm ---

// OfflineFirst: [M-A] getAssertion rejects OFFLINE before the account lookup;
// [M-C] checks the network only in _uiRequest (and the server call fails).
func (e Era) OfflineFirst() bool { return e.is2014() }

// WaitsForVerification: [M-A] getAccount waits for verificationStatus (GET
// /recovery_email/status) when the cached user is unverified and the phone is
// online; [M-B]+ fire it in the background.
func (e Era) WaitsForVerification() bool { return e.is2014() }

// RefreshSignsOutFirst: [M-A] treats a truthy refreshAuthentication older than
// authAt as a full _signOut() before the refresh UI (silent: resolve null);
// [M-C] keeps the user signed in, tests `!== undefined`, refuses it with silent
// (NO_SILENT_REFRESH_AUTH) and checks the permission.
func (e Era) RefreshSignsOutFirst() bool { return e.is2014() }

// --- FxAccountsUIGlue.js ---

// WholeDetailRejection: [G-1] _contentRequest rejects with the whole content
// event detail {id, error}; [G-3] ContentRequestHelper with detail.error only.
func (e Era) WholeDetailRejection() bool { return e.is2014() }

// --- Gaia System app ---

// AccountIDKey: the spring-2014 stack names the account "accountId" where the
// 2015 one says "email": Gaia's FxAccountsClient of March 2014 (ozten/gaia@bb3e602d
// apps/system/js/fxa_client.js queryAccount, signIn, signUp) in a
// mozFxAccountsContentEvent's data, read by FxAccountsMgmtService.jsm
// handleEvent (lissyx/mozilla-central@51cc7196) as data.accountId; [G-1]
// refreshAuthentication(aAccountId) in the chrome event's data {accountId},
// read by fxa_manager.js handleEvent (ozten/gaia@bb3e602d) as
// message.data.accountId. From mid-2014 (mozilla-b2g/gaia@0b5850cb fxa_client.js,
// @84c3bf62 fx_accounts_client.js, [G-3] refreshAuthentication(aEmail)) it is
// "email".
func (e Era) AccountIDKey() bool { return e.is2014() }
