// Package contacts is the protocol of mozidsim's second system: the Firefox OS
// contacts backup prototype of 2014 (Gaia branch "contacts-backup",
// apps/system/services/contacts/js/{manager,storage,backup,vcard}.js) and its sync
// extensions. It plays the role internal/wire plays for navigator.mozId: every actor
// address, message name and payload that crosses an actor boundary, plus the
// contact record itself, which stands for a mozContact
// (dom/contacts/ContactManager.js, dom/webidl/Contacts.webidl).
//
// The pieces:
//
//	contacts/mozcontacts  the device's contact store (navigator.mozContacts)
//	contacts/mozvcard     mozContact <-> vCard 4.0 (vcard.js's MozContactTranslator)
//	contacts/davclient    the phone's CardDAV requests (the XHRs backup.js made)
//	contacts/backup       the backup/sync service in the System app
//	contacts/phone        the driver's handles on one phone's store and service
//	internal/simtest/fxastub  a stand-in FxAccountsManager + FxA server for the backup's tests
//	internal/device       a whole phone; Config.Contacts adds the store and service
//	scenarios             the `kind: contacts` scenario format and runner
//	rp/contactsprovider   the fruux-like CardDAV provider with FxA provisioning
package contacts

import (
	"slices"
	"time"

	"github.com/mozidsim/mozidsim/internal/sim"
)

// Actor addresses.
const (
	// MozContacts is the contact store (dom/contacts: ContactManager.js in the
	// page, ContactService.jsm + ContactDB.jsm in the parent, one actor here).
	MozContacts sim.Addr = "mozContacts"
	// Backup is the System app's contacts backup service
	// (apps/system/services/contacts/js/backup.js with manager.js and storage.js).
	Backup sim.Addr = "System/ContactsBackup"
	// ContactsSettings is the Contacts app's settings view
	// (apps/communications/contacts/js/views/settings.js), which sent the IAC messages.
	ContactsSettings sim.Addr = "Contacts/Settings"
	// Network names the remote side of HTTP round trips in trace notes (the
	// provider or the user's own CardDAV server); nothing is ever sent to it.
	Network sim.Addr = "network"
)

// mozContacts methods (promise-style calls: "<method>:resolved" / ":rejected").
const (
	Save   = "save"   // mozContacts.save(contact): create or update
	Remove = "remove" // mozContacts.remove(contact)
	Find   = "find"   // mozContacts.find({filterBy:['id'], filterOp:'equals', filterValue})
	GetAll = "getAll" // mozContacts.getAll()
	Clear  = "clear"  // mozContacts.clear()
	// AddEventListener subscribes the sender to ContactChange events
	// (mozContacts.oncontactchange = ...).
	AddEventListener = "addEventListener"
)

// ContactChange is the event name of mozContacts' oncontactchange.
const ContactChange = "contactchange"

// Reasons of a contactchange event, as Gecko spelled them.
const (
	ReasonCreate = "create"
	ReasonUpdate = "update"
	ReasonRemove = "remove"
)

// Errors the store rejects with (DOMRequest error names).
const (
	ErrNotFound = "ContactNotFound" // remove/save of an id the store does not hold
	ErrConflict = "ContactConflict" // a conditional save/remove whose ExpectRev no longer holds (simulator addition)
	ErrInvalid  = "InvalidContact"  // a save without any field, or a bad id
)

// SaveCall is mozContacts.save(contact). An empty ID creates a contact with a new
// id; a set ID updates it, or creates it with that id (how restore and sync put a
// remote contact on the phone; page script could not choose ids in Gecko).
type SaveCall struct {
	Call    uint64
	Contact Contact
	// KeepUpdated keeps Contact.Updated (and Published) as given instead of
	// stamping the current time: a contact arriving from the server keeps the
	// revision its author gave it.
	KeepUpdated bool
	// Conditional makes the save apply only if the contact's revision is still
	// ExpectRev (0: the contact must not exist). The sync service uses it so that
	// a remote version never silently overwrites a local edit it has not seen yet.
	Conditional bool
	ExpectRev   uint64
}

// RemoveCall is mozContacts.remove(contact), optionally conditional like SaveCall.
type RemoveCall struct {
	Call        uint64
	ID          string
	Conditional bool
	ExpectRev   uint64
}

// FindCall is mozContacts.find with filterBy ['id'], filterOp 'equals'.
type FindCall struct {
	Call uint64
	ID   string
}

// PlainCall is a call without arguments (getAll, clear).
type PlainCall struct {
	Call uint64
}

// WithCall sets the call id (wire.Callable, for promise.Calls.Send).
func (c SaveCall) WithCall(id uint64) any { c.Call = id; return c }

// WithCall sets the call id.
func (c RemoveCall) WithCall(id uint64) any { c.Call = id; return c }

// WithCall sets the call id.
func (c FindCall) WithCall(id uint64) any { c.Call = id; return c }

// WithCall sets the call id.
func (c PlainCall) WithCall(id uint64) any { c.Call = id; return c }

// Stored is one contact as the store holds it: the contact and its revision,
// which increases on every change.
type Stored struct {
	Contact Contact
	Rev     uint64
}

// Saved is what save and remove resolve with.
type Saved struct {
	ID     string
	Reason string
	Rev    uint64
}

// ChangeEvent is the contactchange event: {contactID, reason}, plus who caused it
// and the resulting revision (simulator additions that let a sync engine ignore
// its own writes).
type ChangeEvent struct {
	ContactID string
	Reason    string
	Origin    sim.Addr
	Rev       uint64
}

// Contact is a mozContact: every field of dom/webidl/Contacts.webidl the
// prototype's vCard translator read (gaia-fxa §10.3), photos aside.
type Contact struct {
	ID              string
	Published       time.Time
	Updated         time.Time
	Name            []string
	HonorificPrefix []string
	GivenName       []string
	AdditionalName  []string
	FamilyName      []string
	HonorificSuffix []string
	Nickname        []string
	Email           []Field
	URL             []Field
	Impp            []Field
	Tel             []TelField
	Adr             []Address
	Org             []string
	JobTitle        []string
	Note            []string
	Category        []string
	Key             []string
	Bday            time.Time // zero: none
	Anniversary     time.Time // zero: none
	Sex             string
	GenderIdentity  string
}

// Field is a ContactField {type[], value, pref}.
type Field struct {
	Type  []string
	Value string
	Pref  bool
}

// TelField is a ContactTelField: a ContactField with the carrier.
type TelField struct {
	Type    []string
	Value   string
	Pref    bool
	Carrier string
}

// Address is a ContactAddress.
type Address struct {
	Type          []string
	StreetAddress string
	Locality      string
	Region        string
	PostalCode    string
	CountryName   string
	Pref          bool
}

// Clone returns a deep copy: actors share no state, so a contact crossing an
// actor boundary is always a copy.
func (c Contact) Clone() Contact {
	out := c
	for _, p := range []*[]string{&out.Name, &out.HonorificPrefix, &out.GivenName, &out.AdditionalName,
		&out.FamilyName, &out.HonorificSuffix, &out.Nickname, &out.Org, &out.JobTitle, &out.Note,
		&out.Category, &out.Key} {
		*p = slices.Clone(*p)
	}
	out.Email = cloneFields(c.Email)
	out.URL = cloneFields(c.URL)
	out.Impp = cloneFields(c.Impp)
	if c.Tel != nil {
		out.Tel = make([]TelField, len(c.Tel))
		for i, t := range c.Tel {
			t.Type = slices.Clone(t.Type)
			out.Tel[i] = t
		}
	}
	if c.Adr != nil {
		out.Adr = make([]Address, len(c.Adr))
		for i, a := range c.Adr {
			a.Type = slices.Clone(a.Type)
			out.Adr[i] = a
		}
	}
	return out
}

func cloneFields(fs []Field) []Field {
	if fs == nil {
		return nil
	}
	out := make([]Field, len(fs))
	for i, f := range fs {
		f.Type = slices.Clone(f.Type)
		out[i] = f
	}
	return out
}

// IsEmpty reports whether the contact carries no data at all besides its id and
// timestamps (the store refuses to save such a contact).
func (c Contact) IsEmpty() bool {
	x := c
	x.ID, x.Published, x.Updated = "", time.Time{}, time.Time{}
	return x.equalData(Contact{})
}

// DisplayName is what the Contacts app lists: the first name[], else given +
// family name, else the first email or tel value.
func (c Contact) DisplayName() string {
	if len(c.Name) > 0 && c.Name[0] != "" {
		return c.Name[0]
	}
	n := ""
	if len(c.GivenName) > 0 {
		n = c.GivenName[0]
	}
	if len(c.FamilyName) > 0 && c.FamilyName[0] != "" {
		if n != "" {
			n += " "
		}
		n += c.FamilyName[0]
	}
	if n != "" {
		return n
	}
	if len(c.Email) > 0 {
		return c.Email[0].Value
	}
	if len(c.Tel) > 0 {
		return c.Tel[0].Value
	}
	return ""
}

// SameData reports whether two contacts hold the same data, ignoring id and
// timestamps (nil and empty lists are equal).
func (c Contact) SameData(o Contact) bool {
	a, b := c, o
	a.ID, a.Published, a.Updated = "", time.Time{}, time.Time{}
	b.ID, b.Published, b.Updated = "", time.Time{}, time.Time{}
	return a.equalData(b)
}

func (c Contact) equalData(o Contact) bool {
	eqS := func(x, y []string) bool { return len(x) == len(y) && (len(x) == 0 || slices.Equal(x, y)) }
	eqF := func(x, y []Field) bool {
		return slices.EqualFunc(x, y, func(a, b Field) bool {
			return eqS(a.Type, b.Type) && a.Value == b.Value && a.Pref == b.Pref
		})
	}
	return eqS(c.Name, o.Name) && eqS(c.HonorificPrefix, o.HonorificPrefix) && eqS(c.GivenName, o.GivenName) &&
		eqS(c.AdditionalName, o.AdditionalName) && eqS(c.FamilyName, o.FamilyName) &&
		eqS(c.HonorificSuffix, o.HonorificSuffix) && eqS(c.Nickname, o.Nickname) &&
		eqF(c.Email, o.Email) && eqF(c.URL, o.URL) && eqF(c.Impp, o.Impp) &&
		slices.EqualFunc(c.Tel, o.Tel, func(a, b TelField) bool {
			return eqS(a.Type, b.Type) && a.Value == b.Value && a.Pref == b.Pref && a.Carrier == b.Carrier
		}) &&
		slices.EqualFunc(c.Adr, o.Adr, func(a, b Address) bool {
			return eqS(a.Type, b.Type) && a.StreetAddress == b.StreetAddress && a.Locality == b.Locality &&
				a.Region == b.Region && a.PostalCode == b.PostalCode && a.CountryName == b.CountryName && a.Pref == b.Pref
		}) &&
		eqS(c.Org, o.Org) && eqS(c.JobTitle, o.JobTitle) && eqS(c.Note, o.Note) && eqS(c.Category, o.Category) &&
		eqS(c.Key, o.Key) && c.Bday.Equal(o.Bday) && c.Anniversary.Equal(o.Anniversary) &&
		c.Sex == o.Sex && c.GenderIdentity == o.GenderIdentity
}

// ValidID reports whether s can be a contact id: what the store generates (32 hex
// digits) or what a restore or sync brings in, as long as it is a safe resource
// name (letters, digits, '-', '_', '.', '@', '+', '=', at most 200 bytes).
func ValidID(s string) bool {
	if s == "" || len(s) > 200 || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '@' || c == '+' || c == '=') {
			return false
		}
	}
	return true
}

// Backup service messages. The settings message is what the Contacts app posted
// over the IAC connection "contacts-backup-settings"; the others are user actions
// of the sync extensions (the prototype had none of them).
const (
	// IACSettings carries SettingsMessage: {action:'enable', enabled} flips the
	// ON/OFF switch; {action:'configure', provider, url?, username?, password?}
	// chooses the provider or the user's own server.
	IACSettings = "iac-contacts-backup-settings"
	// SyncNow pushes pending local changes and pulls remote ones at once.
	SyncNow = "contacts-backup:sync-now"
	// Restore downloads the whole address book once onto the phone.
	Restore = "contacts-backup:restore"
	// DeleteAccount asks the provider to delete the account and its data (with an
	// FxA assertion), forgets the credentials and switches backups OFF.
	DeleteAccount = "contacts-backup:delete-account"
	// RevokePassword asks the provider to revoke this device's password and
	// forgets it.
	RevokePassword = "contacts-backup:revoke-password"
)

// Settings actions.
const (
	ActionEnable    = "enable"
	ActionConfigure = "configure"
)

// Provider names in the settings (identity.services.contacts.providers).
const (
	ProviderDefault = "default" // the provisioning provider (fruux)
	ProviderCustom  = "custom"  // the user's own CardDAV server
)

// SettingsMessage is an IAC message from the Contacts app's settings.
type SettingsMessage struct {
	Action   string
	Enabled  bool
	Provider string
	URL      string
	Username string
	Password string
}
