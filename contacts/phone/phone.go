// Package phone assembles the contacts side of one simulated Firefox OS phone on a
// sim.System: the mozContacts store and the System app's contacts backup service,
// next to whatever answers at wire.FxAccountsManager: internal/device's real
// FxAccountsManager (device.Config.Contacts), or, in tests, internal/simtest/fxastub's
// stand-in. It is what the System app's
// index.html did by loading services/contacts/js/*.js, plus the driver's handles:
// the user editing contacts, flipping the switch, signing in and out.
package phone

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/mozcontacts"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Phone is one phone's contacts and backup service.
type Phone struct {
	Name   string
	Sys    *sim.System
	Store  *mozcontacts.Store
	Backup *backup.Service

	// SignIn and SignOut change the phone's FxA user (Settings app); Attach's
	// caller sets them. They must leave the system idle.
	SignIn  func(email, password string) error
	SignOut func() error
	// Close releases the phone (the system, and whatever else the builder made).
	closeFn func() error
}

// Attach spawns mozContacts and the backup service on sys (which must already
// have an actor at wire.FxAccountsManager) and runs until idle. The service's
// HTTP client is wrapped so that every request first publishes the phone's
// virtual time to clock (nil: none), which a provider in the same process reads.
func Attach(name string, sys *sim.System, cfg backup.Config, clock *Clock) (*Phone, error) {
	if clock != nil {
		cfg.HTTP = clock.Client(cfg.HTTP, sys.Now)
	}
	p := &Phone{Name: name, Sys: sys, Store: mozcontacts.New(), Backup: backup.New(cfg)}
	if err := sys.Spawn(contacts.MozContacts, p.Store); err != nil {
		return nil, err
	}
	if err := sys.Spawn(contacts.Backup, p.Backup); err != nil {
		return nil, err
	}
	p.closeFn = sys.Close
	return p, sys.RunUntilIdle()
}

// Close stops the phone's actors.
func (p *Phone) Close() error {
	if p.closeFn == nil {
		return nil
	}
	return p.closeFn()
}

// SetCloser replaces what Close does (a device.Device closes more than the system).
func (p *Phone) SetCloser(fn func() error) { p.closeFn = fn }

func (p *Phone) send(to sim.Addr, name string, payload any) error {
	if err := p.Sys.Send(sim.Message{Name: name, From: wire.User, To: to, Payload: payload}); err != nil {
		return err
	}
	return p.Sys.RunUntilIdle()
}

// Add saves a new contact as the user would and runs until idle; it returns the id.
func (p *Phone) Add(c contacts.Contact) (string, error) {
	c.ID = ""
	saved, err := p.Store.Save(p.Sys, c)
	if err != nil {
		return "", err
	}
	return saved.ID, p.Sys.RunUntilIdle()
}

// Update replaces a contact's fields with c's (c.ID names the contact).
func (p *Phone) Update(c contacts.Contact) error {
	if c.ID == "" {
		return errors.New("phone: update needs the contact's id")
	}
	if _, ok, err := p.Store.Get(p.Sys, c.ID); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("phone %s: no contact %s to update", p.Name, c.ID)
	}
	if _, err := p.Store.Save(p.Sys, c); err != nil {
		return err
	}
	return p.Sys.RunUntilIdle()
}

// Remove removes a contact.
func (p *Phone) Remove(id string) error {
	if _, err := p.Store.RemoveContact(p.Sys, id); err != nil {
		return fmt.Errorf("phone %s: removing %s: %w", p.Name, id, err)
	}
	return p.Sys.RunUntilIdle()
}

// Contacts lists the phone's contacts.
func (p *Phone) Contacts() ([]contacts.Contact, error) {
	all, err := p.Store.All(p.Sys)
	if err != nil {
		return nil, err
	}
	out := make([]contacts.Contact, len(all))
	for i, st := range all {
		out[i] = st.Contact
	}
	return out, nil
}

// Switch flips the backup ON/OFF switch in the Contacts app's settings.
func (p *Phone) Switch(on bool) error {
	return p.settings(contacts.SettingsMessage{Action: contacts.ActionEnable, Enabled: on})
}

// UseOwnServer configures the user's own CardDAV server (no provisioning).
func (p *Phone) UseOwnServer(url, user, password string) error {
	return p.settings(contacts.SettingsMessage{Action: contacts.ActionConfigure, Provider: contacts.ProviderCustom,
		URL: url, Username: user, Password: password})
}

func (p *Phone) settings(m contacts.SettingsMessage) error {
	if err := p.Sys.Send(sim.Message{Name: contacts.IACSettings, From: contacts.ContactsSettings, To: contacts.Backup, Payload: m}); err != nil {
		return err
	}
	return p.Sys.RunUntilIdle()
}

// Do sends one of the service's user actions (contacts.SyncNow, Restore,
// DeleteAccount, RevokePassword) and runs until idle.
func (p *Phone) Do(action string) error {
	switch action {
	case contacts.SyncNow, contacts.Restore, contacts.DeleteAccount, contacts.RevokePassword:
	default:
		return fmt.Errorf("phone: unknown action %q", action)
	}
	return p.send(contacts.Backup, action, nil)
}

// Status is the backup service's status.
func (p *Phone) Status() (backup.Status, error) { return p.Backup.Status(p.Sys) }

// Clock is the time a provider in the same process sees: the latest virtual time
// any phone published. It is safe for concurrent use (the provider reads it on
// its own goroutines).
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the latest published time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Observe publishes t if it is later than the current time.
func (c *Clock) Observe(t time.Time) {
	c.mu.Lock()
	if t.After(c.now) {
		c.now = t
	}
	c.mu.Unlock()
}

// Client wraps an HTTP client so that each request first publishes now().
func (c *Clock) Client(hc *http.Client, now func() time.Time) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out := *hc
	out.Transport = clockTransport{base: base, clock: c, now: now}
	return &out
}

type clockTransport struct {
	base  http.RoundTripper
	clock *Clock
	now   func() time.Time
}

func (t clockTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.clock.Observe(t.now())
	return t.base.RoundTrip(req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the base transport.
func (t clockTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
