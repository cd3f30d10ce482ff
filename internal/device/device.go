// Package device assembles one simulated Firefox OS phone: the Gecko identity and
// Firefox Accounts actors, the b2g glue, the Gaia System app, and the FxA auth
// server it talks to, all on one sim.System. It is what b2g's shell.js and the
// System app's bootstrap did at startup: create every singleton and connect them.
package device

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	contactsphone "github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/fxaccounts"
	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/fxaccounts/fxaclient"
	"github.com/mozidsim/mozidsim/gaia"
	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
	"github.com/mozidsim/mozidsim/rp/verifier"
	"github.com/mozidsim/mozidsim/uiglue"
)

// Account is an account that exists on the FxA server at the start.
type Account struct {
	Email    string
	Password string
	Verified bool
}

// Config describes the phone and its world at the start of a run.
type Config struct {
	Seed     uint64
	Accounts []Account
	// User is signed in on the phone at the start ("" for nobody); it must be one of Accounts.
	User string
	// AuthAge is how long ago User last typed the password (the session's authAt).
	AuthAge time.Duration
	// Offline starts the phone without network.
	Offline bool
	// Recorder receives the trace; nil keeps it in memory (Device.Sys.Trace()).
	Recorder sim.Recorder
	// NoTrace records nothing (benchmarks).
	NoTrace bool
	// Start is the virtual clock's start (zero: sim.Epoch, mid-2015). A phone
	// that real pages use in real time (mozidsim serve --wall-clock) starts now.
	Start time.Time
	// Server lets several phones share one FxA auth server (two devices, one
	// account). Nil makes a server for this phone; Accounts are created on it
	// unless they already exist. A shared server must use Clock.
	Server *authserver.Server
	// FxAURL runs the phone against an auth server on a real socket (`mozidsim
	// serve-fxa`, which has the admin API and takes the phone's virtual clock from
	// X-Mozidsim-Now). The phone opens a run of its own there (FxARun) and
	// drops it on Close, so that many phones share one server unseen.
	// Empty means the in-memory server, reached through the same HTTP client
	// over a transport that calls its handler directly.
	FxAURL string
	// FxARun is the run id sent as X-Mozidsim-Run with every request to
	// FxAURL; empty picks a random one.
	FxARun string
	// FxAAdminToken is that server's admin token (serve-fxa prints it): the
	// admin API and the virtual clock header need it.
	FxAAdminToken string
	// SystemWindowListeners are more System app actors (besides fxa_manager) that
	// hear the unsolicited mozFxAccountsUnsolChromeEvent (onlogin, onverified,
	// onlogout) on the System window: the contacts backup service.
	SystemWindowListeners []sim.Addr
	// Era is the software generation the phone runs ("" is era.Default): every
	// actor whose behaviour changed between spring 2014 and 2015 gets it.
	Era era.Era
	// CloseAnimation is how long the FxA dialog's closing animation runs in
	// virtual time (gaia.CloseAnimation; zero: it ends at once).
	CloseAnimation time.Duration
	// Contacts, when set, adds the System app's contacts backup service (Gaia
	// apps/system/services/contacts, the 2014 prototype) and the mozContacts
	// store; the service hears sign-in and sign-out on the System window, like
	// SystemWindowListeners. Nil: a phone without them.
	Contacts *Contacts
}

// Contacts configures a phone's contacts backup service.
type Contacts struct {
	// Name names the phone in the contacts driver's messages.
	Name   string
	Backup backup.Config
	// Clock, when set, hears the phone's virtual time before each of the
	// service's HTTP requests (a provider in the same process reads it).
	Clock *contactsphone.Clock
}

// Device is one simulated phone plus its FxA server.
type Device struct {
	Sys         *sim.System
	server      *authserver.Server // nil with Config.FxAURL
	admin       serverAdmin
	link        *linkTransport
	dropRun     func() error // with Config.FxAURL
	verifier    *verifier.Verifier
	clockOffset time.Duration
	pages       map[string]*rp.Page
	apps        map[string]rp.App
	accounts    *fxaccounts.FxAccounts
	gaia        *gaia.Gaia // the System app's handle: reads the FxA dialog
	era         era.Era
	// Contacts is the contacts store and backup service with their driver
	// handles (nil unless Config.Contacts).
	Contacts *contactsphone.Phone
	// delay is the slow-server delay in effect, so that healing a server that
	// was never slow leaves no message in the trace.
	delay time.Duration
}

// ErrNoDialog is returned for user input while no FxA dialog is open.
var ErrNoDialog = errors.New("no FxA dialog is open")

// Open opens an app's page (spawning its nsDOMIdentity).
func (d *Device) Open(app rp.App) (*rp.Page, error) {
	if _, dup := d.pages[app.Name]; dup {
		return nil, fmt.Errorf("app %q is already open", app.Name)
	}
	p, err := rp.Open(d.Sys, app, identity.InEra(d.era))
	if err != nil {
		return nil, err
	}
	d.pages[app.Name] = p
	d.apps[app.Name] = app
	return p, nil
}

// Page returns an open app's page.
func (d *Device) Page(name string) (*rp.Page, bool) {
	p, ok := d.pages[name]
	return p, ok
}

// ClosePage closes an app's page (the window goes away: Unwatch), runs until idle
// and forgets it, so the name can be opened again.
func (d *Device) ClosePage(name string) error {
	p, ok := d.pages[name]
	if !ok {
		return fmt.Errorf("app %q is not open", name)
	}
	if err := p.Close(); err != nil {
		return err
	}
	delete(d.pages, name)
	delete(d.apps, name)
	return d.Sys.RunUntilIdle()
}

// RunUntilIdle delivers every queued message.
func (d *Device) RunUntilIdle() error { return d.Sys.RunUntilIdle() }

// Advance moves virtual time forward, firing timers (verification polling, ...).
func (d *Device) Advance(dur time.Duration) error { return d.Sys.Advance(dur) }

// Close stops every actor and drops the phone's run on a serve-fxa server.
func (d *Device) Close() error {
	err := d.Sys.Close()
	if d.dropRun != nil {
		if derr := d.dropRun(); derr != nil && err == nil {
			err = fmt.Errorf("device: dropping the run on the FxA server: %w", derr)
		}
		d.dropRun = nil
	}
	return err
}

// Issuer is the FxA auth server's BrowserID issuer in the in-memory world.
const Issuer = fxaissuer.Name

// New builds a phone and its FxA server, with Config's accounts and signed-in user.
func New(cfg Config) (*Device, error) {
	key, err := fxaissuer.Key()
	if err != nil {
		return nil, fmt.Errorf("device: server key: %w", err)
	}
	sys := sim.New(sim.Options{Seed: cfg.Seed, Recorder: cfg.Recorder, NoTrace: cfg.NoTrace, Start: cfg.Start})
	d := &Device{Sys: sys, pages: make(map[string]*rp.Page), apps: make(map[string]rp.App), era: era.Of(cfg.Era)}
	// The server runs on the virtual clock; clockOffset lets setup sign the initial
	// user in "AuthAge ago".
	clock := func() time.Time { return sys.Now().Add(d.clockOffset) }
	d.link = &linkTransport{}
	var backend fxaccounts.Backend
	var publicKey *browserid.PublicKey
	if cfg.FxAURL != "" {
		run, err := runTransportFor(cfg.FxARun)
		if err != nil {
			return nil, fmt.Errorf("device: run id: %w", err)
		}
		admin := fxaclient.NewAdmin(cfg.FxAURL, &http.Client{Transport: run, Timeout: 30 * time.Second})
		admin.Clock = clock // accounts and password changes happen at the phone's virtual time
		admin.Token = cfg.FxAAdminToken
		// Reset opens the run: a fresh server of its own.
		if err := admin.Reset(); err != nil {
			return nil, fmt.Errorf("device: FxA server at %s: %w", cfg.FxAURL, err)
		}
		d.dropRun = func() error { return run.drop(cfg.FxAURL, cfg.FxAAdminToken) }
		if publicKey, err = admin.PublicKey(); err != nil {
			_ = d.dropRun()
			return nil, fmt.Errorf("device: FxA server at %s: %w", cfg.FxAURL, err)
		}
		d.link.next = run
		client := fxaclient.New(cfg.FxAURL, &http.Client{Transport: d.link, Timeout: 30 * time.Second}, clock, sys.RandReader())
		client.SendClock, client.AdminToken = true, cfg.FxAAdminToken
		backend, d.admin = client, admin
	} else {
		d.server = cfg.Server
		if d.server == nil {
			d.server = authserver.New(authserver.Config{Issuer: Issuer, Key: key, Clock: clock, Rand: sys.RandReader()})
		}
		publicKey = d.server.PublicKey()
		d.link.next = fxaclient.InMemoryTransport(d.server.Handler())
		backend = fxaclient.New("https://"+Issuer+"/v1", &http.Client{Transport: d.link}, clock, sys.RandReader())
		d.admin = localAdmin{d.server}
	}
	for _, a := range cfg.Accounts {
		if cfg.Server != nil {
			if _, exists := d.server.Account(a.Email); exists {
				continue
			}
		}
		if err := d.admin.CreateAccount(a.Email, a.Password, a.Verified); err != nil {
			return nil, fmt.Errorf("device: account %s: %w", a.Email, err)
		}
	}
	var user *wire.AccountData
	if cfg.User != "" {
		password, ok := "", false
		for _, a := range cfg.Accounts {
			if a.Email == cfg.User {
				password, ok = a.Password, true
			}
		}
		if !ok {
			return nil, fmt.Errorf("device: user %s is not one of the accounts", cfg.User)
		}
		d.clockOffset = -cfg.AuthAge
		v, serr := backend.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: cfg.User, Password: password})
		d.clockOffset = 0
		if serr != nil {
			return nil, fmt.Errorf("device: signing %s in: %s (errno %d): %s", cfg.User, serr.Error, serr.Errno, serr.Message)
		}
		res := v.(wire.SignInResult)
		email := res.Email
		if email == "" {
			email = cfg.User
		}
		user = &wire.AccountData{Email: email, UID: res.UID, SessionToken: res.SessionToken, Verified: res.Verified, AuthAt: res.AuthAt}
	}

	d.accounts = fxaccounts.NewFxAccounts(user, cfg.Offline)
	listeners := slices.Clone(cfg.SystemWindowListeners)
	if cfg.Contacts != nil {
		listeners = append(listeners, contacts.Backup)
	}
	actors := []struct {
		addr sim.Addr
		h    sim.Handler
	}{
		{wire.DOMIdentity, identity.NewDOMIdentity(identity.DOMIdentityEra(d.era))},
		{wire.MinimalIdentity, identity.NewMinimalIdentity()},
		{wire.FirefoxAccounts, fxaccounts.NewFirefoxAccounts(fxaccounts.InEra(d.era))},
		{wire.FxAccountsManager, fxaccounts.NewFxAccountsManager(cfg.Offline, fxaccounts.InEra(d.era))},
		{wire.FxAccounts, d.accounts},
		{wire.FxAServer, fxaccounts.NewServerLink(backend, cfg.Offline)},
		{wire.FxAccountsUIGlue, uiglue.NewFxAccountsUIGlue(uiglue.InEra(d.era))},
		{wire.FxAccountsMgmtService, uiglue.NewFxAccountsMgmtService(listeners...)},
	}
	for _, a := range actors {
		if err := sys.Spawn(a.addr, a.h); err != nil {
			sys.Close()
			return nil, err
		}
	}
	g, err := gaia.Spawn(sys, gaia.InEra(d.era), gaia.CloseAnimation(cfg.CloseAnimation))
	if err != nil {
		sys.Close()
		return nil, err
	}
	d.gaia = g
	d.verifier = &verifier.Verifier{
		Now: sys.Now,
		LookupIssuerKey: func(issuer, domain string) (*browserid.PublicKey, error) {
			if issuer != Issuer {
				return nil, fmt.Errorf("no support document for %s", issuer)
			}
			return publicKey, nil
		},
	}
	if err := sys.RunUntilIdle(); err != nil || cfg.Contacts == nil {
		return d, err
	}
	if err := d.attachContacts(cfg.Contacts); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// attachContacts spawns the contacts store and backup service once the FxA
// side runs, as the System app loaded services/contacts after its bootstrap.
// The user signs in and out in the Settings app.
func (d *Device) attachContacts(c *Contacts) error {
	p, err := contactsphone.Attach(c.Name, d.Sys, c.Backup, c.Clock)
	if err != nil {
		return err
	}
	p.SignIn, p.SignOut = d.SettingsSignIn, d.SettingsSignOut
	p.SetCloser(d.Close)
	d.Contacts = p
	return nil
}

// Server is the in-memory FxA auth server (nil when the phone talks to one on a
// real socket, Config.FxAURL).
func (d *Device) Server() *authserver.Server { return d.server }

// Verifier checks assertions against this world's FxA server key on the virtual clock.
func (d *Device) Verifier() *verifier.Verifier { return d.verifier }

// SignedInUser is the phone's signed-in Firefox Account (FxAccounts'
// signedInUser.json), or nil for nobody.
func (d *Device) SignedInUser() (*wire.AccountData, error) {
	var u *wire.AccountData
	err := d.Sys.Invoke(wire.FxAccounts, func(*sim.Ctx) {
		if cur := d.accounts.SignedInUser(); cur != nil {
			c := *cur
			u = &c
		}
	})
	return u, err
}

// Era is the software generation the phone runs.
func (d *Device) Era() era.Era { return d.era }

// Faults are actor panics seen so far.
func (d *Device) Faults() []error { return d.Sys.Faults() }

// UserInput delivers one user action to the FxA dialog (or, for home/holdhome, to
// the System app) and runs until idle.
func (d *Device) UserInput(action, value string) error {
	to := wire.FxAModule
	switch action {
	case wire.UserHome, wire.UserHoldHome:
		to = wire.SystemDialogManager
	default:
		if _, open, err := d.gaia.DialogState(); err != nil {
			return err
		} else if !open {
			return ErrNoDialog
		}
	}
	if err := d.Sys.Send(sim.Message{Name: action, From: wire.User, To: to, Payload: wire.UserInput{Value: value}}); err != nil {
		return err
	}
	return d.Sys.RunUntilIdle()
}

// DialogState is what the user sees in the FxA dialog; ok is false when none is open.
func (d *Device) DialogState() (gaia.ModuleState, bool, error) { return d.gaia.DialogState() }

// SetOnline flips the network: every actor that checks Services.io.offline is told.
func (d *Device) SetOnline(online bool) error {
	for _, a := range []sim.Addr{wire.FxAccountsManager, wire.FxAccounts, wire.FxAServer} {
		if err := d.Sys.Send(sim.Message{Name: wire.NotifyNetwork, From: wire.World, To: a, Payload: wire.NetworkStatus{Offline: !online}}); err != nil {
			return err
		}
	}
	return d.Sys.RunUntilIdle()
}

// OpenSystemDialog opens another System app dialog over whatever is showing:
// SystemDialogManager hides the active one (the FxA dialog) with 'interrupted'.
func (d *Device) OpenSystemDialog() error {
	return d.world(gaia.OtherDialog, gaia.MethodShow, nil)
}

// SettingsSignIn signs a user in from the Settings app (not from a page).
func (d *Device) SettingsSignIn(email, password string) error {
	return d.world(wire.Settings, wire.SettingsSignIn, wire.Credentials{Email: email, Password: password})
}

// SettingsSignOut signs the device account out from Settings.
func (d *Device) SettingsSignOut() error {
	return d.world(wire.Settings, wire.SettingsSignOut, nil)
}

func (d *Device) world(to sim.Addr, name string, payload any) error {
	from := wire.User
	if err := d.Sys.Send(sim.Message{Name: name, From: from, To: to, Payload: payload}); err != nil {
		return err
	}
	return d.Sys.RunUntilIdle()
}

// ServerVerify marks an account verified, as clicking the e-mailed link would.
func (d *Device) ServerVerify(email string) error { return d.admin.Verify(email) }

// ServerChangePassword changes a password on the server (from another device).
func (d *Device) ServerChangePassword(email, password string) error {
	return d.admin.ChangePassword(email, password)
}

// ServerDeleteAccount deletes an account on the server.
func (d *Device) ServerDeleteAccount(email string) error { return d.admin.DeleteAccount(email) }

// SetServerDown makes every connection to the auth server fail as refused
// (true) or work again (false).
func (d *Device) SetServerDown(down bool) { d.link.down.Store(down) }

// ServerFault makes an endpoint ("/v1/certificate/sign", "" for every one)
// answer HTTP status with errno and Retry-After until HealServer.
func (d *Device) ServerFault(endpoint string, status, errno, retryAfter int) error {
	return d.admin.Fault(endpoint, status, errno, retryAfter)
}

// HealServer ends every server fault: up, answering at once, no injected errors.
func (d *Device) HealServer() error {
	d.SetServerDown(false)
	if d.delay != 0 {
		if err := d.SetServerDelay(0); err != nil {
			return err
		}
	}
	return d.admin.ClearFaults()
}

// SetServerDelay makes the network answer after delay (virtual time). The
// change comes from the world (the scenario driver), not from the user.
func (d *Device) SetServerDelay(delay time.Duration) error {
	if err := d.Sys.Send(sim.Message{Name: fxaccounts.SetDelayName, From: wire.World, To: wire.FxAServer, Payload: fxaccounts.SetDelay{Delay: delay}}); err != nil {
		return err
	}
	d.delay = delay
	return d.Sys.RunUntilIdle()
}

// serverAdmin is what scenario steps do to the auth server: directly to the
// in-memory one, through the admin API to one on a socket.
type serverAdmin interface {
	CreateAccount(email, password string, verified bool) error
	Verify(email string) error
	ChangePassword(email, password string) error
	DeleteAccount(email string) error
	Fault(endpoint string, status, errno, retryAfter int) error
	ClearFaults() error
}

type localAdmin struct{ s *authserver.Server }

func (l localAdmin) CreateAccount(email, password string, verified bool) error {
	return l.s.CreateAccount(email, password, verified)
}
func (l localAdmin) Verify(email string) error { return l.s.Verify(email) }
func (l localAdmin) ChangePassword(email, password string) error {
	return l.s.ChangePassword(email, password)
}
func (l localAdmin) DeleteAccount(email string) error { return l.s.DeleteAccount(email) }
func (l localAdmin) Fault(endpoint string, status, errno, retryAfter int) error {
	l.s.InjectFault(endpoint, authserver.Fault{Status: status, Errno: errno, RetryAfter: retryAfter})
	return nil
}
func (l localAdmin) ClearFaults() error { l.s.ClearFaults(); return nil }

// linkTransport is the phone's network interface: while down, a connection to the
// server is refused before anything is sent, as with the server process gone.
type linkTransport struct {
	next http.RoundTripper
	down atomic.Bool
}

func (t *linkTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.down.Load() {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return t.next.RoundTrip(req)
}
