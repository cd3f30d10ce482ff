package gaia

import "github.com/mozidsim/mozidsim/internal/machine"

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

// Module events: the user's buttons and the server's answers (lower-case words
// joined by '-', machine.Spec's naming convention; the flows keep their
// historic names, login and refresh_auth).
const (
	EvLoadLogin       = "load-login"
	EvLoadRefreshAuth = "load-refresh_auth"
	EvNext            = "next"
	EvOldEnough       = "next-13-or-older"
	EvBack            = "back"
	EvDone            = "done"
	EvClose           = "close"
	EvRegistered      = "registered"
	EvNotRegistered   = "not-registered"
	EvAccountCreated  = "account-created"
	EvVerified        = "verified"
	EvUnverified      = "unverified"
	EvSignedIn        = "signed-in"
	EvFailed          = "failed" // an error overlay (or nothing) and the same screen again
)

// screens are the states in which the user sees a screen and can act.
var screens = []string{ScreenEnterEmail, ScreenCoppa, ScreenSetPassword, ScreenEnterPassword,
	ScreenSignupSuccess, ScreenSigninSuccess, ScreenRefreshAuth}

// DialogMachine is the whole module, read top to bottom as the two flows go
// (gaia-fxa.md §6.6, §6.7). Back follows history: every screen has exactly one
// way in, so history.back() is a fixed row. Rows that merely keep the screen
// (COPPA under 13, Next on a success screen, a refused input) are not events.
// Its refused-event policy is Note: the module checks the user's input before
// it fires, so a refused event means the code and the table disagree; the
// trace shows it and the dialog stays on its screen, as a page would.
var DialogMachine = machine.Register(machine.Spec{
	Name:    "fxa-module-screens",
	Title:   "The FxA dialog module's screens",
	File:    "apps/system/fxa/js/fxam_*.js",
	Initial: StateLoading,
	Refused: machine.Note,
	Events: []machine.Event{
		{Name: EvLoadLogin, From: []string{StateLoading}, To: ScreenEnterEmail},
		{Name: EvLoadRefreshAuth, From: []string{StateLoading}, To: ScreenRefreshAuth},

		// login: ENTER_EMAIL asks whether the account exists.
		{Name: EvNext, From: []string{ScreenEnterEmail}, To: StateCheckingEmail},
		{Name: EvRegistered, From: []string{StateCheckingEmail}, To: ScreenEnterPassword},
		{Name: EvNotRegistered, From: []string{StateCheckingEmail}, To: ScreenCoppa},
		{Name: EvFailed, From: []string{StateCheckingEmail}, To: ScreenEnterEmail},

		// new account: year of birth, then a password and signUp.
		{Name: EvOldEnough, From: []string{ScreenCoppa}, To: ScreenSetPassword},
		{Name: EvBack, From: []string{ScreenCoppa}, To: ScreenEnterEmail},
		{Name: EvNext, From: []string{ScreenSetPassword}, To: StateSigningUp},
		{Name: EvBack, From: []string{ScreenSetPassword}, To: ScreenCoppa},
		{Name: EvAccountCreated, From: []string{StateSigningUp}, To: ScreenSignupSuccess},
		{Name: EvFailed, From: []string{StateSigningUp}, To: ScreenSetPassword},

		// existing account: password and signIn.
		{Name: EvNext, From: []string{ScreenEnterPassword}, To: StateSigningIn},
		{Name: EvBack, From: []string{ScreenEnterPassword}, To: ScreenEnterEmail},
		{Name: EvVerified, From: []string{StateSigningIn}, To: ScreenSigninSuccess},
		{Name: EvUnverified, From: []string{StateSigningIn}, To: ScreenSignupSuccess},
		{Name: EvFailed, From: []string{StateSigningIn}, To: ScreenEnterPassword},

		// refresh_auth: one screen, Done signs in.
		{Name: EvDone, From: []string{ScreenRefreshAuth}, To: StateRefreshing},
		{Name: EvSignedIn, From: []string{StateRefreshing}, To: StateClosed},
		{Name: EvFailed, From: []string{StateRefreshing}, To: ScreenRefreshAuth},

		// the end: Done on a success screen, or X anywhere the user can act.
		{Name: EvDone, From: []string{ScreenSignupSuccess, ScreenSigninSuccess}, To: StateClosed},
		{Name: EvClose, From: screens, To: StateClosed},
	},
})

// waitingScreen is the screen still visible under the busy overlay.
var waitingScreen = map[string]string{
	StateCheckingEmail: ScreenEnterEmail,
	StateSigningUp:     ScreenSetPassword,
	StateSigningIn:     ScreenEnterPassword,
	StateRefreshing:    ScreenRefreshAuth,
}
