package scenarios

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// A `kind: contacts` scenario is one or more simulated phones backing contacts
// up to (and syncing through) the fruux-like provider of rp/contactsprovider,
// the way the 2014 prototype (Gaia apps/system/services/contacts) and its
// planned sync extensions worked. Its header adds the phones (devices, each
// with its backup settings) and the provider; its steps are the user editing
// contacts, flipping the switch, signing in and out, the provider going down,
// revoking a password or deleting an account, and virtual time passing; its
// expectations are on the provider's address books and on each phone's
// contacts, status and log.

// ContactsSpec is what a contacts scenario adds to the header.
type ContactsSpec struct {
	Provider ProviderSpec
	Devices  []ContactsDevice
	Steps    []ContactsStep
	// Expect is checked after the last step (nil: nothing is).
	Expect     *ContactsExpect
	expectLine int
}

// contactsDocument is a contacts scenario file, decoded strictly.
type contactsDocument struct {
	Head   fileHeader      `yaml:",inline"`
	Steps  []ContactsStep  `yaml:"steps"`
	Expect *ContactsExpect `yaml:"expect"`
}

// ProviderSpec configures the contacts provider.
type ProviderSpec struct {
	Name   string `yaml:"name"`   // the name in the phones' settings (default Fruux)
	Origin string `yaml:"origin"` // its origin, the assertions' audience (default DefaultProviderOrigin)
}

// DefaultProviderOrigin is where the prototype's default provider lived (its
// settings had http://moz.fruux.net); the phones' network resolves it to the
// local listener.
const DefaultProviderOrigin = "https://moz.fruux.net"

// ContactsDevice is one phone of a contacts scenario: the device fields of a
// mozId scenario's device (user, authAge, online, closeAnimation) plus its
// name and the backup service's settings.
type ContactsDevice struct {
	Name       string `yaml:"name"`
	DeviceSpec `yaml:",inline"`
	Backup     *Switch  `yaml:"backup"` // the ON/OFF switch, default on
	Sync       bool     `yaml:"sync"`   // two-way sync
	SyncEvery  Duration `yaml:"syncInterval"`
	BatchDelay Duration `yaml:"batchDelay"`
	Retry      Duration `yaml:"retry"`    // first retry delay (default 1s)
	RetryMax   Duration `yaml:"retryMax"` // longest retry delay (default 5m)
	BatchSize  int      `yaml:"batchSize"`
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

// ContactsStep is one thing that happens. Exactly one of the action keys
// (contacts, backup, fxa, provider, advance, expect) is set; a step with only
// a note is a comment.
type ContactsStep struct {
	Contacts string          `yaml:"contacts"` // add, update, remove, sync, restore, delete-account, revoke-password
	Backup   *Switch         `yaml:"backup"`   // on, off
	FxA      string          `yaml:"fxa"`      // sign-in, sign-out
	Provider string          `yaml:"provider"` // down, up, restart, revoke-password, ...
	Advance  *Duration       `yaml:"advance"`
	Expect   *ContactsExpect `yaml:"expect"`
	Note     string          `yaml:"note"` // a comment that shows in verbose output

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

// contactsStepKeys are the action keys of a contacts step, in the order
// messages list them.
var contactsStepKeys = []string{"contacts", "backup", "fxa", "provider", "advance", "expect"}

// action returns the step's action key and value, and how many action keys it has.
func (s *ContactsStep) action() (key, value string, n int) {
	for _, k := range contactsStepKeys {
		v, set := "", false
		switch k {
		case "contacts":
			v, set = s.Contacts, s.Contacts != ""
		case "backup":
			if set = s.Backup != nil; set {
				v = onOff(bool(*s.Backup))
			}
		case "fxa":
			v, set = s.FxA, s.FxA != ""
		case "provider":
			v, set = s.Provider, s.Provider != ""
		case "advance":
			if set = s.Advance != nil; set {
				v = time.Duration(*s.Advance).String()
			}
		case "expect":
			set = s.Expect != nil
		}
		if set {
			key, value, n = k, v, n+1
		}
	}
	return key, value, n
}

// fieldsSet are the step's optional fields that are given.
func (s *ContactsStep) fieldsSet() map[string]bool {
	return map[string]bool{"device": s.Device != "", "as": s.As != "", "ref": s.Ref != "",
		"contact": s.Contact != nil, "email": s.Email != "", "account": s.Account != "", "fault": s.Fault != "",
		"count": s.Count != 0, "name": s.Name != "", "data": s.Data != ""}
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

// ContactsExpect holds expectations on the provider and the phones.
type ContactsExpect struct {
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
	Log           []string      `yaml:"log"`   // substrings of log lines, in this order
	NoLog         []string      `yaml:"noLog"` // substrings no log line may contain
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

// parseContacts checks a contacts scenario's phones, provider, steps and
// expectations; errors name the file and line.
func parseContacts(sc *Scenario, doc *contactsDocument, data []byte) error {
	c := &ContactsSpec{Devices: doc.Head.Devices, Steps: doc.Steps, Expect: doc.Expect}
	if doc.Head.Provider != nil {
		c.Provider = *doc.Head.Provider
	}
	sc.Contacts = c
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return &Error{File: sc.File, Msg: err.Error()}
	}
	c.locate(&root)
	p := contactsParser{sc: sc, c: c, accounts: accountSet(sc.Accounts), devices: map[string]bool{}, labels: map[string]bool{}}
	return p.check(doc)
}

// locate copies line numbers from the node tree into steps and devices.
func (c *ContactsSpec) locate(root *yaml.Node) {
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		switch key.Value {
		case "steps":
			for j, n := range val.Content {
				if j < len(c.Steps) {
					c.Steps[j].line = n.Line
				}
			}
		case "devices":
			for j, n := range val.Content {
				if j < len(c.Devices) {
					c.Devices[j].line = n.Line
				}
			}
		case "expect":
			c.expectLine = val.Line
		}
	}
}

type contactsParser struct {
	sc                        *Scenario
	c                         *ContactsSpec
	accounts, devices, labels map[string]bool
}

func (p *contactsParser) errorf(line int, format string, args ...any) error {
	return &Error{File: p.sc.File, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *contactsParser) check(doc *contactsDocument) error {
	switch {
	case doc.Head.Device != nil:
		return p.errorf(0, "device: a contacts scenario lists its phones under devices (each with a name)")
	case doc.Head.Apps != nil:
		return p.errorf(0, "apps: a contacts scenario has no app pages (its phones' backup service is the client)")
	}
	if o := p.c.Provider.Origin; o != "" {
		if u, err := url.Parse(o); err != nil || u.Scheme != "https" || u.Host == "" || u.Path != "" {
			return p.errorf(0, "provider: origin %q is not an https origin like https://moz.fruux.net", o)
		}
	}
	if len(p.c.Devices) == 0 {
		return p.errorf(0, "at least one device is needed")
	}
	for _, d := range p.c.Devices {
		if d.Name == "" || p.devices[d.Name] {
			return p.errorf(d.line, "every device needs a distinct name (got %q)", d.Name)
		}
		p.devices[d.Name] = true
		if d.User != "" && !p.accounts[d.User] {
			return p.errorf(d.line, "device %s: user %s is not one of the accounts", d.Name, d.User)
		}
		if d.CardDAV != nil {
			if err := d.CardDAV.check(); err != nil {
				return p.errorf(d.line, "device %s: %v", d.Name, err)
			}
		}
	}
	if len(p.c.Steps) > MaxSteps {
		return p.errorf(p.c.Steps[MaxSteps].line, "step %d: more than %d steps, the most a scenario may have", MaxSteps+1, MaxSteps)
	}
	for i := range p.c.Steps {
		if err := p.step(&p.c.Steps[i], i+1); err != nil {
			return err
		}
	}
	if p.c.Expect != nil {
		return p.expect(p.c.Expect, p.c.expectLine)
	}
	return nil
}

// contactsAction is one row of the step table: what an action takes and needs.
type contactsAction struct {
	fields     []string // the optional fields it takes besides its key
	needDevice bool
	// check refuses a step that cannot be carried out ("" is fine).
	check func(p *contactsParser, st *ContactsStep) string
}

// contactsActions is the step table: action key, then action value ("" for
// keys whose value is not an action name: backup, advance, expect).
var contactsActions = map[string]map[string]contactsAction{
	"contacts": {
		"add": {fields: []string{"device", "as", "contact"}, needDevice: true, check: func(p *contactsParser, st *ContactsStep) string {
			if st.Contact == nil {
				return "contacts: add needs a contact"
			}
			if st.As != "" {
				if p.labels[st.As] {
					return fmt.Sprintf("label %q is already used", st.As)
				}
				p.labels[st.As] = true
			}
			return ""
		}},
		"update": {fields: []string{"device", "ref", "contact"}, needDevice: true, check: func(p *contactsParser, st *ContactsStep) string {
			if st.Contact == nil {
				return "contacts: update needs the fields to change under contact"
			}
			return p.ref(st, "update")
		}},
		"remove":          {fields: []string{"device", "ref"}, needDevice: true, check: func(p *contactsParser, st *ContactsStep) string { return p.ref(st, "remove") }},
		"sync":            {fields: []string{"device"}, needDevice: true},
		"restore":         {fields: []string{"device"}, needDevice: true},
		"delete-account":  {fields: []string{"device"}, needDevice: true},
		"revoke-password": {fields: []string{"device"}, needDevice: true},
	},
	"backup": {"": {fields: []string{"device"}, needDevice: true}},
	"fxa": {
		"sign-in": {fields: []string{"device", "email"}, needDevice: true, check: func(p *contactsParser, st *ContactsStep) string {
			if !p.accounts[st.Email] {
				return "fxa: sign-in needs email, one of the accounts"
			}
			return ""
		}},
		"sign-out": {fields: []string{"device"}, needDevice: true},
	},
	"provider": {
		"down": {}, "up": {}, "restart": {}, "clear-faults": {}, "reset-stats": {},
		"revoke-password": {fields: []string{"device", "account"}, needDevice: true, check: func(p *contactsParser, st *ContactsStep) string {
			if !p.accounts[st.Account] {
				return "provider: revoke-password needs the account and the device whose password goes"
			}
			return ""
		}},
		"revoke-all":     {fields: []string{"account"}, check: accountNeeded},
		"delete-account": {fields: []string{"account"}, check: accountNeeded},
		"fault": {fields: []string{"fault", "count"}, check: func(_ *contactsParser, st *ContactsStep) string {
			if !slices.Contains(faultNames, st.Fault) {
				return fmt.Sprintf("unknown fault %q (known: %s)", st.Fault, strings.Join(faultNames, ", "))
			}
			if st.Count == 0 {
				return "a fault needs count (how many requests; -1: until clear-faults)"
			}
			return ""
		}},
		"put-raw": {fields: []string{"account", "name", "data"}, check: func(p *contactsParser, st *ContactsStep) string {
			if !p.accounts[st.Account] || st.Name == "" {
				return "provider: put-raw needs account, name and data"
			}
			return ""
		}},
	},
	"advance": {"": {}},
	"expect":  {"": {}},
}

// The order in which messages list the actions of a key.
var contactsActionOrder = map[string][]string{
	"contacts": {"add", "update", "remove", "sync", "restore", "delete-account", "revoke-password"},
	"fxa":      {"sign-in", "sign-out"},
	"provider": {"down", "up", "restart", "revoke-password", "revoke-all", "delete-account", "fault", "clear-faults", "put-raw", "reset-stats"},
}

var faultNames = []string{"unauthorized", "server-error", "garbage-login", "login-error"}

func accountNeeded(p *contactsParser, st *ContactsStep) string {
	if !p.accounts[st.Account] {
		return fmt.Sprintf("provider: %s needs account, one of the accounts", st.Provider)
	}
	return ""
}

// ref checks an update's or removal's label.
func (p *contactsParser) ref(st *ContactsStep, what string) string {
	if st.Ref == "" {
		return fmt.Sprintf("contacts: %s needs ref (the label given with as)", what)
	}
	if !p.labels[st.Ref] {
		return fmt.Sprintf("no contact labelled %q was added before", st.Ref)
	}
	return ""
}

func (p *contactsParser) step(st *ContactsStep, n int) error {
	key, value, count := st.action()
	switch count {
	case 0:
		if st.Note != "" {
			return nil
		}
		return p.errorf(st.line, "step %d does nothing: give one of %s", n, strings.Join(contactsStepKeys, ", "))
	case 1:
	default:
		return p.errorf(st.line, "step %d has more than one action (%s)", n, strings.Join(contactsStepKeys, ", "))
	}
	row, ok := contactsActions[key][""]
	if order := contactsActionOrder[key]; order != nil {
		if row, ok = contactsActions[key][value]; !ok {
			return p.errorf(st.line, "step %d: unknown %s action %q (known: %s)", n, key, value, strings.Join(order, ", "))
		}
	}
	if row.check != nil {
		if msg := row.check(p, st); msg != "" {
			return p.errorf(st.line, "step %d: %s", n, msg)
		}
	}
	if st.Contact != nil {
		if err := st.Contact.check(); err != nil {
			return p.errorf(st.line, "step %d: %v", n, err)
		}
	}
	if key == "expect" {
		if err := p.expect(st.Expect, st.line); err != nil {
			return err
		}
	}
	if row.needDevice && !p.devices[st.Device] {
		return p.errorf(st.line, "step %d: %s: %s needs device, one of the devices (got %q)", n, key, value, st.Device)
	}
	set := st.fieldsSet()
	for _, field := range []string{"device", "as", "ref", "contact", "email", "account", "fault", "count", "name", "data"} {
		if set[field] && !slices.Contains(row.fields, field) {
			return p.errorf(st.line, "step %d: %s: %s does not take %s", n, key, value, field)
		}
	}
	return nil
}

func (p *contactsParser) expect(e *ContactsExpect, line int) error {
	for _, s := range e.Server {
		if !p.accounts[s.Account] {
			return p.errorf(line, "expect: server: %q is not one of the accounts", s.Account)
		}
		for _, c := range s.Cards {
			if err := c.check(p.labels); err != nil {
				return p.errorf(line, "expect: server %s: %v", s.Account, err)
			}
		}
	}
	for _, name := range sortedKeys(e.Devices) {
		if !p.devices[name] {
			return p.errorf(line, "expect: %q is not one of the devices", name)
		}
		for _, c := range e.Devices[name].Contacts {
			if err := c.check(p.labels); err != nil {
				return p.errorf(line, "expect: device %s: %v", name, err)
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

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
