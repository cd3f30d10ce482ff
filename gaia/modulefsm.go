package gaia

import (
	"github.com/looplab/fsm"
)

// The dialog module's states: the screens of fxam_states.js, plus the moments
// the module waits for the server behind a busy overlay, plus the iframe before
// FxaModuleManager has read the flow and after it has reported the outcome.
const (
	StateLoading = "LOADING" // the iframe exists; its load event has not run yet

	ScreenEnterEmail    = "ENTER_EMAIL"
	ScreenCoppa         = "COPPA"
	ScreenSetPassword   = "SET_PASSWORD"
	ScreenEnterPassword = "ENTER_PASSWORD"
	ScreenSignupSuccess = "SIGNUP_SUCCESS"
	ScreenSigninSuccess = "SIGNIN_SUCCESS"
	ScreenRefreshAuth   = "REFRESH_AUTH"

	StateCheckingEmail = "CHECKING_EMAIL" // ENTER_EMAIL behind the overlay: queryAccount
	StateSigningUp     = "SIGNING_UP"     // SET_PASSWORD behind the overlay: signUp
	StateSigningIn     = "SIGNING_IN"     // ENTER_PASSWORD behind the overlay: signIn
	StateRefreshing    = "REFRESHING"     // REFRESH_AUTH behind the overlay: signIn

	StateClosed = "CLOSED" // done or error went to FxAccountsUI; the iframe is about to go
)

// Module events: the user's buttons and the server's answers.
const (
	EvLoadLogin       = "load login"
	EvLoadRefreshAuth = "load refresh_auth"
	EvNext            = "next"
	EvOldEnough       = "next (13 or older)"
	EvBack            = "back"
	EvDone            = "done"
	EvClose           = "close"
	EvRegistered      = "registered"
	EvNotRegistered   = "not registered"
	EvAccountCreated  = "account created"
	EvVerified        = "verified"
	EvUnverified      = "unverified"
	EvSignedIn        = "signed in"
	EvFailed          = "failed" // an error overlay (or nothing) and the same screen again
)

// screens are the states in which the user sees a screen and can act.
var screens = []string{ScreenEnterEmail, ScreenCoppa, ScreenSetPassword, ScreenEnterPassword,
	ScreenSignupSuccess, ScreenSigninSuccess, ScreenRefreshAuth}

// dialogTable is the whole module, read top to bottom as the two flows go
// (gaia-fxa.md §6.6, §6.7). Back follows history: every screen has exactly one
// way in, so history.back() is a fixed row. Rows that merely keep the screen
// (COPPA under 13, Next on a success screen, a refused input) are not events.
var dialogTable = fsm.Events{
	{Name: EvLoadLogin, Src: []string{StateLoading}, Dst: ScreenEnterEmail},
	{Name: EvLoadRefreshAuth, Src: []string{StateLoading}, Dst: ScreenRefreshAuth},

	// login: ENTER_EMAIL asks whether the account exists.
	{Name: EvNext, Src: []string{ScreenEnterEmail}, Dst: StateCheckingEmail},
	{Name: EvRegistered, Src: []string{StateCheckingEmail}, Dst: ScreenEnterPassword},
	{Name: EvNotRegistered, Src: []string{StateCheckingEmail}, Dst: ScreenCoppa},
	{Name: EvFailed, Src: []string{StateCheckingEmail}, Dst: ScreenEnterEmail},

	// new account: year of birth, then a password and signUp.
	{Name: EvOldEnough, Src: []string{ScreenCoppa}, Dst: ScreenSetPassword},
	{Name: EvBack, Src: []string{ScreenCoppa}, Dst: ScreenEnterEmail},
	{Name: EvNext, Src: []string{ScreenSetPassword}, Dst: StateSigningUp},
	{Name: EvBack, Src: []string{ScreenSetPassword}, Dst: ScreenCoppa},
	{Name: EvAccountCreated, Src: []string{StateSigningUp}, Dst: ScreenSignupSuccess},
	{Name: EvFailed, Src: []string{StateSigningUp}, Dst: ScreenSetPassword},

	// existing account: password and signIn.
	{Name: EvNext, Src: []string{ScreenEnterPassword}, Dst: StateSigningIn},
	{Name: EvBack, Src: []string{ScreenEnterPassword}, Dst: ScreenEnterEmail},
	{Name: EvVerified, Src: []string{StateSigningIn}, Dst: ScreenSigninSuccess},
	{Name: EvUnverified, Src: []string{StateSigningIn}, Dst: ScreenSignupSuccess},
	{Name: EvFailed, Src: []string{StateSigningIn}, Dst: ScreenEnterPassword},

	// refresh_auth: one screen, Done signs in.
	{Name: EvDone, Src: []string{ScreenRefreshAuth}, Dst: StateRefreshing},
	{Name: EvSignedIn, Src: []string{StateRefreshing}, Dst: StateClosed},
	{Name: EvFailed, Src: []string{StateRefreshing}, Dst: ScreenRefreshAuth},

	// the end: Done on a success screen, or X anywhere the user can act.
	{Name: EvDone, Src: []string{ScreenSignupSuccess, ScreenSigninSuccess}, Dst: StateClosed},
	{Name: EvClose, Src: screens, Dst: StateClosed},
}

// waitingScreen is the screen still visible under the busy overlay.
var waitingScreen = map[string]string{
	StateCheckingEmail: ScreenEnterEmail,
	StateSigningUp:     ScreenSetPassword,
	StateSigningIn:     ScreenEnterPassword,
	StateRefreshing:    ScreenRefreshAuth,
}

// DialogFSMTable returns a copy of the module's state machine table (for
// diagrams and docs); its initial state is DialogFSMInitial.
func DialogFSMTable() fsm.Events {
	out := make(fsm.Events, len(dialogTable))
	for i, e := range dialogTable {
		out[i] = fsm.EventDesc{Name: e.Name, Src: append([]string(nil), e.Src...), Dst: e.Dst}
	}
	return out
}

// DialogFSMInitial is the state a new module starts in.
const DialogFSMInitial = StateLoading

// NewDialogFSM returns a fresh machine over the table, without callbacks: the
// module fires events from its own goroutine and acts after Event returns, so
// nothing re-enters the machine (anchors A.1).
func NewDialogFSM() *fsm.FSM { return fsm.NewFSM(DialogFSMInitial, DialogFSMTable(), nil) }

// DialogFSMDiagram renders the table as a Mermaid state diagram, from a fresh
// machine (looplab draws the start arrow at the current state).
func DialogFSMDiagram() (string, error) {
	return fsm.VisualizeWithType(NewDialogFSM(), fsm.MermaidStateDiagram)
}
