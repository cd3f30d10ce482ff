package scenarios

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	contactsphone "github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
	"github.com/mozidsim/mozidsim/internal/seeded"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

// contactsWorld is what one contacts run sets up: one FxA auth server that
// every phone shares (two devices signed in to one account see the same
// account), the contacts provider on a loopback socket, and the phones, each an
// internal/device phone with the contacts backup service (device.Config.Contacts),
// so that the backup's assertion travels FxAccountsManager.getAssertion →
// FxAccounts → the auth server's /v1/certificate/sign as in the prototype.
type contactsWorld struct {
	sc       *Scenario
	seed     uint64
	server   *authserver.Server
	provider *contactsprovider.Server    // nil with Options.ContactsProvider
	run      *contactsprovider.RunClient // the run on serve-contacts, with Options.ContactsProvider
	client   *http.Client
	clock    *contactsphone.Clock
	devices  map[string]*device.Device
	order    []string
	dir      string
	rec      *worldRecorder
}

// Phone is a device's contacts handles.
func (w *contactsWorld) phone(name string) *contactsphone.Phone { return w.devices[name].Contacts }

// contactsPassword is an account's password: the scenario's, or, when it leaves
// it out (the provider never sees one), a fixed one derived from the e-mail,
// used both to create the account and to sign in.
func contactsPassword(email, pw string) string {
	if pw != "" {
		return pw
	}
	return "password of " + email
}

// buildContactsWorld starts the auth server, the provider and the phones.
func buildContactsWorld(sc *Scenario, seed uint64, e era.Era, rec *worldRecorder, remote *ContactsRemote) (*contactsWorld, error) {
	c := sc.Contacts
	key, err := fxaissuer.Key()
	if err != nil {
		return nil, fmt.Errorf("the FxA server's key: %w", err)
	}
	w := &contactsWorld{sc: sc, seed: seed, clock: contactsphone.NewClock(sim.Epoch), devices: map[string]*device.Device{}, rec: rec}
	w.server = authserver.New(authserver.Config{Issuer: device.Issuer, Key: key, Clock: w.now,
		Rand: seeded.Reader(seed, 0x6678612d73727672)})
	accounts := make([]device.Account, len(sc.Accounts))
	for i, a := range sc.Accounts {
		accounts[i] = a.device(contactsPassword(a.Email, a.Password))
		if err := w.server.CreateAccount(a.Email, accounts[i].Password, accounts[i].Verified); err != nil {
			return nil, fmt.Errorf("account %s: %w", a.Email, err)
		}
	}
	if w.dir, err = os.MkdirTemp("", "mozidsim-contacts-"); err != nil {
		return nil, err
	}
	origin := c.Provider.Origin
	if origin == "" {
		origin = DefaultProviderOrigin
	}
	publicKey := w.server.PublicKey()
	var providerURL string
	if remote != nil {
		// A run of its own on the shared server: the same seed, origin, key
		// and clock as the in-process provider below would have.
		run, err := contactsprovider.OpenRun(contactsprovider.RunConfig{URL: remote.URL, AdminToken: remote.AdminToken,
			CertPEM: remote.CertPEM, Seed: &seed, Origin: origin, IssuerKey: publicKey, Now: w.clock.Now})
		if err != nil {
			os.RemoveAll(w.dir)
			return nil, err
		}
		w.run, w.client, providerURL = run, run.Client(), run.URL()
	} else {
		srv, err := contactsprovider.Listen(contactsprovider.Config{
			Dir: w.dir, Origin: origin, Issuer: device.Issuer, Clock: w.clock.Now,
			Verifier: &verifier.Verifier{Now: w.clock.Now, LookupIssuerKey: func(issuer, _ string) (*browserid.PublicKey, error) {
				if issuer != device.Issuer {
					return nil, fmt.Errorf("no support document for %s", issuer)
				}
				return publicKey, nil
			}},
			Rand:   contactsprovider.SeededRand(seed),
			NoSync: true, // a scenario's directory is thrown away at its end
		}, "127.0.0.1:0")
		if err != nil {
			os.RemoveAll(w.dir)
			return nil, err
		}
		w.provider, w.client, providerURL = srv, srv.Client(), srv.URL()
	}
	for i, d := range c.Devices {
		cfg := d.config(accounts, e)
		// Phone i of the world gets seed+i+1; they share the world's server.
		cfg.Seed, cfg.Server, cfg.Recorder = seed+uint64(i)+1, w.server, rec.device(d.Name)
		cfg.Contacts = &device.Contacts{Name: d.Name, Clock: w.clock, Backup: backup.Config{
			ProviderName: c.Provider.Name,
			ProviderURL:  providerURL,
			HTTP:         w.client,
			Off:          d.Backup != nil && !bool(*d.Backup),
			Sync:         d.Sync,
			SyncInterval: time.Duration(d.SyncEvery),
			BatchDelay:   time.Duration(d.BatchDelay),
			RetryBase:    time.Duration(d.Retry),
			RetryMax:     time.Duration(d.RetryMax),
			BatchSize:    d.BatchSize,
		}}
		dev, err := device.New(cfg)
		if err == nil && d.CardDAV != nil {
			if err = dev.Contacts.UseOwnServer(d.CardDAV.URL, d.CardDAV.Username, d.CardDAV.Password); err != nil {
				dev.Close()
			}
		}
		if err != nil {
			w.close()
			return nil, &Error{File: sc.File, Line: d.line, Msg: fmt.Sprintf("device %s: %v", d.Name, err)}
		}
		w.devices[d.Name] = dev
		w.order = append(w.order, d.Name)
	}
	return w, nil
}

// now is the shared auth server's clock: the latest virtual time of any phone.
// advanceAll moves the phones one after the other by the same step, so the
// phone that is running (the one asking the server) is never behind another.
// It runs on the asking phone's actor goroutine while the driver waits for
// that actor, and the driver is the only writer of the phones' clocks and of
// w.devices, so the reads are ordered after the writes.
func (w *contactsWorld) now() time.Time {
	now := w.clock.Now()
	for _, d := range w.devices {
		if t := d.Sys.Now(); t.After(now) {
			now = t
		}
	}
	return now
}

// admin is what provider steps and expectations act on; an error when the
// provider is down.
func (w *contactsWorld) admin() (contactsprovider.Admin, error) {
	if w.run != nil {
		if w.run.Down() {
			return nil, errProviderDown
		}
		return w.run, nil
	}
	p := w.provider.Provider()
	if p == nil {
		return nil, errProviderDown
	}
	return p.Admin(), nil
}

var errProviderDown = errors.New("the provider is down")

func (w *contactsWorld) close() error {
	var errs []string
	for _, name := range w.order {
		if err := w.devices[name].Close(); err != nil {
			errs = append(errs, err.Error())
		}
	}
	w.client.CloseIdleConnections()
	if w.run != nil {
		if err := w.run.Close(); err != nil {
			errs = append(errs, err.Error())
		}
	} else if err := w.provider.Close(); err != nil {
		errs = append(errs, err.Error())
	}
	os.RemoveAll(w.dir)
	if len(errs) > 0 {
		return fmt.Errorf("closing the world: %s", strings.Join(errs, "; "))
	}
	return nil
}

// advanceAll moves every phone's virtual clock forward together: to the next
// timer due on any phone, then on, so phones act in time order.
func (w *contactsWorld) advanceAll(d time.Duration) error {
	remaining := d
	for {
		step := remaining
		for _, name := range w.order {
			if next, ok := w.devices[name].Sys.NextTimer(); ok && next < step {
				step = max(next, 0)
			}
		}
		for _, name := range w.order {
			if err := w.devices[name].Sys.Advance(step); err != nil {
				return err
			}
		}
		remaining -= step
		if remaining <= 0 {
			return nil
		}
	}
}

// worldRecorder is the trace of a world of phones: every phone's events in
// the order they happened, numbered anew. With more than one phone, each
// actor's address is prefixed with its phone's name ("one/FxAccounts"), so
// the trace tools draw each phone's actors apart; DeviceEvents splits them
// back.
type worldRecorder struct {
	mu     sync.Mutex
	prefix bool
	seq    uint64
	mem    *sim.MemRecorder // when the run's Options.Recorder is nil
	next   sim.Recorder
}

func (r *worldRecorder) device(name string) sim.Recorder {
	return recorderFunc(func(e sim.Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.prefix {
			e.From, e.To = sim.Addr(name+"/")+e.From, sim.Addr(name+"/")+e.To
		}
		r.seq++
		e.Seq = r.seq
		r.next.Record(e)
	})
}

type recorderFunc func(sim.Event)

func (f recorderFunc) Record(e sim.Event) { f(e) }

// DeviceEvents splits a contacts run's trace into each phone's own events,
// numbered from 1 as that phone's system numbered them.
func (sc *Scenario) DeviceEvents(events []sim.Event) map[string][]sim.Event {
	out := map[string][]sim.Event{}
	if sc.Contacts == nil {
		return out
	}
	devices := sc.Contacts.Devices
	for _, e := range events {
		name := devices[0].Name
		if len(devices) > 1 {
			dev, from, _ := strings.Cut(string(e.From), "/")
			_, to, _ := strings.Cut(string(e.To), "/")
			name, e.From, e.To = dev, sim.Addr(from), sim.Addr(to)
		}
		e.Seq = uint64(len(out[name]) + 1)
		out[name] = append(out[name], e)
	}
	return out
}

// runContacts plays a contacts scenario. The error is for a world that could
// not be built; failed expectations are Result.Problems.
func runContacts(sc *Scenario, opts Options) (res *Result, err error) {
	seed := sc.Seed
	if opts.Seed != 0 {
		seed = opts.Seed
	}
	e := sc.Era
	if e == "" {
		e = opts.Era
	}
	rec := &worldRecorder{prefix: len(sc.Contacts.Devices) > 1, next: opts.Recorder}
	if rec.next == nil {
		rec.mem = &sim.MemRecorder{}
		rec.next = rec.mem
	}
	w, err := buildContactsWorld(sc, seed, e, rec, opts.ContactsProvider)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := w.close(); cerr != nil && err == nil {
			res, err = nil, cerr
		}
	}()
	r := &contactsRunner{w: w, opts: opts, labels: map[string]string{},
		res: &Result{Scenario: sc, Seed: seed, Era: era.Of(e), BackupLogs: map[string][]backup.LogLine{}}}
	c := sc.Contacts
	for i := range c.Steps {
		if err := r.step(&c.Steps[i], i+1); err != nil {
			r.fail(c.Steps[i].line, "step %d: %v", i+1, err)
			break
		}
	}
	if c.Expect != nil {
		r.expect(c.Expect, c.expectLine)
	}
	for _, name := range w.order {
		p := w.phone(name)
		if lines, err := p.Backup.LogLines(p.Sys); err == nil {
			r.res.BackupLogs[name] = lines
		}
		for _, f := range p.Sys.Faults() {
			r.fail(0, "device %s: actor fault: %v", name, f)
		}
	}
	if rec.mem != nil {
		r.res.Events = rec.mem.Events()
	}
	return r.res, nil
}

type contactsRunner struct {
	w      *contactsWorld
	opts   Options
	labels map[string]string // label -> contact id
	res    *Result
}

func (r *contactsRunner) fail(line int, format string, args ...any) {
	where := r.w.sc.File
	if line > 0 {
		where = fmt.Sprintf("%s:%d", where, line)
	}
	r.res.Problems = append(r.res.Problems, where+": "+fmt.Sprintf(format, args...))
}

func (r *contactsRunner) step(st *ContactsStep, n int) error {
	key, value, _ := st.action()
	if r.opts.Progress != nil {
		desc := key + " " + value
		if st.Device != "" {
			desc += " on " + st.Device
		}
		if st.Note != "" {
			desc += " (" + st.Note + ")"
		}
		fmt.Fprintf(r.opts.Progress, "step %d: %s\n", n, strings.TrimSpace(desc))
	}
	var p *contactsphone.Phone
	if st.Device != "" {
		p = r.w.phone(st.Device)
	}
	switch key {
	case "contacts":
		return r.contactsStep(p, st)
	case "backup":
		return p.Switch(bool(*st.Backup))
	case "fxa":
		if value == "sign-in" {
			password := ""
			for _, a := range r.w.sc.Accounts {
				if a.Email == st.Email {
					password = a.Password
				}
			}
			return p.SignIn(st.Email, contactsPassword(st.Email, password))
		}
		return p.SignOut()
	case "provider":
		return r.providerStep(st)
	case "advance":
		return r.w.advanceAll(time.Duration(*st.Advance))
	case "expect":
		r.expect(st.Expect, st.line)
	}
	return nil
}

func (r *contactsRunner) contactsStep(p *contactsphone.Phone, st *ContactsStep) error {
	switch st.Contacts {
	case "add":
		id, err := p.Add(st.Contact.toContact(contacts.Contact{}))
		if err != nil {
			return err
		}
		if st.As != "" {
			r.labels[st.As] = id
		}
	case "update":
		id := r.labels[st.Ref]
		cur, ok, err := p.Store.Get(p.Sys, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("device %s has no contact %q (%s) to update", p.Name, st.Ref, id)
		}
		return p.Update(st.Contact.toContact(cur.Contact))
	case "remove":
		return p.Remove(r.labels[st.Ref])
	case "sync":
		return p.Do(contacts.SyncNow)
	case "restore":
		return p.Do(contacts.Restore)
	case "delete-account":
		return p.Do(contacts.DeleteAccount)
	case "revoke-password":
		return p.Do(contacts.RevokePassword)
	}
	return nil
}

func (r *contactsRunner) providerStep(st *ContactsStep) error {
	srv := r.w.provider
	if run := r.w.run; run != nil {
		// The shared server stays up: a run's provider is down for its phones
		// only (their connections refused) and restarts alone.
		switch st.Provider {
		case "down":
			run.SetDown(true)
			return nil
		case "up":
			run.SetDown(false)
			return nil
		case "restart":
			return run.Restart()
		}
	}
	switch st.Provider {
	case "down":
		// The phones' pooled connections die with the server; dropping them now
		// makes the next request fail the same way every run (refused, not EOF).
		defer r.w.client.CloseIdleConnections()
		return srv.Stop()
	case "up":
		return srv.Start()
	case "restart":
		if err := srv.Stop(); err != nil {
			return err
		}
		r.w.client.CloseIdleConnections()
		return srv.Start()
	}
	p, err := r.w.admin()
	if err != nil {
		return err
	}
	switch st.Provider {
	case "revoke-password":
		ph := r.w.phone(st.Device)
		creds, ok, err := ph.Backup.Credentials(ph.Sys, st.Account)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("device %s has no password for %s to revoke", st.Device, st.Account)
		}
		return p.RevokePassword(creds.UserName, creds.Password)
	case "revoke-all":
		_, err := p.RevokeAllPasswords(st.Account)
		return err
	case "delete-account":
		return p.DeleteAccount(st.Account)
	case "fault":
		return p.InjectFault(contactsprovider.Fault(st.Fault), st.Count)
	case "clear-faults":
		return p.ClearFaults()
	case "put-raw":
		return p.PutRawCard(st.Account, st.Name, []byte(st.Data))
	case "reset-stats":
		return p.ResetStats()
	}
	return nil
}

// toContact applies the spec's fields onto base (an update keeps the others).
func (c *ContactSpec) toContact(base contacts.Contact) contacts.Contact {
	out := base.Clone()
	setS := func(dst *[]string, v []string) {
		if v != nil {
			*dst = append([]string(nil), v...)
		}
	}
	setS(&out.Name, c.Name)
	setS(&out.GivenName, c.GivenName)
	setS(&out.FamilyName, c.FamilyName)
	setS(&out.AdditionalName, c.AdditionalName)
	setS(&out.HonorificPrefix, c.HonorificPrefix)
	setS(&out.HonorificSuffix, c.HonorificSuffix)
	setS(&out.Nickname, c.Nickname)
	setS(&out.Org, c.Org)
	setS(&out.JobTitle, c.JobTitle)
	setS(&out.Note, c.Note)
	setS(&out.Key, c.Key)
	fields := func(specs []FieldSpec) []contacts.Field {
		out := make([]contacts.Field, len(specs))
		for i, f := range specs {
			out[i] = contacts.Field{Value: f.Value, Type: f.Type, Pref: f.Pref}
		}
		return out
	}
	if c.Tel != nil {
		out.Tel = make([]contacts.TelField, len(c.Tel))
		for i, f := range c.Tel {
			out.Tel[i] = contacts.TelField{Value: f.Value, Type: f.Type, Pref: f.Pref, Carrier: f.Carrier}
		}
	}
	if c.Email != nil {
		out.Email = fields(c.Email)
	}
	if c.URL != nil {
		out.URL = fields(c.URL)
	}
	if c.Impp != nil {
		out.Impp = fields(c.Impp)
	}
	if c.Adr != nil {
		out.Adr = make([]contacts.Address, len(c.Adr))
		for i, a := range c.Adr {
			out.Adr[i] = contacts.Address{Type: a.Type, StreetAddress: a.StreetAddress, Locality: a.Locality,
				Region: a.Region, PostalCode: a.PostalCode, CountryName: a.CountryName, Pref: a.Pref}
		}
	}
	if c.Bday != "" {
		out.Bday, _ = time.Parse("2006-01-02", c.Bday)
	}
	if c.Anniversary != "" {
		out.Anniversary, _ = time.Parse("2006-01-02", c.Anniversary)
	}
	if c.Sex != "" {
		out.Sex = c.Sex
	}
	if c.GenderIdentity != "" {
		out.GenderIdentity = c.GenderIdentity
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
