// Package wire is the protocol between mozidsim's actors: every actor address, every
// message name and every payload that crosses an actor boundary. It stands for the
// contracts the historic components kept with each other: the message-manager
// messages of dom/identity (nsDOMIdentity.js <-> DOMIdentity.jsm), the RP context
// methods DOMIdentity exposes to toolkit/identity/FirefoxAccounts.jsm, the promise
// APIs of services/fxaccounts, the custom events between b2g/components and the Gaia
// System app, and the FxA auth server's HTTP API.
//
// Names are the historic ones, byte for byte. Payloads are Go structs; values that
// were arbitrary JavaScript objects in Gecko (error reasons, UI results) are kept as
// JS-like values (string, float64, bool, nil, Obj, []any) so that JSON.stringify of
// them comes out exactly as Firefox OS produced it.
//
// Every payload field has a JSON name (the one traces show), Messages names
// each message's payload type and Decode reads a payload from that JSON, as a
// page sees it. A message that must come back as the same Go value crosses a
// socket in a Codec's envelope (envelope.go). Actors read payloads only through Read.
package wire

import (
	"github.com/mozidsim/mozidsim/internal/sim"
)

// Actor addresses. One historic component, one address.
const (
	DOMIdentity           sim.Addr = "DOMIdentity"           // dom/identity/DOMIdentity.jsm (parent)
	MinimalIdentity       sim.Addr = "MinimalIdentity"       // toolkit/identity/MinimalIdentity.jsm (BrowserID path; not simulated further)
	FirefoxAccounts       sim.Addr = "FirefoxAccounts"       // toolkit/identity/FirefoxAccounts.jsm
	FxAccountsManager     sim.Addr = "FxAccountsManager"     // services/fxaccounts/FxAccountsManager.jsm
	FxAccounts            sim.Addr = "FxAccounts"            // services/fxaccounts/FxAccounts.jsm
	FxAServer             sim.Addr = "FxA server"            // FxAccountsClient.jsm + hawk over the network to the auth server
	FxAccountsUIGlue      sim.Addr = "FxAccountsUIGlue"      // b2g/components/FxAccountsUIGlue.js (+ ContentRequestHelper.jsm)
	FxAccountsMgmtService sim.Addr = "FxAccountsMgmtService" // b2g/components/FxAccountsMgmtService.jsm

	SystemFxAccountsManager sim.Addr = "System/FxAccountsManager" // gaia apps/system/js/fxa_manager.js
	SystemFxAccountsUI      sim.Addr = "System/FxAccountsUI"      // gaia apps/system/js/fxa_ui.js
	SystemFxAccountsDialog  sim.Addr = "System/FxAccountsDialog"  // gaia apps/system/js/fxa_dialog.js (a SystemDialog)
	SystemFxAccountsClient  sim.Addr = "System/FxAccountsClient"  // gaia apps/system/js/fxa_client.js
	SystemDialogManager     sim.Addr = "System/SystemDialogManager"
	FxAModule               sim.Addr = "fxa_module" // gaia apps/system/fxa/ (the dialog iframe: FxaModuleManager + screens)
	Settings                sim.Addr = "Settings"   // the Settings app, for device-level sign in/out

	User   sim.Addr = "user"   // the person holding the phone (dialog input, Home button)
	World  sim.Addr = "world"  // the scenario driver: network switches, server admin, clock
	Driver sim.Addr = "driver" // a test or RP harness calling the page API
)

// Page is the address of an RP page's script (the relying party's own code).
func Page(app string) sim.Addr { return sim.Addr("page[" + app + "]") }

// NSDOMIdentity is the address of the page's navigator.mozId (dom/identity/nsDOMIdentity.js).
func NSDOMIdentity(app string) sim.Addr { return sim.Addr("nsDOMIdentity[" + app + "]") }

// MessageManager names a content process's child message manager, shared by
// every window of that process (apps that name the same process).
func MessageManager(process string) sim.Addr { return sim.Addr("mm[" + process + "]") }

// Child -> parent message-manager messages (nsDOMIdentity.js -> DOMIdentity.jsm).
const (
	MsgRPWatch   = "Identity:RP:Watch"
	MsgRPRequest = "Identity:RP:Request"
	MsgRPLogout  = "Identity:RP:Logout"
	MsgRPUnwatch = "Identity:RP:Unwatch"
)

// Parent -> child messages (DOMIdentity.jsm RPWatchContext -> nsDOMIdentity.js).
const (
	MsgOnLogin  = "Identity:RP:Watch:OnLogin"
	MsgOnLogout = "Identity:RP:Watch:OnLogout"
	MsgOnReady  = "Identity:RP:Watch:OnReady"
	MsgOnCancel = "Identity:RP:Watch:OnCancel"
	MsgOnError  = "Identity:RP:Watch:OnError"
)

// Page-side calls and callbacks (recorded as sim.KindCall / sim.KindCallback).
const (
	CallWatch   = "navigator.mozId.watch"
	CallRequest = "navigator.mozId.request"
	CallLogout  = "navigator.mozId.logout"
	CallClose   = "inner-window-destroyed"

	CbLogin  = "onlogin"
	CbLogout = "onlogout"
	CbReady  = "onready"
	CbCancel = "oncancel"
	CbError  = "onerror"
	CbThrows = "throws" // a synchronous exception out of watch()/request()/logout()
)

// AppStatus is the principal's app status (nsIPrincipal.APP_STATUS_*).
type AppStatus int

const (
	AppNotInstalled AppStatus = 0
	AppInstalled    AppStatus = 1 // hosted/packaged web app: scenario kind "web"
	AppPrivileged   AppStatus = 2
	AppCertified    AppStatus = 3
)

func (s AppStatus) String() string {
	switch s {
	case AppInstalled:
		return "web"
	case AppPrivileged:
		return "privileged"
	case AppCertified:
		return "certified"
	}
	return "not-installed"
}

// Principal identifies the page to the parent (the message principal, D-mid+).
type Principal struct {
	Origin    string    `json:"origin"`
	AppID     int       `json:"appID"`
	AppStatus AppStatus `json:"appStatus"`
	// Undeclared: the app's manifest lacks the firefox-accounts permission, so
	// PermissionsInstaller granted it nothing (the permission manager answers
	// UNKNOWN). Not part of the principal really: the permission database keyed
	// by it. Hidden from traces, which show what the principal carried.
	Undeclared bool `json:"undeclared" trace:"-"`
}

// Permission is an nsIPermissionManager answer.
type Permission int

const (
	PermUnknown Permission = 0
	PermAllow   Permission = 1
	PermDeny    Permission = 2
	PermPrompt  Permission = 3
)

func (p Permission) String() string {
	return [...]string{"UNKNOWN_ACTION", "ALLOW_ACTION", "DENY_ACTION", "PROMPT_ACTION"}[p]
}

// FirefoxAccountsPermission is the permission both DOMIdentity and FxAccountsManager test.
const FirefoxAccountsPermission = "firefox-accounts"

// PermissionOf is what the permission manager answered for an app's principal
// before any grant. When the manifest declares the permission it is the 2015
// PermissionsTable entry for "firefox-accounts" as an app sees it after
// "moz-firefox-accounts" substitution: certified ALLOW, privileged PROMPT,
// installed web apps DENY. It is UNKNOWN when the manifest does not declare it (sources-2014-2015.md, Permissions:
// a privileged app gets PROMPT only if its manifest declares it) and for a
// page that is no installed app.
func PermissionOf(p Principal) Permission {
	if p.Undeclared {
		return PermUnknown
	}
	switch p.AppStatus {
	case AppCertified:
		return PermAllow
	case AppPrivileged:
		return PermPrompt
	case AppInstalled:
		return PermDeny
	}
	return PermUnknown
}

// WantIssuerFxA is the wantIssuer value that selects Firefox Accounts.
const WantIssuerFxA = "firefox-accounts"

// AssertionOptions are the options that reach FxAccountsManager.getAssertion.
// RefreshAuthentication is a JS value: nil when absent, float64 seconds normally,
// anything else (a string) to reproduce INVALID_REFRESH_AUTH_VALUE.
type AssertionOptions struct {
	Silent                bool `json:"silent"`
	RefreshAuthentication any  `json:"refreshAuthentication"`
	// Extra carries the request options that travel unvalidated (siteName,
	// privacyPolicy, termsOfService, ...), in the order the page gave them.
	Extra Obj `json:"extra"`
}

// RPMessage is DOMIdentityMessage(options) as it crosses the message-manager wall.
type RPMessage struct {
	ID           string           `json:"id"` // the window's UUID
	Origin       string           `json:"origin"`
	Audience     string           `json:"audience"` // sanitised
	Errors       []string         `json:"errors"`
	WantIssuer   string           `json:"wantIssuer"`
	LoggedInUser *string          `json:"loggedInUser"` // nil: absent or null
	Options      AssertionOptions `json:"options"`
	Principal    Principal        `json:"principal"`
	Target       sim.Addr         `json:"target"` // the window's navigator.mozId: where the parent's replies end up
	// MM is the child message manager the message came through: the window's
	// own when its app has a process of its own, else its process's (shared).
	// DOMIdentity keys _mmContexts by it. Hidden from traces.
	MM sim.Addr `json:"mm" trace:"-"`
}

// UnwatchMessage is Identity:RP:Unwatch.
type UnwatchMessage struct {
	ID     string   `json:"id"`
	Target sim.Addr `json:"target"`
	MM     sim.Addr `json:"mm" trace:"-"` // as in RPMessage
}

// RPCallback is a parent->child callback message and the RPWatchContext do* call
// that produces it: Assertion for OnLogin/doLogin (nil is JS null), Message for
// OnError/doError (the service's error reason).
type RPCallback struct {
	ID        string  `json:"id"`
	Assertion *string `json:"assertion"`
	Message   any     `json:"message"`
	// Target is set on a do* call by the service that holds the RPWatchContext
	// (FirefoxAccounts keeps the context object itself in its flow, so it
	// reaches the window even after DOMIdentity dropped its own entry).
	Target sim.Addr `json:"target" trace:"-"`
	MM     sim.Addr `json:"mm" trace:"-"`
}

// DOMIdentity -> FirefoxAccounts (service.RP.*) and back (RPWatchContext.do*).
const (
	RPWatch   = "watch"
	RPRequest = "request"
	RPLogout  = "logout"
	RPUnwatch = "unwatch"

	DoLogin  = "doLogin"
	DoLogout = "doLogout"
	DoReady  = "doReady"
	DoCancel = "doCancel"
	DoError  = "doError"
)

// Promise-style calls between components in one process (FirefoxAccounts ->
// FxAccountsManager -> FxAccounts / FxAccountsUIGlue, MgmtService -> manager).
// A call carries a Call id chosen by the caller; the callee answers the sender with
// "<method>:resolved" (Resolved) or "<method>:rejected" (Rejected) and the same id.
const (
	GetAssertion          = "getAssertion"
	SignOut               = "signOut"
	SignIn                = "signIn"
	SignUp                = "signUp"
	GetAccount            = "getAccount"
	QueryAccount          = "queryAccount"
	ResendVerification    = "resendVerificationEmail"
	GetSignedInUser       = "getSignedInUser"
	SetSignedInUser       = "setSignedInUser"
	AccountStatus         = "accountStatus"
	SignInFlow            = "signInFlow"            // UI_REQUEST_SIGN_IN_FLOW
	RefreshAuthentication = "refreshAuthentication" // UI_REQUEST_REFRESH_AUTH
)

// Resolution suffixes.
const (
	ResolvedSuffix = ":resolved"
	RejectedSuffix = ":rejected"
)

// Resolved names the success reply to method.
func ResolvedName(method string) string { return method + ResolvedSuffix }

// RejectedName names the failure reply to method.
func RejectedName(method string) string { return method + RejectedSuffix }

// Resolved is a promise resolution.
type Resolved struct {
	Call  uint64 `json:"call"`
	Value any    `json:"value"`
}

// Rejected is a promise rejection; Reason is the JS rejection value.
type Rejected struct {
	Call   uint64 `json:"call"`
	Reason any    `json:"reason"`
}

// GetAssertionCall is FxAccountsManager.getAssertion(audience, principal, options)
// and, without principal/options, FxAccounts.getAssertion(audience).
type GetAssertionCall struct {
	Call      uint64           `json:"call"`
	Audience  string           `json:"audience"`
	Principal *Principal       `json:"principal"`
	Options   AssertionOptions `json:"options"`
}

// Credentials go with signIn/signUp.
type Credentials struct {
	Call     uint64 `json:"call"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// EmailCall carries one email (queryAccount, refreshAuthentication UI request, resendVerificationEmail).
type EmailCall struct {
	Call  uint64 `json:"call"`
	Email string `json:"email"`
}

// PlainCall is a call with no argument (signOut, getAccount, getSignedInUser, signInFlow).
type PlainCall struct {
	Call uint64 `json:"call"`
}

// SignOutCall is FxAccountsManager.signOut() and FxAccounts.signOut(localOnly):
// the manager is asked without the flag, and asks FxAccounts with it set.
type SignOutCall struct {
	Call      uint64 `json:"call"`
	LocalOnly bool   `json:"localOnly,omitempty"`
}

// AccountData is FxAccounts' signed-in user record (signedInUser.json).
type AccountData struct {
	Email        string `json:"email"`
	UID          string `json:"uid"`
	SessionToken string `json:"sessionToken"`
	Verified     bool   `json:"verified"`
	AuthAt       int64  `json:"authAt"` // seconds
}

// SetSignedInUserCall is FxAccounts.setSignedInUser(credentials).
type SetSignedInUserCall struct {
	Call uint64      `json:"call"`
	User AccountData `json:"user"`
}

// Observer notifications (Services.obs topics), sent straight to each observer.
const (
	NotifyOnLogin    = "fxaccounts:onlogin"
	NotifyOnVerified = "fxaccounts:onverified"
	NotifyOnLogout   = "fxaccounts:onlogout"
	NotifyUpdate     = "fxaccounts:update"
	NotifyNetwork    = "network:offline-status-changed"
)

// Notification is an observer-service notification; Data is the "data" argument.
type Notification struct {
	Data string `json:"data"`
}

// NetworkStatus is network:offline-status-changed, sent to every actor that checks
// Services.io.offline (each keeps its own copy: actors share no state).
type NetworkStatus struct {
	Offline bool `json:"offline"`
}

// Gecko <-> Gaia System app custom events.
const (
	MozFxAccountsUnsolChromeEvent = "mozFxAccountsUnsolChromeEvent"
	MozFxAccountsRPContentEvent   = "mozFxAccountsRPContentEvent"
	MozFxAccountsContentEvent     = "mozFxAccountsContentEvent"
	MozFxAccountsChromeEvent      = "mozFxAccountsChromeEvent"
)

// UnsolChromeEvent is mozFxAccountsUnsolChromeEvent's detail: a UI request
// ("openFlow", "refreshAuthentication", with an id) or a notification ("onlogin",
// "onverified", "onlogout", no id).
type UnsolChromeEvent struct {
	EventName string `json:"eventName"`
	ID        string `json:"id"`
	Data      Obj    `json:"data"` // refreshAuthentication: {email}
}

// RPContentEvent is mozFxAccountsRPContentEvent's detail: {id, result} or {id, error}.
type RPContentEvent struct {
	ID       string `json:"id"`
	Result   any    `json:"result"`
	Error    any    `json:"error"`
	HasError bool   `json:"hasError"`
}

// ContentEvent is mozFxAccountsContentEvent's detail {id, data:{method, email?, password?}}
// (its JS shape: JSObject in shapes.go).
type ContentEvent struct {
	ID       string `json:"id"`
	Method   string `json:"method"`
	Email    string `json:"email"`
	Password string `json:"password"`
	// AccountKey names data's account member: "" is "email" (Gaia fxa_client.js
	// from mid-2014), AccountIDKey the March-2014 "accountId".
	AccountKey string `json:"accountKey,omitempty"`
}

// MgmtChromeEvent is mozFxAccountsChromeEvent's detail: {id, data} or {id, error}.
type MgmtChromeEvent struct {
	ID       string `json:"id"`
	Data     any    `json:"data"`
	Error    any    `json:"error"`
	HasError bool   `json:"hasError"`
}

// Event names for openFlow / refreshAuthentication UI requests.
const (
	EventOpenFlow              = "openFlow"
	EventRefreshAuthentication = "refreshAuthentication"
)

// The DIALOG_CLOSED_BY_USER error string Gaia reports when the user closes the dialog.
const DialogClosedByUser = "DIALOG_CLOSED_BY_USER"

// User input to the FxA dialog (sent from User to FxAModule) and to the System app.
const (
	UserTypeEmail    = "user:type-email"
	UserTypePassword = "user:type-password"
	UserChooseYear   = "user:choose-year"
	UserNext         = "user:next"  // #fxa-module-next
	UserBack         = "user:back"  // #fxa-module-back
	UserDone         = "user:done"  // #fxa-module-done
	UserClose        = "user:close" // the X button, #fxa-module-close
	UserHome         = "home"       // Home button, to SystemDialogManager
	UserHoldHome     = "holdhome"   // long-press Home, to SystemDialogManager
	SettingsSignIn   = "settings:sign-in"
	SettingsSignOut  = "settings:sign-out"
)

// UserInput carries typed text or a chosen value.
type UserInput struct {
	Value string `json:"value"`
}

// ServerRequest is one call from the device to the FxA auth server. Op is the
// endpoint, e.g. "POST /v1/certificate/sign"; the reply to the sender is
// "<Op>:resolved" with a typed result or "<Op>:rejected" with a ServerError.
type ServerRequest struct {
	Call         uint64 `json:"call"`
	Op           string `json:"op"`
	Email        string `json:"email"`
	Password     string `json:"password"` // only on the device side: the link derives onepw authPW; never sent raw
	SessionToken string `json:"sessionToken"`
	UID          string `json:"uid"`
	PublicKey    any    `json:"publicKey"` // *browserid.PublicKey for certificate/sign
	Duration     int64  `json:"duration"`  // ms, certificate/sign
}

// Auth server operations the device uses.
const (
	OpAccountCreate  = "POST /v1/account/create"
	OpAccountLogin   = "POST /v1/account/login"
	OpAccountStatus  = "GET /v1/account/status"
	OpAccountExists  = "POST /v1/account/login (accountExists)"
	OpEmailStatus    = "GET /v1/recovery_email/status"
	OpResendCode     = "POST /v1/recovery_email/resend_code"
	OpSessionDestroy = "POST /v1/session/destroy"
	OpCertSign       = "POST /v1/certificate/sign"
)

// SignInResult is what /account/login and /account/create give the device.
type SignInResult struct {
	UID          string `json:"uid"`
	SessionToken string `json:"sessionToken"`
	Verified     bool   `json:"verified"`
	AuthAt       int64  `json:"authAt"`
	Email        string `json:"email"`
}

// EmailStatus is /recovery_email/status.
type EmailStatus struct {
	Email    string `json:"email"`
	Verified bool   `json:"verified"`
}
