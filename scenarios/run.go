package scenarios

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/gaia"
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

// Options change how a scenario runs, never what it does.
type Options struct {
	// Seed overrides the scenario's seed (0 keeps it).
	Seed uint64
	// Recorder receives every event as it happens; nil keeps the trace in memory
	// (Result.Events).
	Recorder sim.Recorder
	// FxAURL runs against an auth server on a real socket (mozidsim serve-fxa).
	FxAURL string
	// FxAAdminToken is the admin token that server printed at start.
	FxAAdminToken string
	// Era runs a scenario whose file names no era in this one (`run --era`);
	// a file's own `era:` wins. "" is era.Default.
	Era era.Era
	// Progress, when set, hears each step of a contacts scenario as it starts.
	Progress io.Writer
	// ContactsProvider, when set, runs a contacts scenario against a provider
	// on a socket (mozidsim serve-contacts) in a run of its own, instead of one
	// in this process.
	ContactsProvider *ContactsRemote
}

// ContactsRemote names a shared serve-contacts.
type ContactsRemote struct {
	URL        string // e.g. https://127.0.0.1:8443
	AdminToken string // the token it printed at start
	CertPEM    []byte // its certificate (--cert-out, or <dir>/tls-cert.pem)
}

// Result is what a run did.
type Result struct {
	Scenario *Scenario
	Seed     uint64
	// Era is the era the run used.
	Era era.Era
	// Logs holds each app's callback log, in the order of Scenario.Apps.
	Logs map[string][]rp.Entry
	// Problems are the reasons the run fails: unmet expectations, onlogin
	// assertions that do not verify, actor faults. Empty means PASS.
	Problems []string
	// Events is the run's trace when Options.Recorder was nil. A contacts
	// world's phones share one trace (Scenario.DeviceEvents splits it).
	Events []sim.Event
	// BackupLogs is each phone's contacts backup log (contacts scenarios).
	BackupLogs map[string][]backup.LogLine
}

// Pass reports whether the run met every expectation.
func (r *Result) Pass() bool { return len(r.Problems) == 0 }

// Lines is an app's callback log as scenario lines.
func (r *Result) Lines(app string) []string {
	var out []string
	for _, e := range r.Logs[app] {
		out = append(out, e.Line)
	}
	return out
}

// Run plays a scenario on a fresh phone. The error is a *Error when a step
// cannot be carried out (a user step with no dialog open, a server step naming
// an unknown account): the scenario itself is wrong. Everything else the run
// finds is in Result.Problems.
func Run(sc *Scenario, opts Options) (result *Result, err error) {
	if sc.Kind == KindContacts {
		if opts.FxAURL != "" {
			return nil, &Error{File: sc.File, Msg: "a contacts scenario's phones share one in-memory FxA server: --fxa-url does not apply to it"}
		}
		return runContacts(sc, opts)
	}
	seed := sc.Seed
	if opts.Seed != 0 {
		seed = opts.Seed
	}
	// The run watches the trace for refused user actions (the FxA module's
	// "refused ..." notes), so each reaches the user with its reason.
	watch := &refusalWatch{next: opts.Recorder}
	if opts.Recorder == nil {
		watch.mem = &sim.MemRecorder{}
		watch.next = watch.mem
	}
	cfg := sc.DeviceConfig()
	cfg.Seed, cfg.Recorder, cfg.FxAURL, cfg.FxAAdminToken = seed, watch, opts.FxAURL, opts.FxAAdminToken
	if sc.Era == "" && opts.Era != "" {
		cfg.Era = opts.Era
	}
	d, err := device.New(cfg)
	if err != nil {
		return nil, &Error{File: sc.File, Msg: err.Error()}
	}
	r := &runner{sc: sc, d: d, res: &Result{Scenario: sc, Seed: seed, Era: era.Of(cfg.Era), Logs: map[string][]rp.Entry{}}, apps: map[string]rp.App{}, refusals: watch}
	defer func() {
		if cerr := d.Close(); cerr != nil && err == nil {
			result, err = nil, fmt.Errorf("closing the phone: %w", cerr)
		}
	}()
	for i, a := range sc.Apps {
		app := a.App(i)
		r.apps[a.Name] = app
		if _, err := d.Open(app); err != nil {
			return nil, &Error{File: sc.File, Msg: fmt.Sprintf("opening app %s: %v", a.Name, err)}
		}
	}
	for i, st := range sc.Steps {
		err := r.step(st)
		if err == nil {
			// A single action the dialog refused did nothing: say so and why.
			for _, why := range r.refusals.take() {
				r.problem("line %d: %s was refused: %s", st.Line, why.action, why.reason)
			}
			continue
		}
		var se *Error
		if !errors.As(err, &se) {
			se = &Error{File: sc.File, Line: st.Line, Msg: fmt.Sprintf("step %d %s: %v", i+1, st.Text, err)}
		}
		se.Earlier = append(slices.Clone(r.res.Problems), se.Earlier...)
		return nil, se
	}
	if err := d.RunUntilIdle(); err != nil {
		r.problem("the system did not settle: %v", err)
	}
	for _, a := range sc.Apps {
		r.collect(a.Name)
	}
	for _, f := range d.Faults() {
		r.problem("actor fault: %v", f)
	}
	r.checkExpect()
	if watch.mem != nil {
		r.res.Events = watch.mem.Events()
	}
	return r.res, nil
}

// refusal is one user action the FxA dialog refused, and why.
type refusal struct{ action, reason string }

// refusalWatch passes every event on and keeps the refused user actions since
// the last take. Record runs on the scheduler's behalf, take on the driver's.
type refusalWatch struct {
	next    sim.Recorder
	mem     *sim.MemRecorder // the in-memory trace when Options.Recorder was nil
	mu      sync.Mutex
	refused []refusal
}

func (w *refusalWatch) Record(e sim.Event) {
	if r, ok := refusalOf(e); ok {
		w.mu.Lock()
		w.refused = append(w.refused, r)
		w.mu.Unlock()
	}
	w.next.Record(e)
}

// refusalOf reads the FxA module's "refused <input>" note.
func refusalOf(e sim.Event) (refusal, bool) {
	if e.Kind != sim.KindNote {
		return refusal{}, false
	}
	input, ok := strings.CutPrefix(e.Name, "refused ")
	if !ok {
		return refusal{}, false
	}
	return refusal{action: userActionName(input), reason: fmt.Sprint(e.Payload)}, true
}

// traceRefusals reads refusals from a trace someone else records (a World's
// phone): events since the last take.
type traceRefusals struct {
	since func(i int) []sim.Event
	next  int
}

func (t *traceRefusals) take() []refusal {
	evs := t.since(t.next)
	t.next += len(evs)
	var out []refusal
	for _, e := range evs {
		if r, ok := refusalOf(e); ok {
			out = append(out, r)
		}
	}
	return out
}

// refusalSource gives the refusals since the last take.
type refusalSource interface{ take() []refusal }

// take returns the refusals since the last take.
func (w *refusalWatch) take() []refusal {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.refused
	w.refused = nil
	return out
}

// userActionName is a user input message as a scenario writes it
// ("user:next" -> "user next").
func userActionName(input string) string {
	if a, ok := strings.CutPrefix(input, "user:"); ok {
		return "user " + a
	}
	return input
}

// DeviceConfig is the phone at the scenario's start: its accounts, its
// signed-in user and network. The caller adds the seed, recorder and server.
func (sc *Scenario) DeviceConfig() device.Config {
	accounts := make([]device.Account, len(sc.Accounts))
	for i, a := range sc.Accounts {
		accounts[i] = a.device(a.Password)
	}
	return sc.Device.config(accounts, sc.Era)
}

// config is the phone a device spec describes (a mozId scenario's device, or
// one of a contacts scenario's), with these accounts on its FxA server.
func (d DeviceSpec) config(accounts []device.Account, e era.Era) device.Config {
	cfg := device.Config{Accounts: accounts, User: d.User, AuthAge: time.Duration(d.AuthAge), Era: e,
		CloseAnimation: time.Duration(d.CloseAnimation)}
	if d.Online != nil {
		cfg.Offline = !*d.Online
	}
	return cfg
}

// device is the account as the phone's FxA server creates it.
func (a Account) device(password string) device.Account {
	return device.Account{Email: a.Email, Password: password, Verified: a.Verified == nil || *a.Verified}
}

type runner struct {
	sc   *Scenario
	d    *device.Device
	res  *Result
	apps map[string]rp.App
	// closed holds the logs of pages closed during the run: a reopened page
	// starts a new log, and both count.
	closed map[string][]rp.Entry
	// refusals collects the user actions the dialog refused.
	refusals refusalSource
}

func (r *runner) problem(format string, args ...any) {
	r.res.Problems = append(r.res.Problems, fmt.Sprintf(format, args...))
}

// collect appends an open page's log to the app's result.
func (r *runner) collect(name string) {
	r.res.Logs[name] = append(r.closed[name], r.pageLog(name)...)
}

func (r *runner) pageLog(name string) []rp.Entry {
	if p, ok := r.d.Page(name); ok {
		return p.Log()
	}
	return nil
}

func (r *runner) step(st Step) error {
	switch st.Kind {
	case KindApp:
		return r.appStep(st)
	case KindUser:
		return r.userStep(st)
	case KindNetwork:
		return r.d.SetOnline(st.Action == "online")
	case KindAdvance:
		return r.d.Advance(st.Advance)
	case KindServer:
		return r.serverStep(st)
	case KindDialog:
		return r.checkDialog(st)
	case KindDevice:
		switch st.Action {
		case "sign-in":
			return r.d.SettingsSignIn(st.Email, st.Password)
		case "system-dialog":
			return r.d.OpenSystemDialog()
		}
		return r.d.SettingsSignOut()
	}
	return fmt.Errorf("unknown step kind %q", st.Kind)
}

func (r *runner) appStep(st Step) error {
	if st.Call == "open" {
		if _, open := r.d.Page(st.App); open {
			return fmt.Errorf("app %s is already open", st.App)
		}
		_, err := r.d.Open(r.apps[st.App])
		return err
	}
	p, open := r.d.Page(st.App)
	if !open {
		return fmt.Errorf("app %s is not open (closed by an earlier step; reopen it with {app: %s, open: {}})", st.App, st.App)
	}
	var err error
	switch st.Call {
	case "watch":
		err = p.Watch(r.watchOptions(st.App, st.Watch))
	case "request":
		err = p.Request(requestCall(st.Request))
	case "logout":
		err = p.Logout()
	case "close":
		log := p.Log()
		if err := r.d.ClosePage(st.App); err != nil {
			return err
		}
		if r.closed == nil {
			r.closed = map[string][]rp.Entry{}
		}
		r.closed[st.App] = append(r.closed[st.App], log...)
		return nil
	}
	var ex *rp.Exception
	if err != nil && !errors.As(err, &ex) {
		return err // a thrown exception is page behaviour, logged as "throws"
	}
	return r.d.RunUntilIdle()
}

func (r *runner) watchOptions(app string, w WatchSpec) rp.WatchOptions {
	o := rp.WatchOptions{WantIssuer: w.WantIssuer, Audience: w.Audience, LoggedInUser: w.LoggedInUser,
		LoggedInEmail: w.LoggedInEmail, NotFunctions: w.NotFunctions}
	for _, cb := range w.Callbacks {
		if slices.Contains(w.NotFunctions, cb) {
			continue // passed as a non-function value instead
		}
		switch cb {
		case wire.CbLogin:
			o.OnLogin = func(assertion string) { r.verifyLogin(app, assertion) }
		case wire.CbLogout:
			o.OnLogout = func() {}
		case wire.CbReady:
			o.OnReady = func() {}
		case wire.CbError:
			o.OnError = func(string) {}
		}
	}
	return o
}

// verifyLogin checks every assertion a page receives, when it receives it (an
// assertion is valid for minutes of virtual time), the way the RP's server
// would: against the audience it claims and the FxA server's key.
func (r *runner) verifyLogin(app, assertion string) {
	if assertion == "" {
		return // onlogin(null)
	}
	aud, _, err := rp.DecodeAssertion(assertion)
	if err == nil {
		_, err = r.d.Verifier().Verify(assertion, aud)
	}
	if err != nil {
		r.problem("%s: onlogin assertion does not verify: %v", app, err)
	}
}

func requestCall(q RequestSpec) rp.RequestOptions {
	o := rp.RequestOptions{RefreshAuthentication: q.RefreshAuthentication, PrivacyPolicy: q.PrivacyPolicy,
		TermsOfService: q.TermsOfService, Audience: q.Audience, NotUserInput: !q.UserInput, Extra: q.Extra}
	if q.OnCancel {
		o.OnCancel = func() {}
	}
	return o
}

func (r *runner) userStep(st Step) error {
	switch st.Action {
	case "sign-in":
		return r.userFlow(st, map[string][][2]string{
			gaia.ScreenEnterEmail:    {{wire.UserTypeEmail, st.Email}, {wire.UserNext, ""}},
			gaia.ScreenEnterPassword: {{wire.UserTypePassword, st.Password}, {wire.UserNext, ""}},
			gaia.ScreenSigninSuccess: {{wire.UserDone, ""}},
			gaia.ScreenSignupSuccess: {{wire.UserDone, ""}}, // signed in, not yet verified
		})
	case "sign-up":
		return r.userFlow(st, map[string][][2]string{
			gaia.ScreenEnterEmail:    {{wire.UserTypeEmail, st.Email}, {wire.UserNext, ""}},
			gaia.ScreenCoppa:         {{wire.UserChooseYear, fmt.Sprint(st.YearOfBirth)}, {wire.UserNext, ""}},
			gaia.ScreenSetPassword:   {{wire.UserTypePassword, st.Password}, {wire.UserNext, ""}},
			gaia.ScreenSignupSuccess: {{wire.UserDone, ""}},
		})
	case "refresh-auth":
		return r.userFlow(st, map[string][][2]string{
			gaia.ScreenRefreshAuth: {{wire.UserTypePassword, st.Password}, {wire.UserDone, ""}},
		})
	}
	action := map[string]string{
		"type-email": wire.UserTypeEmail, "type-password": wire.UserTypePassword, "choose-year": wire.UserChooseYear,
		"next": wire.UserNext, "back": wire.UserBack, "done": wire.UserDone, "close": wire.UserClose,
		"home": wire.UserHome, "holdhome": wire.UserHoldHome,
	}[st.Action]
	err := r.d.UserInput(action, st.Value)
	if errors.Is(err, device.ErrNoDialog) {
		return fmt.Errorf("user %s: no FxA dialog is open", st.Action)
	}
	return err
}

// userFlow plays a whole screen sequence: on each screen the user does what the
// table says, until the dialog closes. It stops early, leaving the dialog as it
// is for later steps, when an error overlay shows (wrong password, server
// error), while the server has not answered yet (a slow server: advance time,
// then continue with single actions), or on a screen the flow does not expect.
func (r *runner) userFlow(st Step, screens map[string][][2]string) error {
	for n := 0; ; n++ {
		state, open, err := r.d.DialogState()
		if err != nil {
			return err
		}
		if !open {
			if n == 0 {
				return fmt.Errorf("user %s: no FxA dialog is open", st.Action)
			}
			return nil
		}
		// Closing: Done was taken and the panel is animating out (device
		// closeAnimation); the flow has reported its outcome.
		if state.Busy || (n > 0 && state.Closing) {
			return nil
		}
		if n > 0 && state.Overlay != "" {
			// The server said no; the dialog shows why and the flow stops there,
			// leaving it to the scenario (a dialog check, single actions).
			return nil
		}
		actions, ok := screens[state.Screen]
		if !ok {
			if n == 0 {
				return fmt.Errorf("user %s: the dialog shows %s, where this flow does not start (screens: %s)",
					st.Action, state.Screen, strings.Join(slices.Sorted(maps.Keys(screens)), ", "))
			}
			return nil
		}
		if n > 20 {
			return fmt.Errorf("user %s: the dialog keeps showing %s", st.Action, state.Screen)
		}
		for _, a := range actions {
			if err := r.d.UserInput(a[0], a[1]); err != nil {
				if errors.Is(err, device.ErrNoDialog) {
					return nil
				}
				return err
			}
			// The composite step cannot go on past a refused action: name it.
			if refused := r.refusals.take(); len(refused) > 0 {
				return fmt.Errorf("user %s: on %s, %s was refused: %s", st.Action, state.Screen,
					refused[0].action+actionValue(a[0], a[1]), refused[0].reason)
			}
		}
	}
}

// actionValue shows what a refused action carried; passwords stay hidden.
func actionValue(action, value string) string {
	switch {
	case value == "":
		return ""
	case action == wire.UserTypePassword:
		return fmt.Sprintf(" (%d characters)", len([]rune(value)))
	}
	return fmt.Sprintf(" %q", value)
}

func (r *runner) serverStep(st Step) error {
	d := r.d
	switch st.Action {
	case "verify":
		return d.ServerVerify(st.Email)
	case "change-password":
		return d.ServerChangePassword(st.Email, st.Password)
	case "delete-account":
		return d.ServerDeleteAccount(st.Email)
	case "down":
		d.SetServerDown(true)
		return nil
	case "up":
		return d.HealServer()
	case "slow":
		return d.SetServerDelay(st.Delay)
	case "fail", "throttle":
		status, errno, retryAfter := st.Status, st.Errno, st.RetryAfter
		if st.Action == "throttle" {
			status, errno = 429, 114
			if retryAfter == 0 {
				retryAfter = 30
			}
		}
		if status < 400 || status > 599 {
			return fmt.Errorf("server fail: status %d is not an HTTP error (400-599)", status)
		}
		if errno == 0 {
			errno = map[int]int{429: 114, 503: 201}[status]
			if errno == 0 {
				errno = 999
			}
		}
		endpoint := ""
		if st.Endpoint != "" {
			endpoint = "/v1" + strings.TrimPrefix(st.Endpoint, "/v1")
		}
		return d.ServerFault(endpoint, status, errno, retryAfter)
	}
	return fmt.Errorf("unknown server step %q", st.Action)
}

// checkDialog compares what the FxA dialog shows with a dialog step; a
// difference is a failed expectation, not an invalid scenario.
func (r *runner) checkDialog(st Step) error {
	state, open, err := r.d.DialogState()
	if err != nil {
		return err
	}
	got := "closed"
	if open {
		got = state.Screen
		if state.Overlay != "" {
			got += " overlay=" + state.Overlay
		}
		if state.Busy {
			got += " (waiting for the server)"
		}
	}
	want := st.Action
	if st.Overlay != "" {
		want += " overlay=" + st.Overlay
	}
	if got != want {
		r.problem("line %d: dialog shows %s, want %s", st.Line, got, want)
	}
	return nil
}
