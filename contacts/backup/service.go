// Package backup is the contacts backup service of the Firefox OS prototype (2014),
// which lived in the System app: apps/system/services/contacts/js/backup.js (the
// queue, provisioning and uploads), manager.js (the IAC settings messages from the
// Contacts app: the ON/OFF switch and the provider choice) and storage.js (the
// per-FxA-account provider profiles with the credentials). It also does what the
// prototype listed as further work: restore onto a phone, two-way sync between
// devices (ETags, sync tokens, conflicts), deleting the account and revoking the
// device password.
//
// One actor, at contacts.Backup. It listens to mozContacts' contactchange events
// (the store's own subscribers list), asks wire.FxAccountsManager for the account
// and for assertions, and does its HTTP round trips inside Receive: each is a real
// request to the provider or the user's own CardDAV server. Time only matters for
// retries, which wait on the virtual clock (ctx.After).
//
// The 401 rule is the seed's: on a 401 the credentials are cleared and
// provisioning runs again, once; a second 401 gives up quietly (a trace note and
// Status().Reason) until the next change. Conflicts follow one documented rule
// (see resolveConflict): the newer edit by `updated` (vCard REV) wins, ties go to
// the server's copy, an edit beats a deletion.
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/davclient"
	"github.com/mozidsim/mozidsim/internal/machine"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Config is the service's start-up configuration: the settings default
// (build/config/common-settings.json identity.services.contacts.providers) and the
// knobs of the sync extensions.
type Config struct {
	// ProviderName and ProviderURL are the default, provisioning provider
	// ({name:'Fruux', url:'http://moz.fruux.net', canProvision:true}); the URL is
	// also the audience of the assertions.
	ProviderName string
	ProviderURL  string
	// HTTP is the phone's network (it must trust the provider's certificate).
	HTTP *http.Client
	// Off starts with the switch OFF (the prototype's default was ON).
	Off bool
	// Sync pulls remote changes after each round (two-way sync); without it the
	// service only backs up, like the prototype. Restore works either way.
	Sync bool
	// SyncInterval, with Sync, also pulls periodically (virtual time); 0: only
	// after local changes and on SyncNow.
	SyncInterval time.Duration
	// BatchSize is how many queued changes are loaded and pushed at a time.
	BatchSize int
	// BatchDelay waits this long after a change before pushing, so that bursts
	// of edits go out together; 0 is the prototype's setTimeout(0).
	BatchDelay time.Duration
	// RetryBase and RetryMax bound the exponential backoff (virtual time) after a
	// network failure or a 5xx.
	RetryBase, RetryMax time.Duration
	// MaxProvisioningAttempts in a row before giving up until the next change
	// (the early prototype's MAX_PROVISIONING_ATTEMPTS = 5).
	MaxProvisioningAttempts int
	// RequestTimeout bounds each HTTP round trip (wall clock: it is real network).
	RequestTimeout time.Duration
	// MultiGetSize is how many cards one addressbook-multiget asks for.
	MultiGetSize int
	// WallClockREV stamps REV with the wall clock when a card is written, for
	// a phone talking to real servers (Radicale, vdirsyncer's other side), which
	// would otherwise see the simulation's 2015 clock; off, REV is the
	// contact's updated time on the phone's (virtual) clock.
	WallClockREV bool
}

// Defaults.
const (
	DefaultProviderName            = "Fruux"
	DefaultBatchSize               = 50
	DefaultRetryBase               = time.Second
	DefaultRetryMax                = 5 * time.Minute
	DefaultMaxProvisioningAttempts = 5
	DefaultRequestTimeout          = 30 * time.Second
	DefaultMultiGetSize            = 100
)

func (c *Config) fill() {
	if c.ProviderName == "" {
		c.ProviderName = DefaultProviderName
	}
	if c.HTTP == nil {
		c.HTTP = http.DefaultClient
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.RetryBase <= 0 {
		c.RetryBase = DefaultRetryBase
	}
	if c.RetryMax < c.RetryBase {
		c.RetryMax = max(DefaultRetryMax, c.RetryBase)
	}
	if c.MaxProvisioningAttempts <= 0 {
		c.MaxProvisioningAttempts = DefaultMaxProvisioningAttempts
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MultiGetSize <= 0 {
		c.MultiGetSize = DefaultMultiGetSize
	}
}

// Self-addressed messages.
const (
	msgProcess  = "contacts-backup:process" // backup.js's setTimeout(process, 0)
	msgRetry    = "contacts-backup:retry"
	msgPeriodic = "contacts-backup:periodic-sync"
)

// ReasonNoVerifiedUser is what backup.js rejected getCredentials with when nobody
// usable was signed in.
const ReasonNoVerifiedUser = "No user with verified account signed in"

// Service is the backup actor. All its state is touched on its goroutine only.
type Service struct {
	cfg     Config
	enabled bool

	profiles map[string]*profile   // storage.js, by FxA account email
	books    map[string]*bookState // sync state, by address book URL
	queue    *queue                // local changes not yet on the server
	localRev map[string]uint64     // latest store revision seen per contact
	calls    promise.Calls         // to mozContacts and FxAccountsManager
	machine  *machine.Machine      // what the service is doing
	round    *round                // the work in progress
	deferred []func(ctx *sim.Ctx)  // user actions waiting for the round to end

	processQueued     bool // a msgProcess is on its way
	provisionFailures int  // in a row
	retryTimer        sim.TimerID
	retryArmed        bool
	retryDelay        time.Duration
	periodicArmed     bool
	reconcile         bool // compare every contact with the server state at the next round
	restore           bool // pull everything once at the next round
	pullWanted        bool

	status Status
	log    []LogLine
}

// LogLine is one line of the service's log and when (virtual time) it was written.
type LogLine struct {
	At   time.Time
	Text string
}

// New creates the service; spawn it at contacts.Backup after the store.
func New(cfg Config) *Service {
	cfg.fill()
	return &Service{
		cfg:      cfg,
		enabled:  !cfg.Off,
		profiles: make(map[string]*profile),
		books:    make(map[string]*bookState),
		queue:    newQueue(),
		localRev: make(map[string]uint64),
		machine:  ServiceMachine.New(),
		status:   Status{Provider: contacts.ProviderDefault},
	}
}

// Start subscribes to contact changes and, with the switch ON, schedules a first
// round that compares the phone's contacts with the server (the later
// contacts-sync app enqueued every contact on load for the same reason).
func (s *Service) Start(ctx *sim.Ctx) {
	ctx.Send(contacts.MozContacts, contacts.AddEventListener, nil)
	if !s.enabled {
		s.fire(ctx, evSwitchOff)
		return
	}
	s.reconcile = true
	s.schedule(ctx, true)
}

// Receive handles store events, answers, settings, user actions and timers.
func (s *Service) Receive(ctx *sim.Ctx, m sim.Message) {
	if s.calls.Settle(ctx, m) {
		return
	}
	switch m.Name {
	case contacts.ContactChange:
		if ev, ok := wire.Read[contacts.ChangeEvent](ctx, m); ok {
			s.onContactChange(ctx, ev)
		}
	case contacts.IACSettings:
		if msg, ok := wire.Read[contacts.SettingsMessage](ctx, m); ok {
			s.onSettings(ctx, msg)
		}
	case msgProcess:
		s.processQueued = false
		s.schedule(ctx, true)
	case msgRetry:
		s.retryArmed = false
		if s.machine.Current() == StWaiting {
			s.fire(ctx, evRetry)
			s.beginRound(ctx)
		}
	case msgPeriodic:
		s.periodicArmed = false
		if s.enabled && s.cfg.Sync {
			s.pullWanted = true
			s.schedule(ctx, false)
		}
	case contacts.SyncNow:
		s.pullWanted = true
		s.schedule(ctx, true)
	case contacts.Restore:
		s.restore = true
		s.schedule(ctx, true)
	case contacts.DeleteAccount:
		s.whenIdle(ctx, s.deleteAccount)
	case contacts.RevokePassword:
		s.whenIdle(ctx, s.revokePassword)
	case wire.NotifyOnLogin, wire.NotifyOnVerified:
		s.userArrived(ctx)
	case wire.NotifyOnLogout:
		s.userLeft(ctx)
	case wire.MozFxAccountsUnsolChromeEvent:
		// The same news as the System window hears it on a phone (internal/device).
		ev, ok := wire.Read[wire.UnsolChromeEvent](ctx, m)
		if !ok {
			return
		}
		switch ev.EventName {
		case "onlogin", "onverified":
			s.userArrived(ctx)
		case "onlogout":
			s.userLeft(ctx)
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

// userArrived: a (verified) user signed in; what was queued meanwhile can go out now.
func (s *Service) userArrived(ctx *sim.Ctx) {
	s.reconcile = true
	s.schedule(ctx, true)
}

func (s *Service) userLeft(ctx *sim.Ctx) {
	s.note(ctx, "FxA user signed out: backups stop until someone signs in")
}

// onContactChange is mozContacts.oncontactchange: queue the contact if enabled.
func (s *Service) onContactChange(ctx *sim.Ctx, ev contacts.ChangeEvent) {
	if ev.Reason == contacts.ReasonRemove {
		delete(s.localRev, ev.ContactID) // absent: what a conditional write must expect is 0
	} else if ev.Rev > s.localRev[ev.ContactID] {
		s.localRev[ev.ContactID] = ev.Rev
	}
	if ev.Origin == ctx.Self() {
		return // our own write of a remote version
	}
	if !s.enabled {
		return // the prototype only listened while enabled
	}
	s.queue.add(ev.ContactID, ev.Reason)
	s.status.Pending = s.queue.len()
	s.schedule(ctx, false)
}

// onSettings is manager.js's IAC handler.
func (s *Service) onSettings(ctx *sim.Ctx, msg contacts.SettingsMessage) {
	switch msg.Action {
	case contacts.ActionEnable:
		s.setEnabled(ctx, msg.Enabled)
	case contacts.ActionConfigure:
		s.whenIdle(ctx, func(ctx *sim.Ctx) { s.configure(ctx, msg) })
	default:
		s.note(ctx, fmt.Sprintf("settings: unknown action %q ignored", msg.Action))
	}
}

func (s *Service) setEnabled(ctx *sim.Ctx, on bool) {
	if on == s.enabled {
		return
	}
	s.enabled = on
	s.status.Enabled = on
	if !on {
		if s.retryArmed {
			ctx.CancelTimer(s.retryTimer)
			s.retryArmed = false
		}
		s.note(ctx, "backup switched OFF")
		s.fire(ctx, evSwitchOff)
		return
	}
	s.note(ctx, "backup switched ON")
	s.fire(ctx, evSwitchOn)
	// Changes made while OFF were not queued; compare everything instead.
	s.reconcile = true
	s.schedule(ctx, true)
}

// schedule starts a round when there is something to do and nothing running. A
// plain change while waiting for a retry waits for the retry; urgent triggers
// (the user asked, a user signed in) start at once.
func (s *Service) schedule(ctx *sim.Ctx, urgent bool) {
	if !s.enabled {
		return
	}
	switch s.machine.Current() {
	case StIdle, StStopped:
	case StWaiting:
		if !urgent {
			return
		}
		if s.retryArmed {
			ctx.CancelTimer(s.retryTimer)
			s.retryArmed = false
		}
		s.fire(ctx, evRetry)
		s.beginRound(ctx)
		return
	default:
		return // busy: the running round looks at the queue again before it ends
	}
	if !s.hasWork() {
		return
	}
	if !urgent {
		if s.processQueued {
			return
		}
		s.processQueued = true
		if s.cfg.BatchDelay > 0 {
			ctx.After(s.cfg.BatchDelay, msgProcess, nil)
		} else {
			ctx.Send(ctx.Self(), msgProcess, nil)
		}
		return
	}
	s.fire(ctx, evStart)
	s.beginRound(ctx)
}

func (s *Service) hasWork() bool {
	return s.queue.len() > 0 || s.reconcile || s.restore || s.pullWanted
}

// whenIdle runs a user action now if nothing is running, else after the round.
func (s *Service) whenIdle(ctx *sim.Ctx, action func(*sim.Ctx)) {
	switch s.machine.Current() {
	case StIdle, StStopped, StWaiting, StOff:
		action(ctx)
	default:
		s.deferred = append(s.deferred, action)
	}
}

func (s *Service) runDeferred(ctx *sim.Ctx) {
	actions := s.deferred
	s.deferred = nil
	for _, a := range actions {
		a(ctx)
	}
}

// note logs a line: in the trace (what backup.js dumped to the console) and in
// the service's own log, which scenarios can expect lines from.
func (s *Service) note(ctx *sim.Ctx, text string) {
	s.log = append(s.log, LogLine{At: ctx.Now(), Text: text})
	ctx.Record(sim.KindNote, ctx.Self(), text, nil)
}

// observe records every HTTP round trip.
func (s *Service) observe(ctx *sim.Ctx) davclient.Observer {
	return func(ex davclient.Exchange) {
		line := ex.Method + " " + ex.Path
		result := ""
		if ex.Err != nil {
			result = networkCause(ex.Err)
		} else {
			result = fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status))
		}
		s.log = append(s.log, LogLine{At: ctx.Now(), Text: line + " -> " + result})
		ctx.Record(sim.KindNote, contacts.Network, line, result)
	}
}

func (s *Service) requestContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
}

// Status is what the user can ask the service (the Contacts app's settings).
type Status struct {
	Enabled  bool
	State    string // the machine's state: idle, account, provisioning, ... (see the State* constants)
	Reason   string // why it stopped or waits ("" when fine)
	Account  string // the FxA account of the last round
	Provider string // "default" or "custom"
	BookURL  string // the address book in use
	Pending  int    // local changes not yet on the server

	Provisionings int // provisioning attempts (getAssertion, then POST /browserid/login)
	Uploaded      int // successful PUTs
	Deleted       int // successful DELETEs
	Downloaded    int // remote versions written to the phone
	RemovedLocal  int // contacts removed because the server no longer has them
	Conflicts     int // conflicts resolved
	Rejected      []string
	Malformed     []string
}

// Status returns a copy of the service's status (driver side).
func (s *Service) Status(sys *sim.System) (Status, error) {
	var st Status
	err := sys.Invoke(contacts.Backup, func(*sim.Ctx) {
		st = s.status
		st.Enabled = s.enabled
		st.State = s.machine.Current()
		st.Pending = s.queue.len()
		st.Rejected = slices.Clone(s.status.Rejected)
		st.Malformed = slices.Clone(s.status.Malformed)
	})
	return st, err
}

// Log returns the service's log lines (driver side).
func (s *Service) Log(sys *sim.System) ([]string, error) {
	var out []string
	err := sys.Invoke(contacts.Backup, func(*sim.Ctx) {
		out = make([]string, len(s.log))
		for i, l := range s.log {
			out[i] = l.Text
		}
	})
	return out, err
}

// LogLines returns the log with the virtual time of each line (driver side).
func (s *Service) LogLines(sys *sim.System) ([]LogLine, error) {
	var out []LogLine
	err := sys.Invoke(contacts.Backup, func(*sim.Ctx) { out = slices.Clone(s.log) })
	return out, err
}

// Credentials returns the stored credentials of an account's provider profile
// (driver side; a scenario's "revoke this device's password" needs them).
func (s *Service) Credentials(sys *sim.System, email string) (davclient.Credentials, bool, error) {
	var (
		creds davclient.Credentials
		ok    bool
	)
	err := sys.Invoke(contacts.Backup, func(*sim.Ctx) {
		p := s.profiles[email]
		if p == nil {
			return
		}
		pp := p.current()
		creds, ok = davclient.Credentials{BookURL: pp.BookURL, UserName: pp.UserName, Password: pp.Password}, pp.UserName != ""
	})
	return creds, ok, err
}

// Queued lists the ids of the pending local changes (driver side).
func (s *Service) Queued(sys *sim.System) ([]string, error) {
	var out []string
	err := sys.Invoke(contacts.Backup, func(*sim.Ctx) { out = s.queue.ids() })
	return out, err
}

// profile is storage.js's record for one FxA account.
type profile struct {
	provider  string // contacts.ProviderDefault or ProviderCustom
	providers map[string]*providerProfile
}

type providerProfile struct {
	Name         string
	URL          string
	CanProvision bool
	UserName     string
	Password     string
	BookURL      string // where the address book is (provisioned or discovered)
}

func (p *profile) current() *providerProfile { return p.providers[p.provider] }

func (pp *providerProfile) complete() bool {
	return pp.URL != "" && pp.UserName != "" && pp.Password != "" && pp.BookURL != ""
}

// profileFor loads an account's profile, creating it from the settings default on
// first use (storage.js load()).
func (s *Service) profileFor(email string) *profile {
	if p, ok := s.profiles[email]; ok {
		return p
	}
	p := &profile{provider: contacts.ProviderDefault, providers: map[string]*providerProfile{
		contacts.ProviderDefault: {Name: s.cfg.ProviderName, URL: s.cfg.ProviderURL, CanProvision: true},
		contacts.ProviderCustom:  {Name: "Custom"},
	}}
	s.profiles[email] = p
	return p
}

// configure stores the user's provider choice for the signed-in account
// (manager.js 'configure'; its typo made the default branch throw, not here).
func (s *Service) configure(ctx *sim.Ctx, msg contacts.SettingsMessage) {
	s.getAccount(ctx, func(ctx *sim.Ctx, email string, verified bool) {
		if email == "" {
			s.note(ctx, "configure ignored: no FxA account signed in")
			return
		}
		p := s.profileFor(email)
		switch msg.Provider {
		case contacts.ProviderCustom:
			p.provider = contacts.ProviderCustom
			p.providers[contacts.ProviderCustom] = &providerProfile{Name: "Custom", URL: msg.URL, UserName: msg.Username, Password: msg.Password}
			s.note(ctx, "configured the user's own CardDAV server "+msg.URL)
		case contacts.ProviderDefault, "":
			p.provider = contacts.ProviderDefault
			s.note(ctx, "configured the default provider "+s.cfg.ProviderName)
		default:
			s.note(ctx, fmt.Sprintf("configure ignored: unknown provider %q", msg.Provider))
			return
		}
		s.status.Provider = p.provider
		s.reconcile = true
		s.schedule(ctx, true)
	})
}

// getAccount asks FxAccountsManager.getAccount(): {email, verified} or null.
func (s *Service) getAccount(ctx *sim.Ctx, then func(ctx *sim.Ctx, email string, verified bool)) {
	s.calls.Send(ctx, wire.FxAccountsManager, wire.GetAccount, wire.PlainCall{}, func(ctx *sim.Ctx, ok bool, v any) {
		obj, isObj := v.(wire.Obj)
		if !ok || !isObj {
			then(ctx, "", false)
			return
		}
		verified, _ := obj.Get("verified")
		isVerified, _ := verified.(bool)
		then(ctx, obj.String("email"), isVerified)
	})
}

// errText is an error for the log and the status: an HTTP error's status line,
// a network failure as "<METHOD> <path>: <what happened>" without the server's
// address (so logs repeat from run to run), else the error.
func errText(err error) string {
	if err == nil {
		return ""
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		path := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			path = u.Path
		}
		return strings.ToUpper(ue.Op) + " " + path + ": " + networkCause(ue.Err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return strings.TrimSpace(err.Error())
}

func networkCause(err error) string {
	var op *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection"
	case errors.As(err, &op):
		return op.Err.Error()
	}
	return err.Error()
}
