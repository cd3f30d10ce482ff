package gaia

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/machine"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// FxaModule is the FxA iframe, apps/system/fxa/fxa_module.html: FxaModuleManager
// (js/fxam_manager.js: URL parameters, setParam, done, close), FxaModuleUI and
// FxaModuleNavigation (js/fxam_ui.js, js/fxam_navigation.js: buttons, steps,
// history), FxaModuleServerRequest (js/fxam_server_request.js), FxaModuleErrors
// (js/fxam_errors.js) and the screens (js/screens/fxam_*.js), driven by one
// looplab/fsm machine over DialogMachine. The machine is fired only from this
// actor's goroutine and has no callbacks.
type FxaModule struct {
	era     era.Era // set by FxAccountsUI: the refresh_auth parameter's name
	gen     uint64  // bumped by every load, so answers meant for a replaced document are dropped
	flow    string
	machine *machine.Machine

	params    wire.Obj // FxaModuleManager.paramsRetrieved, in setParam order
	hasParams bool     // paramsRetrieved is created lazily

	email    string // ENTER_EMAIL's field (sanitized)
	password string // the current screen's password field (sanitized)
	year     int    // COPPA's select; 0 is the "Year of birth" placeholder

	overlay    string // the error overlay's key, "" when hidden
	waitingFor string // the server request behind the busy overlay, "" when none
	lastScreen string

	stepCount, maxSteps int  // FxaModuleNavigation / FxaModuleUI step bookkeeping
	noRefreshEmail      bool // refresh_auth loaded without email: init returned early

	calls promise.Calls
}

// NewFxaModule creates the module actor (address wire.FxAModule); it does
// nothing until its load event.
func NewFxaModule() *FxaModule { return &FxaModule{era: era.Default, machine: DialogMachine.New()} }

// Receive handles the iframe's load/unload, user input and server answers.
func (m *FxaModule) Receive(ctx *sim.Ctx, msg sim.Message) {
	if m.calls.Settle(ctx, msg) {
		return
	}
	switch msg.Name {
	case ModuleLoadEvent:
		if ml, ok := wire.Read[ModuleLoad](ctx, msg); ok {
			m.load(ctx, ml.URL)
		}
	case ModuleUnloadEvent:
		ctx.Exit() // FxAccountsUI removed the iframe
	case wire.UserTypeEmail, wire.UserTypePassword, wire.UserChooseYear,
		wire.UserNext, wire.UserBack, wire.UserDone, wire.UserClose:
		m.onInput(ctx, msg)
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", msg.Name)
	}
}

// load is FxaModuleManager's window load: the flow is the hash up to '?', then
// each k=v pair (exactly one '=', no decoding) becomes a parameter.
func (m *FxaModule) load(ctx *sim.Ctx, url string) {
	*m = FxaModule{era: m.era, gen: m.gen + 1, machine: DialogMachine.New(), calls: m.calls}
	_, hash, _ := strings.Cut(url, "#")
	flow, query, _ := strings.Cut(hash, "?")
	m.flow = flow
	if query != "" {
		for _, pair := range strings.Split(query, "&") {
			if kv := strings.Split(pair, "="); len(kv) == 2 {
				m.setParam(kv[0], kv[1])
			}
		}
	}
	switch flow {
	case FlowLogin: // view/view_login.js: {length: 3, start: ENTER_EMAIL}
		m.maxSteps = 3
		m.fire(ctx, EvLoadLogin)
	case FlowRefreshAuth: // view/view_refresh_auth.js: {length: 1, start: REFRESH_AUTH}
		m.maxSteps = 1
		m.fire(ctx, EvLoadRefreshAuth)
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "no view for flow "+strconv.Quote(flow), "view/view_"+flow+".js does not exist; the dialog stays blank")
		return
	}
	m.enter(ctx, true)
}

// enter runs when navigation shows the machine's current screen.
func (m *FxaModule) enter(ctx *sim.Ctx, forward bool) {
	screen := m.machine.Current()
	m.lastScreen = screen
	if forward {
		m.stepCount++
		if screen == ScreenCoppa {
			m.maxSteps++ // COPPA adds a step whenever it is entered moving forward
		}
	}
	ctx.Record(sim.KindNote, ctx.Self(), "screen "+screen, nil)
	switch screen {
	case ScreenSetPassword, ScreenEnterPassword:
		m.password = "" // the form is cleared on each init
	case ScreenRefreshAuth:
		m.password = ""
		if !m.params.Truthy(refreshParam(m.era)) {
			m.noRefreshEmail = true
			ctx.Record(sim.KindNote, ctx.Self(), "refresh_auth without an email", "init returns early: the screen stays empty and Done disabled")
		}
	}
}

func (m *FxaModule) onInput(ctx *sim.Ctx, msg sim.Message) {
	in, ok := wire.Read[wire.UserInput](ctx, msg)
	if !ok {
		return
	}
	state := m.machine.Current()
	switch {
	case state == StLoading:
		m.refuse(ctx, msg.Name, "no flow is loaded")
		return
	case state == StClosed:
		m.refuse(ctx, msg.Name, "the flow has finished")
		return
	case m.waitingFor != "":
		m.refuse(ctx, msg.Name, "waiting for the answer to "+m.waitingFor)
		return
	}
	if m.overlay != "" {
		// Simplification: the user taps the error overlay's OK before anything else.
		ctx.Record(sim.KindNote, ctx.Self(), "overlay dismissed", m.overlay)
		m.overlay = ""
	}
	switch msg.Name {
	case wire.UserTypeEmail:
		if state != ScreenEnterEmail {
			m.refuse(ctx, msg.Name, "there is no e-mail field on "+state)
			return
		}
		m.email = sanitizeEmail(in.Value)
	case wire.UserTypePassword:
		if state != ScreenSetPassword && state != ScreenEnterPassword && state != ScreenRefreshAuth {
			m.refuse(ctx, msg.Name, "there is no password field on "+state)
			return
		}
		m.password = sanitizePassword(in.Value)
	case wire.UserChooseYear:
		m.chooseYear(ctx, state, in.Value)
	case wire.UserNext:
		m.next(ctx, state)
	case wire.UserBack:
		m.back(ctx, state)
	case wire.UserDone:
		m.done(ctx, state)
	case wire.UserClose:
		m.close(ctx)
	}
}

func (m *FxaModule) refuse(ctx *sim.Ctx, input, reason string) {
	ctx.Record(sim.KindNote, ctx.Self(), "refused "+input, reason)
}

func (m *FxaModule) chooseYear(ctx *sim.Ctx, state, value string) {
	if state != ScreenCoppa {
		m.refuse(ctx, wire.UserChooseYear, "there is no year of birth on "+state)
		return
	}
	if value == "0" {
		m.year = 0 // back to the placeholder
		return
	}
	year, err := strconv.Atoi(value)
	current := ctx.Now().Year()
	switch {
	case err != nil:
		m.refuse(ctx, wire.UserChooseYear, fmt.Sprintf("%q is not a year", value))
	case year < 1900 || year > current:
		// The select lists up to the current year; anything older than
		// current-13 is the "<year> or earlier" option.
		m.refuse(ctx, wire.UserChooseYear, fmt.Sprintf("no option for %d (the list runs to %d)", year, current))
	default:
		m.year = year
	}
}

// Navigation buttons (FxaModuleUI): Back and Next between the first and the last
// step, Next alone on the first, Done on the last.
func (m *FxaModule) nextShown() bool { return m.stepCount < m.maxSteps }
func (m *FxaModule) backShown() bool { return 1 < m.stepCount && m.stepCount < m.maxSteps }
func (m *FxaModule) doneShown() bool { return m.stepCount == m.maxSteps }

// nextDisabledBecause says why a screen keeps Next disabled ("" when enabled).
func (m *FxaModule) nextDisabledBecause(screen string) string {
	switch screen {
	case ScreenEnterEmail:
		if !validEmail(m.email) {
			return "the e-mail is not a valid address"
		}
	case ScreenCoppa:
		if m.year == 0 {
			return "no year of birth chosen"
		}
	case ScreenSetPassword, ScreenEnterPassword:
		if !validPassword(m.password) {
			return "the password is shorter than 8 characters"
		}
	}
	return ""
}

// doneDisabledBecause says why Done is disabled ("" when enabled).
func (m *FxaModule) doneDisabledBecause(screen string) string {
	if screen != ScreenRefreshAuth {
		return ""
	}
	if m.noRefreshEmail {
		return "the screen never initialised (no email)"
	}
	if !validPassword(m.password) {
		return "the password is shorter than 8 characters"
	}
	return ""
}

func isSuccessScreen(s string) bool { return s == ScreenSignupSuccess || s == ScreenSigninSuccess }

func (m *FxaModule) next(ctx *sim.Ctx, screen string) {
	if !m.nextShown() {
		if isSuccessScreen(screen) {
			// onNext answers DONE, which has no id: loadNextStep ignores it.
			ctx.Record(sim.KindNote, ctx.Self(), "next does nothing on "+screen, "DONE has no screen; the Done button finishes")
			return
		}
		m.refuse(ctx, wire.UserNext, "there is no Next button on "+screen)
		return
	}
	if why := m.nextDisabledBecause(screen); why != "" {
		m.refuse(ctx, wire.UserNext, "Next is disabled: "+why)
		return
	}
	switch screen {
	case ScreenEnterEmail:
		email := m.email
		m.request(ctx, EvNext, ClientQueryAccount, email, "", func(ctx *sim.Ctx, ok bool, v any) {
			if !ok {
				m.showError(ctx, v)
				m.fire(ctx, EvFailed)
				return
			}
			m.setParam("email", email)
			resp, isObj := v.(wire.Obj)
			if !isObj {
				// response.registered on null throws after the overlay is hidden: no navigation.
				ctx.Record(sim.KindNote, ctx.Self(), "TypeError: response is null", v)
				m.fire(ctx, EvFailed)
				return
			}
			if resp.Truthy("registered") {
				m.fire(ctx, EvRegistered)
			} else {
				m.fire(ctx, EvNotRegistered)
			}
			m.enter(ctx, true)
		})
	case ScreenCoppa:
		if ctx.Now().Year()-m.year < 13 {
			m.showError(ctx, wire.O("error", ErrCoppa))
			return
		}
		m.fire(ctx, EvOldEnough)
		m.enter(ctx, true)
	case ScreenSetPassword:
		m.request(ctx, EvNext, ClientSignUp, m.params.String("email"), m.password, func(ctx *sim.Ctx, ok bool, v any) {
			if !ok {
				m.showError(ctx, v)
				m.fire(ctx, EvFailed)
				return
			}
			m.setAccountDetails(v) // fxam_server_request.js, before the screen's handler
			m.setParam("success", true)
			if resp, _ := v.(wire.Obj); !resp.Truthy("accountCreated") {
				m.showError(ctx, wire.O("error", ErrCannotCreateAccount))
				m.fire(ctx, EvFailed)
				return
			}
			m.fire(ctx, EvAccountCreated)
			m.enter(ctx, true)
		})
	case ScreenEnterPassword:
		m.setParam("success", true) // before the request, as fxam_enter_password.js does
		m.request(ctx, EvNext, ClientSignIn, m.params.String("email"), m.password, func(ctx *sim.Ctx, ok bool, v any) {
			if !ok {
				m.password = ""
				m.showError(ctx, v)
				m.fire(ctx, EvFailed)
				return
			}
			m.setAccountDetails(v)
			if authenticated(v) {
				m.fire(ctx, EvVerified)
			} else {
				m.fire(ctx, EvUnverified) // "confirm your account"
			}
			m.enter(ctx, true)
		})
	}
}

func (m *FxaModule) back(ctx *sim.Ctx, screen string) {
	if !m.backShown() {
		m.refuse(ctx, wire.UserBack, "there is no Back button on "+screen)
		return
	}
	if screen == ScreenCoppa {
		m.maxSteps-- // FxaModuleCoppa.onBack
	}
	m.stepCount--
	m.fire(ctx, EvBack)
	m.enter(ctx, false)
}

func (m *FxaModule) done(ctx *sim.Ctx, screen string) {
	if !m.doneShown() {
		m.refuse(ctx, wire.UserDone, "there is no Done button on "+screen)
		return
	}
	if why := m.doneDisabledBecause(screen); why != "" {
		m.refuse(ctx, wire.UserDone, "Done is disabled: "+why)
		return
	}
	if screen != ScreenRefreshAuth {
		m.fire(ctx, EvDone)
		ctx.Send(wire.SystemFxAccountsUI, MethodDone, m.paramsValue())
		return
	}
	m.request(ctx, EvDone, ClientSignIn, m.params.String(refreshParam(m.era)), m.password, func(ctx *sim.Ctx, ok bool, v any) {
		if !ok {
			m.password = ""
			m.showError(ctx, v)
			m.fire(ctx, EvFailed)
			return
		}
		m.setAccountDetails(v)
		m.fire(ctx, EvSignedIn)
		ctx.Send(wire.SystemFxAccountsUI, MethodDone, m.paramsValue())
	})
}

// close is FxaModuleManager.close('DIALOG_CLOSED_BY_USER') from the X button:
// success with the params once a sign-in/up has set done, the error otherwise.
func (m *FxaModule) close(ctx *sim.Ctx) {
	m.fire(ctx, EvClose)
	if m.hasParams && m.params.Truthy("done") {
		ctx.Send(wire.SystemFxAccountsUI, MethodDone, m.paramsValue())
		return
	}
	ctx.Send(wire.SystemFxAccountsUI, MethodError, wire.DialogClosedByUser)
}

// request puts up the busy overlay and sends one FxaModuleServerRequest call
// through the System app's FxAccountsClient.
func (m *FxaModule) request(ctx *sim.Ctx, ev, method, email, password string, then promise.Then) {
	m.fire(ctx, ev)
	m.waitingFor = method
	gen := m.gen
	m.calls.Send(ctx, wire.SystemFxAccountsClient, method, ClientCall{Email: email, Password: password}, func(ctx *sim.Ctx, ok bool, v any) {
		if gen != m.gen {
			ctx.Record(sim.KindNote, ctx.Self(), "answer to "+method+" ignored", "the iframe has loaded another flow since")
			return
		}
		m.waitingFor = "" // FxaModuleOverlay.hide()
		then(ctx, ok, v)
	})
}

// setAccountDetails is FxaModuleServerRequest._setAccountDetails: a response with
// a user (with an email) sets done and verified.
func (m *FxaModule) setAccountDetails(v any) {
	resp, _ := v.(wire.Obj)
	raw, _ := resp.Get("user")
	user, ok := raw.(wire.Obj)
	// March 2014 (ozten/gaia@bb3e602d fxam_server_request.js) reads
	// resp.user.accountId, the [M-A] _user shape; later resp.user.email.
	key := "email"
	if m.era == era.Spring2014 {
		key = "accountId"
	}
	if !ok || !user.Truthy(key) {
		return
	}
	verified, found := user.Get("verified")
	if !found {
		verified = wire.Undefined
	}
	m.setParam("done", true)
	m.setParam("verified", verified)
}

// authenticated is signIn's {authenticated: !!resp.user.verified}.
func authenticated(v any) bool {
	resp, _ := v.(wire.Obj)
	raw, _ := resp.Get("user")
	user, _ := raw.(wire.Obj)
	return user.Truthy("verified")
}

func (m *FxaModule) setParam(key string, v any) {
	m.hasParams = true
	m.params = m.params.Set(key, v)
}

// paramsValue is paramsRetrieved as FxAccountsUI receives it (undefined if never set).
func (m *FxaModule) paramsValue() any {
	if !m.hasParams {
		return wire.Undefined
	}
	return m.params.Clone()
}

// showError is FxaModule.showErrorResponse: hide the busy overlay, show the mapped error.
func (m *FxaModule) showError(ctx *sim.Ctx, resp any) {
	m.overlay = OverlayKey(resp)
	ctx.Record(sim.KindNote, ctx.Self(), "overlay "+m.overlay, resp)
}

// fire moves the screens' machine (Note: a refused event is recorded, the screen stays).
func (m *FxaModule) fire(ctx *sim.Ctx, ev string) { _ = m.machine.Fire(ctx, ev) }

// state is what the user sees (runs on the module's goroutine).
func (m *FxaModule) state() ModuleState {
	st := ModuleState{Flow: m.flow, Overlay: m.overlay, Busy: m.waitingFor != ""}
	if m.hasParams {
		st.Params = m.params.Clone()
	}
	current := m.machine.Current()
	switch {
	case current == StLoading:
		return st
	case current == StClosed:
		st.Screen = m.lastScreen
		return st
	}
	if w, waiting := waitingScreen[current]; waiting {
		st.Screen = w
		return st
	}
	st.Screen = current
	st.NextEnabled = m.nextShown() && !isSuccessScreen(current) && m.nextDisabledBecause(current) == ""
	st.DoneEnabled = m.doneShown() && m.doneDisabledBecause(current) == ""
	return st
}
