package gaia

import "github.com/mozidsim/mozidsim/internal/machine"

// The dialog module's states: the screens of fxam_states.js, plus the moments
// the module waits for the server behind a busy overlay, plus the iframe before
// FxaModuleManager has read the flow and after it has reported the outcome.
// A state that is one of Gaia's screen ids is named Screen<Name>, not
// St<Name> (machine's naming convention): it is also the id of a screen the
// user sees, which the trace's "screen ..." notes name and scenarios/run.go
// keys its per-screen scripts by.
const (
	StLoading = "LOADING" // the iframe exists; its load event has not run yet

	ScreenEnterEmail    = "ENTER_EMAIL"
	ScreenCoppa         = "COPPA"
	ScreenSetPassword   = "SET_PASSWORD"
	ScreenEnterPassword = "ENTER_PASSWORD"
	ScreenSignupSuccess = "SIGNUP_SUCCESS"
	ScreenSigninSuccess = "SIGNIN_SUCCESS"
	ScreenRefreshAuth   = "REFRESH_AUTH"

	StCheckingEmail = "CHECKING_EMAIL" // ENTER_EMAIL behind the overlay: queryAccount
	StSigningUp     = "SIGNING_UP"     // SET_PASSWORD behind the overlay: signUp
	StSigningIn     = "SIGNING_IN"     // ENTER_PASSWORD behind the overlay: signIn
	StRefreshing    = "REFRESHING"     // REFRESH_AUTH behind the overlay: signIn

	StClosed = "CLOSED" // done or error went to FxAccountsUI; the iframe is about to go
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
	Initial: StLoading,
	Refused: machine.Note,
	Events: []machine.Event{
		{Name: EvLoadLogin, From: []string{StLoading}, To: ScreenEnterEmail},
		{Name: EvLoadRefreshAuth, From: []string{StLoading}, To: ScreenRefreshAuth},

		// login: ENTER_EMAIL asks whether the account exists.
		{Name: EvNext, From: []string{ScreenEnterEmail}, To: StCheckingEmail},
		{Name: EvRegistered, From: []string{StCheckingEmail}, To: ScreenEnterPassword},
		{Name: EvNotRegistered, From: []string{StCheckingEmail}, To: ScreenCoppa},
		{Name: EvFailed, From: []string{StCheckingEmail}, To: ScreenEnterEmail},

		// new account: year of birth, then a password and signUp.
		{Name: EvOldEnough, From: []string{ScreenCoppa}, To: ScreenSetPassword},
		{Name: EvBack, From: []string{ScreenCoppa}, To: ScreenEnterEmail},
		{Name: EvNext, From: []string{ScreenSetPassword}, To: StSigningUp},
		{Name: EvBack, From: []string{ScreenSetPassword}, To: ScreenCoppa},
		{Name: EvAccountCreated, From: []string{StSigningUp}, To: ScreenSignupSuccess},
		{Name: EvFailed, From: []string{StSigningUp}, To: ScreenSetPassword},

		// existing account: password and signIn.
		{Name: EvNext, From: []string{ScreenEnterPassword}, To: StSigningIn},
		{Name: EvBack, From: []string{ScreenEnterPassword}, To: ScreenEnterEmail},
		{Name: EvVerified, From: []string{StSigningIn}, To: ScreenSigninSuccess},
		{Name: EvUnverified, From: []string{StSigningIn}, To: ScreenSignupSuccess},
		{Name: EvFailed, From: []string{StSigningIn}, To: ScreenEnterPassword},

		// refresh_auth: one screen, Done signs in.
		{Name: EvDone, From: []string{ScreenRefreshAuth}, To: StRefreshing},
		{Name: EvSignedIn, From: []string{StRefreshing}, To: StClosed},
		{Name: EvFailed, From: []string{StRefreshing}, To: ScreenRefreshAuth},

		// the end: Done on a success screen, or X anywhere the user can act.
		{Name: EvDone, From: []string{ScreenSignupSuccess, ScreenSigninSuccess}, To: StClosed},
		{Name: EvClose, From: screens, To: StClosed},
	},
})

// waitingScreen is the screen still visible under the busy overlay.
var waitingScreen = map[string]string{
	StCheckingEmail: ScreenEnterEmail,
	StSigningUp:     ScreenSetPassword,
	StSigningIn:     ScreenEnterPassword,
	StRefreshing:    ScreenRefreshAuth,
}
