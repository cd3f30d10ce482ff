// Package phone is the simulated Firefox OS phone of 2015 (or, with
// Config.Era "2014", of spring 2014) as a Go library: every
// historic component of navigator.mozId (nsDOMIdentity, DOMIdentity,
// FirefoxAccounts, FxAccountsManager, FxAccounts, FxAccountsUIGlue, the Gaia
// System app and its FxA dialog) and the FxA auth server, assembled as
// b2g's shell.js and the System app's bootstrap did at start-up.
//
// It is what a relying party's own Go test embeds: open a page of an app (an
// rp.Page, whose Watch/Request/Logout are navigator.mozId), act as the user at
// the FxA dialog, move the virtual clock, read what each page received and
// the trace of every message, and check the RP's server against good
// assertions and deliberately wrong ones (Verify, VerifierHandler, Issuer,
// Defective). A Phone is driven from one goroutine at a time;
// after each action, RunUntilIdle delivers everything that follows from it, so
// the same program gives the same callbacks every run.
package phone

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/mozidsim/mozidsim/contacts/backup"
	contactsphone "github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/phoneinternal"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/rp"
	"github.com/mozidsim/mozidsim/scenarios"
	"github.com/mozidsim/mozidsim/trace"
)

// Account exists on the FxA auth server at the start.
type Account struct {
	Email, Password string
	Unverified      bool // the account has not clicked its verification link yet
}

// Config is the phone and its world at the start.
type Config struct {
	Accounts []Account
	// SignedIn is the account signed in on the phone at the start ("": nobody).
	SignedIn string
	// AuthAge is how long ago SignedIn last typed the password.
	AuthAge time.Duration
	Offline bool
	// Seed seeds window ids and keys (0 is a seed like any other).
	Seed uint64
	// Start is the virtual clock's start (zero: 2015-06-01 12:00 UTC).
	Start time.Time
	// Era is the software the phone runs: "2015" ("", B2G 2.2's stack) or
	// "2014" (spring 2014, B2G 1.4/2.0: the README's Faithfulness section
	// says what a page sees differently).
	Era string
	// FxAURL runs against an FxA auth server on a socket (mozidsim serve-fxa)
	// instead of the in-memory one.
	FxAURL string
	// Contacts, when set, adds the System app's contacts backup service and the
	// mozContacts store (the 2014 prototype): the service backs contacts up to
	// the CardDAV provider at Contacts.ProviderURL, provisioning credentials
	// with an FxA assertion from this phone. Nil: a phone without them.
	Contacts *backup.Config
}

// App is an app whose page uses navigator.mozId.
type App struct {
	Name   string
	Origin string
	Kind   string // certified (""), privileged, web or browser
	// ID is the app's id (its principal's appId); 0 numbers the app 1000 +
	// how many pages Open has opened, this one included.
	ID int
}

// Phone is one simulated phone.
type Phone struct {
	d     *device.Device
	rec   *sim.MemRecorder
	world *scenarios.World
	apps  int
}

// mozidsim's own servers reach the parts behind the public API through
// internal/phoneinternal (see there why).
func init() {
	phoneinternal.New = func(w phoneinternal.World) (any, phoneinternal.Parts, error) {
		if w.Scenario == nil {
			return nil, phoneinternal.Parts{}, errors.New("phone: a world needs a scenario")
		}
		dc := w.Scenario.DeviceConfig()
		dc.Seed, dc.Era, dc.Start = w.Seed, w.Era, w.Start
		p, err := build(dc)
		if err != nil {
			return nil, phoneinternal.Parts{}, err
		}
		return p, phoneinternal.Parts{Recorder: p.rec}, nil
	}
}

// New builds a phone.
func New(cfg Config) (*Phone, error) {
	dc := device.Config{User: cfg.SignedIn, AuthAge: cfg.AuthAge, Offline: cfg.Offline, Seed: cfg.Seed,
		Start: cfg.Start, FxAURL: cfg.FxAURL}
	if cfg.Contacts != nil {
		dc.Contacts = &device.Contacts{Name: "phone", Backup: *cfg.Contacts}
	}
	for _, a := range cfg.Accounts {
		dc.Accounts = append(dc.Accounts, device.Account{Email: a.Email, Password: a.Password, Verified: !a.Unverified})
	}
	if cfg.Era != "" {
		e, err := era.Parse(cfg.Era)
		if err != nil {
			return nil, fmt.Errorf("phone: Config.Era: %w", err)
		}
		dc.Era = e
	}
	return build(dc)
}

func build(dc device.Config) (*Phone, error) {
	rec, _ := dc.Recorder.(*sim.MemRecorder)
	if dc.Recorder == nil && !dc.NoTrace {
		rec = &sim.MemRecorder{}
		dc.Recorder = rec
	}
	d, err := device.New(dc)
	if err != nil {
		return nil, err
	}
	p := &Phone{d: d, rec: rec, world: scenarios.NewWorld(d)}
	if rec != nil {
		p.world.WatchRefusals(rec) // a refused dialog action says why
	}
	return p, nil
}

// FromScenario builds the phone a scenario file starts with (its accounts and
// device) and opens its apps' pages; the file's steps are not run.
func FromScenario(file string) (*Phone, []*rp.Page, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	sc, err := scenarios.Parse(file, data)
	if err != nil {
		return nil, nil, err
	}
	if sc.Kind != scenarios.KindMozID {
		return nil, nil, fmt.Errorf("%s is a kind: %s scenario, a world of several phones and a provider: run it with scenarios.Run (mozidsim run)", file, sc.Kind)
	}
	dc := sc.DeviceConfig()
	dc.Seed = sc.Seed
	p, err := build(dc)
	if err != nil {
		return nil, nil, err
	}
	var pages []*rp.Page
	for _, a := range sc.Apps {
		page, err := p.Open(App{Name: a.Name, Origin: a.Origin, Kind: a.Kind})
		if err != nil {
			p.Close()
			return nil, nil, err
		}
		pages = append(pages, page)
	}
	return p, pages, nil
}

// Open opens a page of app: its navigator.mozId is ready when Open returns.
func (p *Phone) Open(app App) (*rp.Page, error) {
	status, err := scenarios.AppStatus(app.Kind)
	if err != nil {
		return nil, fmt.Errorf("app %s: %v", app.Name, err)
	}
	p.apps++
	if app.ID == 0 {
		app.ID = 1000 + p.apps
	}
	page, err := p.d.Open(rp.App{Name: app.Name, Origin: app.Origin, Status: status, AppID: app.ID})
	if err != nil {
		return nil, err
	}
	return page, p.d.RunUntilIdle()
}

// ClosePage closes a page (the window goes away) and runs until idle.
func (p *Phone) ClosePage(name string) error { return p.d.ClosePage(name) }

// RunUntilIdle delivers every message that follows from what was done so far.
func (p *Phone) RunUntilIdle() error { return p.d.RunUntilIdle() }

// Do runs steps in the scenario vocabulary, each until idle, e.g.
//
//	[{user: sign-in, email: alice@example.com, password: "correct horse battery"}, {advance: 10m}]
//
// (YAML or JSON; app steps excepted: call the pages yourself).
func (p *Phone) Do(steps string) error {
	list, err := scenarios.ParseSteps([]byte(steps))
	if err != nil {
		return err
	}
	for i, st := range list {
		if err := p.world.Step(st); err != nil {
			return fmt.Errorf("step %d: %v", i+1, err)
		}
	}
	return nil
}

// Dialog is what the FxA dialog shows: its screen (ENTER_EMAIL, COPPA,
// SET_PASSWORD, ENTER_PASSWORD, SIGNUP_SUCCESS, SIGNIN_SUCCESS, REFRESH_AUTH) and
// error overlay; open is false when no dialog is showing.
func (p *Phone) Dialog() (screen, overlay string, open bool, err error) {
	st, open, err := p.d.DialogState()
	return st.Screen, st.Overlay, open, err
}

// DialogBusy reports whether the open FxA dialog is waiting for the FxA server
// (its spinner shows over the screen); false when no dialog is open. Only a
// slow server ({server: slow} steps) keeps it busy once the phone is idle.
func (p *Phone) DialogBusy() (bool, error) {
	st, open, err := p.d.DialogState()
	return open && st.Busy, err
}

// SignedIn is the phone's signed-in account ("" for nobody).
func (p *Phone) SignedIn() (string, error) {
	u, err := p.d.SignedInUser()
	if err != nil || u == nil {
		return "", err
	}
	return u.Email, nil
}

// Advance moves the virtual clock, firing timers (verification polling,
// certificate expiry) and running until idle after each.
func (p *Phone) Advance(d time.Duration) error { return p.d.Advance(d) }

// Now is the phone's virtual time.
func (p *Phone) Now() time.Time { return p.d.Sys.Now() }

// Start is the virtual time the phone started at (Config.Start, or the
// default 2015-06-01 12:00 UTC).
func (p *Phone) Start() time.Time { return p.d.Sys.Now().Add(-p.d.Sys.Elapsed()) }

// Verify checks an assertion for audience the way an RP's server would, against
// the phone's FxA server key at the phone's time, and returns the verified email.
func (p *Phone) Verify(assertion, audience string) (string, error) {
	res, err := p.d.Verifier().Verify(assertion, audience)
	if err != nil {
		return "", err
	}
	return res.VerifiedEmail(), nil
}

// VerifierHandler is browserid-verifier's POST /v2 ({assertion, audience} ->
// {"status":"okay", email, ...} or {"status":"failure", reason}) judging at the
// phone's virtual time with the phone's FxA key: serve it where an RP's server
// expects its verifier.
func (p *Phone) VerifierHandler() http.Handler { return p.d.Verifier().Handler() }

// WriteTrace writes every message, call and callback so far as a
// mozidsim-trace/1 file (mozidsim explain, diagram and replay read it).
func (p *Phone) WriteTrace(w io.Writer, name string) error {
	start := p.Start()
	var events []sim.Event
	if p.rec != nil {
		events = p.rec.Events()
	}
	return trace.WriteJSONL(w, trace.Header{Format: trace.Format, Version: trace.Version, Scenario: name, Start: start}, events)
}

// Contacts is the contacts store and backup service with the user's handles
// (add, update, remove contacts; the switch; sync now), or nil when the phone
// was built without Config.Contacts.
func (p *Phone) Contacts() *contactsphone.Phone { return p.d.Contacts }

// Note records a remark in the trace on page's behalf, as a console message
// the page logged: what the test did and why, next to what followed from it
// (mozidsim explain and replay show it). source names who remarks. Call it
// from the driving goroutine or from one of page's own callbacks.
func (p *Phone) Note(page *rp.Page, source, text string) error {
	return p.d.Sys.Invoke(page.Addr(), func(ctx *sim.Ctx) { ctx.Record(sim.KindNote, ctx.Self(), source, text) })
}

// Faults are actor panics seen so far (none in a healthy run).
func (p *Phone) Faults() []error { return p.d.Faults() }

// Close stops every actor of the phone.
func (p *Phone) Close() error { return p.d.Close() }
