package scenario

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/fxastub"
	"github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
	"github.com/mozidsim/mozidsim/rp/verifier"
	"github.com/mozidsim/mozidsim/trace"
)

// Options tune a run.
type Options struct {
	// Verbose writes each step and, at the end, each phone's log to Out.
	Verbose bool
	// Trace writes each phone's trace (every hop, timer and note) to Out.
	Trace bool
	Out   io.Writer
	// NewPhone builds one phone; nil builds it on contacts/fxastub's FxA
	// stand-in, all phones sharing one FxA server (see World).
	NewPhone PhoneFactory
	// Remote, when set, runs against a provider on a socket (mozidsim
	// serve-contacts) in a run of its own, instead of one in this process.
	Remote *Remote
}

// Remote names a shared serve-contacts.
type Remote struct {
	URL        string // e.g. https://127.0.0.1:8443
	AdminToken string // the token it printed at start
	CertPEM    []byte // its certificate (--cert-out, or <dir>/tls-cert.pem)
}

// PhoneFactory builds a phone for a device of the scenario: a sim.System with
// an FxA side at wire.FxAccountsManager, the contacts parts attached with
// phone.Attach(name, sys, cfg, w.Clock), and SignIn/SignOut set. cfg already
// points at the world's provider.
type PhoneFactory func(w *World, d Device, cfg backup.Config) (*phone.Phone, error)

// World is what one run sets up: the FxA server, the provider, the phones.
type World struct {
	Scenario *Scenario
	FxA      *fxastub.Server
	Provider *contactsprovider.Server    // nil with Options.Remote
	Run      *contactsprovider.RunClient // the run on serve-contacts, with Options.Remote
	Clock    *phone.Clock
	Phones   map[string]*phone.Phone
	order    []string
	client   *http.Client
	dir      string

	keyMu     sync.Mutex
	issuerKey *browserid.PublicKey
	keyErr    error // telling the remote run the key failed
}

// SetIssuerKey makes the provider trust another FxA server's key: a PhoneFactory
// whose phones carry their own FxA server (internal/device) calls it.
func (w *World) SetIssuerKey(key *browserid.PublicKey) {
	w.keyMu.Lock()
	defer w.keyMu.Unlock()
	w.issuerKey = key
	if w.Run != nil {
		w.keyErr = w.Run.SetIssuerKey(key)
	}
}

// admin is what provider steps and expectations act on; an error when the
// provider is down.
func (w *World) admin() (contactsprovider.Admin, error) {
	if w.Run != nil {
		if w.Run.Down() {
			return nil, errProviderDown
		}
		return w.Run, nil
	}
	p := w.Provider.Provider()
	if p == nil {
		return nil, errProviderDown
	}
	return p.Admin(), nil
}

var errProviderDown = errors.New("the provider is down")

// lookupIssuerKey is the provider's /.well-known/browserid: FxA's key.
func (w *World) lookupIssuerKey(issuer, _ string) (*browserid.PublicKey, error) {
	if issuer != fxastub.Issuer {
		return nil, fmt.Errorf("no support document for %s", issuer)
	}
	w.keyMu.Lock()
	defer w.keyMu.Unlock()
	return w.issuerKey, nil
}

// Result is the outcome of a run.
type Result struct {
	Name   string
	Pass   bool
	Diff   []string               // one line per difference, with the step's file:line
	Logs   map[string][]string    // each phone's backup log
	Traces map[string][]sim.Event // each phone's trace (hops, timers, notes)
}

// StubPhone builds a phone on the world's FxA stand-in.
func StubPhone(w *World, d Device, cfg backup.Config) (*phone.Phone, error) {
	seed := w.Scenario.Seed + uint64(len(w.order)) + 1
	return phone.NewStandalone(d.Name, sim.Options{Seed: seed}, w.FxA, d.User, cfg, w.Clock)
}

// Run plays a scenario. The error is for a world that could not be built; a
// failing expectation is a Result with Pass false.
func Run(sc *Scenario, opts Options) (res *Result, err error) {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.NewPhone == nil {
		opts.NewPhone = StubPhone
	}
	w, err := build(sc, opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := w.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	r := &runner{w: w, opts: opts, labels: map[string]string{},
		res: &Result{Name: sc.Name, Logs: map[string][]string{}, Traces: map[string][]sim.Event{}}}
	for i := range sc.Steps {
		if err := r.step(&sc.Steps[i], i+1); err != nil {
			r.fail(sc.Steps[i].line, "step %d: %v", i+1, err)
			break
		}
	}
	if sc.Expect != nil {
		r.expect(sc.Expect, sc.expectLine)
	}
	for _, name := range w.order {
		p := w.Phones[name]
		lines, err := p.Backup.Log(p.Sys)
		if err == nil {
			r.res.Logs[name] = lines
		}
		r.res.Traces[name] = p.Sys.Trace()
		for _, f := range p.Sys.Faults() {
			r.fail(0, "device %s: actor fault: %v", name, f)
		}
	}
	r.res.Pass = len(r.res.Diff) == 0
	if opts.Trace {
		for _, name := range w.order {
			fmt.Fprintf(opts.Out, "== %s: trace of %s\n", sc.Name, name)
			for _, l := range trace.Encode(sim.Epoch, r.res.Traces[name]) {
				fmt.Fprintln(opts.Out, "  "+trace.Summary(l))
			}
		}
	}
	if opts.Verbose {
		for _, name := range w.order {
			p := w.Phones[name]
			lines, err := p.Backup.LogLines(p.Sys)
			if err != nil {
				continue
			}
			fmt.Fprintf(opts.Out, "-- %s log (virtual time since the start)\n", name)
			for _, l := range lines {
				fmt.Fprintf(opts.Out, "   %8s  %s\n", "+"+l.At.Sub(sim.Epoch).String(), l.Text)
			}
		}
	}
	return r.res, nil
}

func build(sc *Scenario, opts Options) (*World, error) {
	fxa, err := fxastub.NewServer(sc.Seed)
	if err != nil {
		return nil, err
	}
	for _, a := range sc.Accounts {
		verified := a.Verified == nil || *a.Verified
		if _, err := fxa.AddAccount(a.Email, verified); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "mozidsim-contacts-")
	if err != nil {
		return nil, err
	}
	clock := phone.NewClock(sim.Epoch)
	w := &World{Scenario: sc, FxA: fxa, Clock: clock, Phones: map[string]*phone.Phone{}, dir: dir, issuerKey: fxa.PublicKey()}
	origin := sc.Provider.Origin
	if origin == "" {
		origin = DefaultOrigin
	}
	var providerURL string
	if opts.Remote != nil {
		// A run of its own on the shared server: the same seed, origin, key
		// and clock as the in-process provider below would have.
		seed := sc.Seed
		run, err := contactsprovider.OpenRun(contactsprovider.RunConfig{URL: opts.Remote.URL, AdminToken: opts.Remote.AdminToken,
			CertPEM: opts.Remote.CertPEM, Seed: &seed, Origin: origin, IssuerKey: fxa.PublicKey(), Now: clock.Now})
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		w.Run, w.client, providerURL = run, run.Client(), run.URL()
	} else {
		srv, err := contactsprovider.Listen(contactsprovider.Config{
			Dir: dir, Origin: origin, Issuer: fxastub.Issuer, Clock: clock.Now,
			Verifier: &verifier.Verifier{Now: clock.Now, LookupIssuerKey: w.lookupIssuerKey},
			Rand:     contactsprovider.SeededRand(sc.Seed),
			NoSync:   true, // a scenario's directory is thrown away at its end
		}, "127.0.0.1:0")
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		w.Provider, w.client, providerURL = srv, srv.Client(), srv.URL()
	}
	for _, d := range sc.Devices {
		cfg := backup.Config{
			ProviderName: sc.Provider.Name,
			ProviderURL:  providerURL,
			HTTP:         w.client,
			Off:          d.Backup != nil && !bool(*d.Backup),
			Sync:         d.Sync,
			SyncInterval: time.Duration(d.SyncInterval),
			BatchDelay:   time.Duration(d.BatchDelay),
			RetryBase:    time.Duration(d.Retry),
			RetryMax:     time.Duration(d.RetryMax),
			BatchSize:    d.BatchSize,
		}
		p, err := opts.NewPhone(w, d, cfg)
		if err == nil {
			w.keyMu.Lock()
			err = w.keyErr
			w.keyMu.Unlock()
			if err != nil {
				p.Close()
			}
		}
		if err != nil {
			w.close()
			return nil, fmt.Errorf("%s:%d: device %s: %w", sc.File, d.line, d.Name, err)
		}
		w.Phones[d.Name] = p
		w.order = append(w.order, d.Name)
		if d.CardDAV != nil {
			if err := p.UseOwnServer(d.CardDAV.URL, d.CardDAV.Username, d.CardDAV.Password); err != nil {
				w.close()
				return nil, fmt.Errorf("%s:%d: device %s: %w", sc.File, d.line, d.Name, err)
			}
		}
	}
	return w, nil
}

func (w *World) close() error {
	var errs []string
	for _, name := range w.order {
		if err := w.Phones[name].Close(); err != nil {
			errs = append(errs, err.Error())
		}
	}
	w.client.CloseIdleConnections()
	if w.Run != nil {
		if err := w.Run.Close(); err != nil {
			errs = append(errs, err.Error())
		}
	} else if err := w.Provider.Close(); err != nil {
		errs = append(errs, err.Error())
	}
	os.RemoveAll(w.dir)
	if len(errs) > 0 {
		return fmt.Errorf("closing the world: %s", strings.Join(errs, "; "))
	}
	return nil
}

// AdvanceAll moves every phone's virtual clock forward together: to the next
// timer due on any phone, then on, so phones act in time order.
func (w *World) AdvanceAll(d time.Duration) error {
	remaining := d
	for {
		step := remaining
		for _, name := range w.order {
			if next, ok := w.Phones[name].Sys.NextTimer(); ok && next < step {
				step = max(next, 0)
			}
		}
		for _, name := range w.order {
			if err := w.Phones[name].Sys.Advance(step); err != nil {
				return err
			}
		}
		remaining -= step
		if remaining <= 0 {
			return nil
		}
	}
}

type runner struct {
	w      *World
	opts   Options
	labels map[string]string // label -> contact id
	res    *Result
}

func (r *runner) fail(line int, format string, args ...any) {
	where := r.w.Scenario.File
	if line > 0 {
		where = fmt.Sprintf("%s:%d", where, line)
	}
	r.res.Diff = append(r.res.Diff, where+": "+fmt.Sprintf(format, args...))
}

func (r *runner) step(st *Step, n int) error {
	key, value, _ := st.action()
	if r.opts.Verbose {
		desc := key + " " + value
		if st.Device != "" {
			desc += " on " + st.Device
		}
		if st.Note != "" {
			desc += " (" + st.Note + ")"
		}
		fmt.Fprintf(r.opts.Out, "step %d: %s\n", n, strings.TrimSpace(desc))
	}
	p := r.w.Phones[st.Device]
	switch key {
	case "contacts":
		return r.contactsStep(p, st)
	case "backup":
		return p.Switch(bool(*st.Backup))
	case "fxa":
		if value == "sign-in" {
			password := ""
			for _, a := range r.w.Scenario.Accounts {
				if a.Email == st.Email {
					password = a.Password
				}
			}
			return p.SignIn(st.Email, password)
		}
		return p.SignOut()
	case "provider":
		return r.providerStep(st)
	case "advance":
		return r.w.AdvanceAll(time.Duration(*st.Advance))
	case "expect":
		r.expect(st.Expect, st.line)
	}
	return nil
}

func (r *runner) contactsStep(p *phone.Phone, st *Step) error {
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

func (r *runner) providerStep(st *Step) error {
	srv := r.w.Provider
	if run := r.w.Run; run != nil {
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
		ph := r.w.Phones[st.Device]
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
