// Package scenario is the `kind: contacts` scenario format and its runner: one
// or more simulated phones backing contacts up to (and syncing through) the
// fruux-like provider of rp/contactsprovider, the way the 2014 prototype
// (apps/system/services/contacts) and its planned sync extensions worked.
//
// A file names the Firefox Accounts that exist, the phones (who is signed in,
// the switch, two-way sync), then steps (the user editing contacts, flipping the
// switch, signing out; the provider going down, revoking a password, deleting an
// account; virtual time passing) and expectations on the provider's address
// books and on each phone's contacts, status and log. Files are decoded
// strictly: an unknown key is an error naming its file and line.
package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Kind is the value of `kind:` that marks a contacts scenario.
const Kind = "contacts"

// Scenario is one parsed file.
type Scenario struct {
	File        string    `yaml:"-"`
	Kind        string    `yaml:"kind"`
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	Seed        uint64    `yaml:"seed"`
	Accounts    []Account `yaml:"accounts"`
	Provider    Provider  `yaml:"provider"`
	Devices     []Device  `yaml:"devices"`
	Steps       []Step    `yaml:"steps"`
	Expect      *Expect   `yaml:"expect"`

	expectLine int
}

// Account is a Firefox Account on the FxA server.
type Account struct {
	Email    string `yaml:"email"`
	Password string `yaml:"password"`
	Verified *bool  `yaml:"verified"` // default true
}

// Provider configures the provider.
type Provider struct {
	Name   string `yaml:"name"`   // the name in the phones' settings (default Fruux)
	Origin string `yaml:"origin"` // its origin, the assertions' audience (default DefaultOrigin)
}

// DefaultOrigin is where the prototype's default provider lived (its settings had
// http://moz.fruux.net); the phones' network resolves it to the local listener.
const DefaultOrigin = "https://moz.fruux.net"

// Device is one phone.
type Device struct {
	Name         string   `yaml:"name"`
	User         string   `yaml:"user"`   // signed in at the start ("" for nobody)
	Backup       *Switch  `yaml:"backup"` // the ON/OFF switch, default on
	Sync         bool     `yaml:"sync"`   // two-way sync
	SyncInterval Duration `yaml:"sync_interval"`
	BatchDelay   Duration `yaml:"batch_delay"`
	Retry        Duration `yaml:"retry"`     // first retry delay (default 1s)
	RetryMax     Duration `yaml:"retry_max"` // longest retry delay (default 5m)
	BatchSize    int      `yaml:"batch_size"`
	// CardDAV, when set, is the user's own server (the prototype's custom
	// provider): no provisioning, these credentials.
	CardDAV *CardDAVServer `yaml:"carddav"`

	line int
}

// CardDAVServer is a CardDAV server the user typed in: https, or plain http on
// a loopback address only (a password in clear must not cross a network).
type CardDAVServer struct {
	URL      string `yaml:"url"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// check names what is wrong with a server setting.
func (c *CardDAVServer) check() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("carddav: url %q is not an http(s) URL", c.URL)
	}
	if u.Scheme == "http" {
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("carddav: url %q: plain http is only accepted for a loopback host (the password would cross the network in clear); use https", c.URL)
		}
	}
	if c.Username == "" || c.Password == "" {
		return errors.New("carddav: username and password are required")
	}
	return nil
}

// Switch is "on" or "off".
type Switch bool

// UnmarshalYAML reads on/off (or true/false).
func (s *Switch) UnmarshalYAML(n *yaml.Node) error {
	switch strings.ToLower(n.Value) {
	case "on", "true":
		*s = true
	case "off", "false":
		*s = false
	default:
		return fmt.Errorf("line %d: %q is not on or off", n.Line, n.Value)
	}
	return nil
}

// Duration is a Go duration string ("30s", "5m").
type Duration time.Duration

// UnmarshalYAML parses a duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration like 30s or 5m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// Step is one thing that happens. Exactly one of the action keys (contacts,
// backup, fxa, provider, advance, expect) is set.
type Step struct {
	Contacts string    `yaml:"contacts"` // add, update, remove, sync, restore, delete-account, revoke-password
	Backup   *Switch   `yaml:"backup"`   // on, off
	FxA      string    `yaml:"fxa"`      // sign-in, sign-out
	Provider string    `yaml:"provider"` // down, up, restart, revoke-password, revoke-all, delete-account, fault, clear-faults, put-raw, reset-stats
	Advance  *Duration `yaml:"advance"`
	Expect   *Expect   `yaml:"expect"`
	Note     string    `yaml:"note"` // a comment that shows in verbose output

	Device  string       `yaml:"device"`
	As      string       `yaml:"as"`  // label for a contact being added
	Ref     string       `yaml:"ref"` // label of an existing contact
	Contact *ContactSpec `yaml:"contact"`
	Email   string       `yaml:"email"`   // fxa sign-in
	Account string       `yaml:"account"` // provider steps on an account
	Fault   string       `yaml:"fault"`
	Count   int          `yaml:"count"`
	Name    string       `yaml:"name"` // put-raw: resource name
	Data    string       `yaml:"data"` // put-raw: the bytes

	line int
}

// action returns the step's action key and value.
func (s *Step) action() (key, value string, n int) {
	if s.Contacts != "" {
		key, value, n = "contacts", s.Contacts, n+1
	}
	if s.Backup != nil {
		key, n = "backup", n+1
		value = "off"
		if *s.Backup {
			value = "on"
		}
	}
	if s.FxA != "" {
		key, value, n = "fxa", s.FxA, n+1
	}
	if s.Provider != "" {
		key, value, n = "provider", s.Provider, n+1
	}
	if s.Advance != nil {
		key, value, n = "advance", time.Duration(*s.Advance).String(), n+1
	}
	if s.Expect != nil {
		key, n = "expect", n+1
	}
	return key, value, n
}

// ContactSpec is a contact in a scenario: the mozContact fields the backup maps.
type ContactSpec struct {
	Name            []string      `yaml:"name"`
	GivenName       []string      `yaml:"givenName"`
	FamilyName      []string      `yaml:"familyName"`
	AdditionalName  []string      `yaml:"additionalName"`
	HonorificPrefix []string      `yaml:"honorificPrefix"`
	HonorificSuffix []string      `yaml:"honorificSuffix"`
	Nickname        []string      `yaml:"nickname"`
	Tel             []FieldSpec   `yaml:"tel"`
	Email           []FieldSpec   `yaml:"email"`
	URL             []FieldSpec   `yaml:"url"`
	Impp            []FieldSpec   `yaml:"impp"`
	Adr             []AddressSpec `yaml:"adr"`
	Org             []string      `yaml:"org"`
	JobTitle        []string      `yaml:"jobTitle"`
	Note            []string      `yaml:"note"`
	Key             []string      `yaml:"key"`
	Bday            string        `yaml:"bday"`        // YYYY-MM-DD
	Anniversary     string        `yaml:"anniversary"` // YYYY-MM-DD
	Sex             string        `yaml:"sex"`
	GenderIdentity  string        `yaml:"genderIdentity"`
}

// FieldSpec is a ContactField (tel adds carrier).
type FieldSpec struct {
	Value   string   `yaml:"value"`
	Type    []string `yaml:"type"`
	Pref    bool     `yaml:"pref"`
	Carrier string   `yaml:"carrier"`
}

// AddressSpec is a ContactAddress.
type AddressSpec struct {
	Type          []string `yaml:"type"`
	StreetAddress string   `yaml:"streetAddress"`
	Locality      string   `yaml:"locality"`
	Region        string   `yaml:"region"`
	PostalCode    string   `yaml:"postalCode"`
	CountryName   string   `yaml:"countryName"`
	Pref          bool     `yaml:"pref"`
}

// Expect holds expectations on the provider and the phones.
type Expect struct {
	Server  []ServerExpect          `yaml:"server"`
	Devices map[string]DeviceExpect `yaml:"devices"`
}

// ServerExpect is about one account's address book on the provider.
type ServerExpect struct {
	Account   string         `yaml:"account"`
	Exists    *bool          `yaml:"exists"`
	Cards     []EntryExpect  `yaml:"cards"` // the exact set of cards (any order)
	Count     *int           `yaml:"count"`
	Passwords *int           `yaml:"passwords"` // active device passwords
	Requests  map[string]int `yaml:"requests"`  // provider-wide counts since the last reset-stats
	Downloads *int           `yaml:"downloads"` // vCards the provider sent since the last reset-stats
}

// DeviceExpect is about one phone.
type DeviceExpect struct {
	Contacts      []EntryExpect `yaml:"contacts"` // the exact set of contacts (any order)
	Count         *int          `yaml:"count"`
	State         string        `yaml:"state"`
	Reason        *string       `yaml:"reason"`
	Switch        *Switch       `yaml:"switch"`
	Pending       *int          `yaml:"pending"`
	Provisionings *int          `yaml:"provisionings"`
	Uploaded      *int          `yaml:"uploaded"`
	Deleted       *int          `yaml:"deleted"`
	Downloaded    *int          `yaml:"downloaded"`
	Conflicts     *int          `yaml:"conflicts"`
	Malformed     *int          `yaml:"malformed"`
	Log           []string      `yaml:"log"`    // substrings of log lines, in this order
	NoLog         []string      `yaml:"no_log"` // substrings no log line may contain
}

// EntryExpect describes a contact (on a phone) or a card (on the server): the
// display name, and whichever other fields are given.
type EntryExpect struct {
	Name  string   `yaml:"name"`
	Ref   string   `yaml:"ref"` // the contact's label: its id must match
	Tel   []string `yaml:"tel"`
	Email []string `yaml:"email"`
	Note  []string `yaml:"note"`
	Org   []string `yaml:"org"`
}

// Parse decodes and checks a scenario; errors name the file and line.
func Parse(name string, data []byte) (*Scenario, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%s:%d: one scenario per file (found a second document)", name, extra.Line)
	}
	sc.File = name
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	locate(&sc, &root)
	if err := sc.check(); err != nil {
		return nil, err
	}
	return &sc, nil
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError rewrites the decoder's "line N: ..." messages as "file:N: ...".
func yamlError(name string, err error) error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	for i, m := range msgs {
		if g := lineRE.FindStringSubmatch(m); g != nil {
			msgs[i] = name + ":" + g[1] + ": " + g[2]
		} else {
			msgs[i] = name + ": " + strings.TrimPrefix(m, "yaml: ")
		}
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// locate copies line numbers from the node tree into steps and devices.
func locate(sc *Scenario, root *yaml.Node) {
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		switch key.Value {
		case "steps":
			for j, n := range val.Content {
				if j < len(sc.Steps) {
					sc.Steps[j].line = n.Line
				}
			}
		case "devices":
			for j, n := range val.Content {
				if j < len(sc.Devices) {
					sc.Devices[j].line = n.Line
				}
			}
		case "expect":
			sc.expectLine = val.Line
		}
	}
}

func (sc *Scenario) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", sc.File, line, fmt.Sprintf(format, args...))
}

// Step actions.
var (
	contactsActions = []string{"add", "update", "remove", "sync", "restore", "delete-account", "revoke-password"}
	fxaActions      = []string{"sign-in", "sign-out"}
	providerActions = []string{"down", "up", "restart", "revoke-password", "revoke-all", "delete-account", "fault",
		"clear-faults", "put-raw", "reset-stats"}
	faultNames = []string{"unauthorized", "server-error", "garbage-login", "login-error"}
)

func (sc *Scenario) check() error {
	if sc.Kind != Kind {
		return sc.errorf(1, "kind must be %q, got %q", Kind, sc.Kind)
	}
	if sc.Name == "" {
		return sc.errorf(1, "the scenario needs a name")
	}
	accounts := map[string]bool{}
	for _, a := range sc.Accounts {
		if a.Email == "" || accounts[a.Email] {
			return sc.errorf(1, "accounts: every account needs a distinct email (got %q)", a.Email)
		}
		accounts[a.Email] = true
	}
	if sc.Provider.Origin != "" {
		if u, err := url.Parse(sc.Provider.Origin); err != nil || u.Scheme != "https" || u.Host == "" || u.Path != "" {
			return sc.errorf(1, "provider: origin %q is not an https origin like https://moz.fruux.net", sc.Provider.Origin)
		}
	}
	if len(sc.Devices) == 0 {
		return sc.errorf(1, "at least one device is needed")
	}
	devices := map[string]bool{}
	for _, d := range sc.Devices {
		if d.Name == "" || devices[d.Name] {
			return sc.errorf(d.line, "every device needs a distinct name (got %q)", d.Name)
		}
		devices[d.Name] = true
		if d.User != "" && !accounts[d.User] {
			return sc.errorf(d.line, "device %s: user %s is not one of the accounts", d.Name, d.User)
		}
		if d.CardDAV != nil {
			if err := d.CardDAV.check(); err != nil {
				return sc.errorf(d.line, "device %s: %v", d.Name, err)
			}
		}
	}
	labels := map[string]bool{}
	for i := range sc.Steps {
		if err := sc.checkStep(&sc.Steps[i], i+1, devices, accounts, labels); err != nil {
			return err
		}
	}
	if sc.Expect != nil {
		if err := sc.checkExpect(sc.Expect, sc.expectLine, devices, accounts, labels); err != nil {
			return err
		}
	}
	return nil
}

func (sc *Scenario) checkStep(st *Step, n int, devices, accounts, labels map[string]bool) error {
	key, value, count := st.action()
	switch count {
	case 0:
		if st.Note != "" {
			return nil
		}
		return sc.errorf(st.line, "step %d does nothing: give one of contacts, backup, fxa, provider, advance, expect", n)
	case 1:
	default:
		return sc.errorf(st.line, "step %d has more than one action (contacts, backup, fxa, provider, advance, expect)", n)
	}
	allowed := map[string][]string{"backup": {"device"}, "advance": nil, "expect": nil}
	needDevice := false
	switch key {
	case "contacts":
		if !slices.Contains(contactsActions, value) {
			return sc.errorf(st.line, "step %d: unknown contacts action %q (known: %s)", n, value, strings.Join(contactsActions, ", "))
		}
		needDevice = true
		switch value {
		case "add":
			allowed[key] = []string{"device", "as", "contact"}
			if st.Contact == nil {
				return sc.errorf(st.line, "step %d: contacts: add needs a contact", n)
			}
			if st.As != "" {
				if labels[st.As] {
					return sc.errorf(st.line, "step %d: label %q is already used", n, st.As)
				}
				labels[st.As] = true
			}
		case "update":
			allowed[key] = []string{"device", "ref", "contact"}
			if st.Contact == nil {
				return sc.errorf(st.line, "step %d: contacts: update needs the fields to change under contact", n)
			}
		case "remove":
			allowed[key] = []string{"device", "ref"}
		default:
			allowed[key] = []string{"device"}
		}
		if value == "update" || value == "remove" {
			if st.Ref == "" {
				return sc.errorf(st.line, "step %d: contacts: %s needs ref (the label given with as)", n, value)
			}
			if !labels[st.Ref] {
				return sc.errorf(st.line, "step %d: no contact labelled %q was added before", n, st.Ref)
			}
		}
		if st.Contact != nil {
			if err := st.Contact.check(); err != nil {
				return sc.errorf(st.line, "step %d: %v", n, err)
			}
		}
	case "backup":
		needDevice = true
	case "fxa":
		if !slices.Contains(fxaActions, value) {
			return sc.errorf(st.line, "step %d: unknown fxa action %q (known: %s)", n, value, strings.Join(fxaActions, ", "))
		}
		needDevice = true
		allowed[key] = []string{"device"}
		if value == "sign-in" {
			allowed[key] = []string{"device", "email"}
			if !accounts[st.Email] {
				return sc.errorf(st.line, "step %d: fxa: sign-in needs email, one of the accounts", n)
			}
		}
	case "provider":
		if !slices.Contains(providerActions, value) {
			return sc.errorf(st.line, "step %d: unknown provider action %q (known: %s)", n, value, strings.Join(providerActions, ", "))
		}
		switch value {
		case "revoke-password":
			allowed[key] = []string{"device", "account"}
			needDevice = true
			if !accounts[st.Account] {
				return sc.errorf(st.line, "step %d: provider: revoke-password needs the account and the device whose password goes", n)
			}
		case "revoke-all", "delete-account":
			allowed[key] = []string{"account"}
			if !accounts[st.Account] {
				return sc.errorf(st.line, "step %d: provider: %s needs account, one of the accounts", n, value)
			}
		case "fault":
			allowed[key] = []string{"fault", "count"}
			if !slices.Contains(faultNames, st.Fault) {
				return sc.errorf(st.line, "step %d: unknown fault %q (known: %s)", n, st.Fault, strings.Join(faultNames, ", "))
			}
			if st.Count == 0 {
				return sc.errorf(st.line, "step %d: a fault needs count (how many requests; -1: until clear-faults)", n)
			}
		case "put-raw":
			allowed[key] = []string{"account", "name", "data"}
			if !accounts[st.Account] || st.Name == "" {
				return sc.errorf(st.line, "step %d: provider: put-raw needs account, name and data", n)
			}
		default:
			allowed[key] = nil
		}
	case "expect":
		if err := sc.checkExpect(st.Expect, st.line, devices, accounts, labels); err != nil {
			return err
		}
	}
	if needDevice && !devices[st.Device] {
		return sc.errorf(st.line, "step %d: %s: %s needs device, one of the devices (got %q)", n, key, value, st.Device)
	}
	for field, set := range map[string]bool{"device": st.Device != "", "as": st.As != "", "ref": st.Ref != "",
		"contact": st.Contact != nil, "email": st.Email != "", "account": st.Account != "", "fault": st.Fault != "",
		"count": st.Count != 0, "name": st.Name != "", "data": st.Data != ""} {
		if set && !slices.Contains(allowed[key], field) {
			return sc.errorf(st.line, "step %d: %s: %s does not take %s", n, key, value, field)
		}
	}
	return nil
}

func (sc *Scenario) checkExpect(e *Expect, line int, devices, accounts, labels map[string]bool) error {
	for _, s := range e.Server {
		if !accounts[s.Account] {
			return sc.errorf(line, "expect: server: %q is not one of the accounts", s.Account)
		}
		for _, c := range s.Cards {
			if err := c.check(labels); err != nil {
				return sc.errorf(line, "expect: server %s: %v", s.Account, err)
			}
		}
	}
	for name, d := range e.Devices {
		if !devices[name] {
			return sc.errorf(line, "expect: %q is not one of the devices", name)
		}
		for _, c := range d.Contacts {
			if err := c.check(labels); err != nil {
				return sc.errorf(line, "expect: device %s: %v", name, err)
			}
		}
	}
	return nil
}

func (e EntryExpect) check(labels map[string]bool) error {
	if e.Name == "" {
		return errors.New("every expected contact needs a name")
	}
	if e.Ref != "" && !labels[e.Ref] {
		return fmt.Errorf("no contact labelled %q", e.Ref)
	}
	return nil
}

func (c *ContactSpec) check() error {
	for _, d := range []struct{ field, v string }{{"bday", c.Bday}, {"anniversary", c.Anniversary}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", d.v); err != nil {
			return fmt.Errorf("%s %q is not a YYYY-MM-DD date", d.field, d.v)
		}
	}
	return nil
}
