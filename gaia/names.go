package gaia

import "github.com/mozidsim/mozidsim/internal/sim"

// Gaia-internal hops, named after the historic method, callback or DOM event.
const (
	// fxa_manager.js -> FxAccountsUI (payload FlowRequest).
	MethodLogin                 = "login"                 // FxAccountsUI.login(onsuccess, onerror)
	MethodRefreshAuthentication = "refreshAuthentication" // FxAccountsUI.refreshAuthentication(email, onsuccess, onerror)

	// FxAccountsUI -> fxa_manager.js: the callbacks login() was given (payload FlowAnswer).
	CallbackSuccess = "onsuccessCb"
	CallbackError   = "onerrorCb"

	// FxaModuleManager -> FxAccountsUI: parent.FxAccountsUI.done(params) / .error(reason).
	// The payload is the JS value itself: the params wire.Obj (wire.Undefined when
	// no parameter was ever set) or the error (a string, or wire.Undefined).
	MethodDone  = "done"
	MethodError = "error"

	// FxAccountsUI -> FxAccountsDialog, SystemDialogManager -> FxAccountsDialog.
	MethodShow = "show"
	MethodHide = "hide" // payload HideRequest

	// FxAccountsDialog -> FxAccountsUI: the dialog's onHide option, bound to reset (payload HideRequest).
	MethodReset = "reset"

	// SystemDialog -> SystemDialogManager: the events a dialog publishes (no payload).
	EventSystemDialogShow = "system-dialog-show"
	EventSystemDialogHide = "system-dialog-hide"

	// FxAccountsUI -> the iframe: the document loads (payload ModuleLoad) or the
	// iframe is removed (no payload; the module actor exits).
	ModuleLoadEvent   = "load"
	ModuleUnloadEvent = "unload"

	// FxaModuleServerRequest -> FxAccountsClient (payload ClientCall); answers come
	// back as "<method>:resolved" (wire.Resolved) / "<method>:rejected" (wire.Rejected).
	ClientQueryAccount = "queryAccount"
	ClientSignIn       = "signIn"
	ClientSignUp       = "signUp"
)

// FlowRequest asks FxAccountsUI for a flow. Ref is what fxa_manager.js's callbacks
// close over (the chrome event's id); FxAccountsUI hands it back in FlowAnswer.
type FlowRequest struct {
	Ref   string
	Email string // refreshAuthentication only
}

// FlowAnswer is a callback FxAccountsUI calls: the module's params or the error.
type FlowAnswer struct {
	Ref   string
	Value any
}

// HideRequest is SystemDialog.hide(reason); "" is undefined (a normal close).
type HideRequest struct {
	Reason string
}

// ModuleLoad is the iframe's document loading: URL is what FxAccountsUI.loadFlow
// set as src, e.g. "../fxa/fxa_module.html#refresh_auth?email=a@b.c".
type ModuleLoad struct {
	URL string
}

// ClientCall is one FxAccountsClient request with the callback id it answers.
type ClientCall struct {
	Call     uint64
	Email    string
	Password string
}

// WithCall sets the call id (wire.Callable).
func (c ClientCall) WithCall(id uint64) any { c.Call = id; return c }

// Flow names after '#' in the module URL (view/view_<flow>.js).
const (
	FlowLogin       = "login"
	FlowRefreshAuth = "refresh_auth"
)

// moduleURL is where fxa_ui.js points the iframe (relative to the System app).
const moduleURL = "../fxa/fxa_module.html"

// The reasons a dialog is hidden with.
const (
	ReasonHome        = "home"
	ReasonHoldHome    = "holdhome"
	ReasonInterrupted = "interrupted"
)

// OtherDialog is another System app dialog (any SystemDialog but the FxA one:
// a SIM PIN prompt, a Wi-Fi or Bluetooth request) that the user's world opens.
const OtherDialog sim.Addr = "System/OtherSystemDialog"

// EventAnimationEnd is the panel's animationend after close() added "closing".
const EventAnimationEnd = "animationend"

// deferredRequest is a login/refreshAuthentication FxAccountsUI put back into
// its own queue because the previous iframe was still being removed.
type deferredRequest struct {
	from     sim.Addr
	name     string
	req      FlowRequest
	attempts int
}
