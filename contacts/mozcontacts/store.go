// Package mozcontacts is the phone's contact store, navigator.mozContacts: Gecko's
// dom/contacts/ContactManager.js (the page API: save, remove, find, getAll, clear,
// oncontactchange) together with its parent side, ContactService.jsm and the
// IndexedDB store ContactDB.jsm, as one actor at contacts.MozContacts.
//
// Other actors call it promise-style (contacts.Save etc., answered with
// "<method>:resolved" / ":rejected"); the driver (a scenario step, a test: the user
// typing in the Contacts app) calls it synchronously through the Store's methods,
// which run on the actor's goroutine via sim.System.Invoke. Every change is
// announced to the subscribers as a contactchange event {contactID, reason}.
package mozcontacts

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// ContactsApp is who the driver's calls come from in the trace: the user editing
// in the Contacts app (apps/communications/contacts).
const ContactsApp sim.Addr = "Contacts"

// Call names recorded for driver calls.
const (
	CallSave   = "mozContacts.save"
	CallRemove = "mozContacts.remove"
)

type entry struct {
	contact contacts.Contact
	rev     uint64
}

// Store is the contact store actor. Its state is touched only on its goroutine.
type Store struct {
	byID      map[string]*entry
	lastRev   uint64
	listeners []sim.Addr
	// unannounced holds the events of the change being made; they go out after
	// the caller's answer, as ContactService.jsm broadcast Contact:Changed after
	// Contact:Save:Return:OK.
	unannounced []contacts.ChangeEvent
}

// New returns an empty store; spawn it at contacts.MozContacts.
func New() *Store { return &Store{byID: make(map[string]*entry)} }

// Receive answers the promise-style methods and subscriptions.
func (s *Store) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case contacts.Save:
		if p, ok := wire.Read[contacts.SaveCall](ctx, m); ok {
			settle(ctx, m.From, contacts.Save, p.Call)(s.save(ctx, m.From, p))
			s.announce(ctx)
		}
	case contacts.Remove:
		if p, ok := wire.Read[contacts.RemoveCall](ctx, m); ok {
			settle(ctx, m.From, contacts.Remove, p.Call)(s.remove(ctx, m.From, p))
			s.announce(ctx)
		}
	case contacts.Find:
		if p, ok := wire.Read[contacts.FindCall](ctx, m); ok {
			promise.Resolve(ctx, m.From, contacts.Find, p.Call, s.find(p.ID))
		}
	case contacts.GetAll:
		if p, ok := wire.Read[contacts.PlainCall](ctx, m); ok {
			promise.Resolve(ctx, m.From, contacts.GetAll, p.Call, s.all())
		}
	case contacts.Clear:
		if p, ok := wire.Read[contacts.PlainCall](ctx, m); ok {
			s.clear(ctx, m.From)
			promise.Resolve(ctx, m.From, contacts.Clear, p.Call, nil)
			s.announce(ctx)
		}
	case contacts.AddEventListener:
		if !slices.Contains(s.listeners, m.From) {
			s.listeners = append(s.listeners, m.From)
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

func settle(ctx *sim.Ctx, to sim.Addr, method string, call uint64) func(contacts.Saved, error) {
	return func(res contacts.Saved, err error) {
		if err != nil {
			promise.Reject(ctx, to, method, call, err.Error())
			return
		}
		promise.Resolve(ctx, to, method, call, res)
	}
}

// storeError is a DOMRequest error: its message is the error name.
type storeError string

func (e storeError) Error() string { return string(e) }

func (s *Store) save(ctx *sim.Ctx, origin sim.Addr, call contacts.SaveCall) (contacts.Saved, error) {
	c := call.Contact.Clone()
	if c.IsEmpty() {
		return contacts.Saved{}, storeError(contacts.ErrInvalid)
	}
	if c.ID == "" {
		c.ID = strings.ReplaceAll(ctx.UUID(), "-", "") // Gecko's ids: a UUID without dashes
	} else if !contacts.ValidID(c.ID) {
		return contacts.Saved{}, storeError(contacts.ErrInvalid)
	}
	old := s.byID[c.ID]
	if call.Conditional && revOf(old) != call.ExpectRev {
		return contacts.Saved{}, storeError(contacts.ErrConflict)
	}
	now := ctx.Now().UTC()
	if !call.KeepUpdated {
		c.Updated, c.Published = now, time.Time{}
	} else if c.Updated.IsZero() {
		c.Updated = now
	}
	if c.Published.IsZero() {
		c.Published = c.Updated
		if old != nil {
			c.Published = old.contact.Published
		}
	}
	reason := contacts.ReasonUpdate
	if old == nil {
		reason = contacts.ReasonCreate
	}
	s.lastRev++
	s.byID[c.ID] = &entry{contact: c, rev: s.lastRev}
	s.unannounced = append(s.unannounced, contacts.ChangeEvent{ContactID: c.ID, Reason: reason, Origin: origin, Rev: s.lastRev})
	return contacts.Saved{ID: c.ID, Reason: reason, Rev: s.lastRev}, nil
}

func (s *Store) remove(ctx *sim.Ctx, origin sim.Addr, call contacts.RemoveCall) (contacts.Saved, error) {
	old := s.byID[call.ID]
	if call.Conditional && revOf(old) != call.ExpectRev {
		return contacts.Saved{}, storeError(contacts.ErrConflict)
	}
	if old == nil {
		return contacts.Saved{}, storeError(contacts.ErrNotFound)
	}
	delete(s.byID, call.ID)
	s.lastRev++
	s.unannounced = append(s.unannounced, contacts.ChangeEvent{ContactID: call.ID, Reason: contacts.ReasonRemove, Origin: origin, Rev: s.lastRev})
	return contacts.Saved{ID: call.ID, Reason: contacts.ReasonRemove, Rev: s.lastRev}, nil
}

func (s *Store) clear(ctx *sim.Ctx, origin sim.Addr) {
	for _, st := range s.all() {
		_, _ = s.remove(ctx, origin, contacts.RemoveCall{ID: st.Contact.ID})
	}
}

func revOf(e *entry) uint64 {
	if e == nil {
		return 0
	}
	return e.rev
}

func (s *Store) announce(ctx *sim.Ctx) {
	for _, ev := range s.unannounced {
		for _, l := range s.listeners {
			ctx.Send(l, contacts.ContactChange, ev)
		}
	}
	s.unannounced = s.unannounced[:0]
}

func (s *Store) find(id string) []contacts.Stored {
	e, ok := s.byID[id]
	if !ok {
		return []contacts.Stored{}
	}
	return []contacts.Stored{{Contact: e.contact.Clone(), Rev: e.rev}}
}

// all lists the contacts in creation order (published, then id), so runs repeat.
func (s *Store) all() []contacts.Stored {
	out := make([]contacts.Stored, 0, len(s.byID))
	for _, e := range s.byID {
		out = append(out, contacts.Stored{Contact: e.contact.Clone(), Rev: e.rev})
	}
	slices.SortFunc(out, func(a, b contacts.Stored) int {
		if c := a.Contact.Published.Compare(b.Contact.Published); c != 0 {
			return c
		}
		return cmp.Compare(a.Contact.ID, b.Contact.ID)
	})
	return out
}

// Driver side: the user in the Contacts app. Each call runs synchronously on the
// store's goroutine; the events it causes are queued for the next run.

// Save creates (empty ID) or updates a contact as the user would.
func (s *Store) Save(sys *sim.System, c contacts.Contact) (contacts.Saved, error) {
	var (
		res contacts.Saved
		err error
	)
	if ierr := sys.Invoke(contacts.MozContacts, func(ctx *sim.Ctx) {
		res, err = s.save(ctx, ContactsApp, contacts.SaveCall{Contact: c})
		ctx.Record(sim.KindCall, ctx.Self(), CallSave, callNote(res, err))
		s.announce(ctx)
	}); ierr != nil {
		return contacts.Saved{}, ierr
	}
	return res, err
}

// RemoveContact removes a contact as the user would.
func (s *Store) RemoveContact(sys *sim.System, id string) (contacts.Saved, error) {
	var (
		res contacts.Saved
		err error
	)
	if ierr := sys.Invoke(contacts.MozContacts, func(ctx *sim.Ctx) {
		res, err = s.remove(ctx, ContactsApp, contacts.RemoveCall{ID: id})
		if err == nil {
			ctx.Record(sim.KindCall, ctx.Self(), CallRemove, callNote(res, err))
		} else {
			ctx.Record(sim.KindCall, ctx.Self(), CallRemove, fmt.Sprintf("%s: %v", id, err))
		}
		s.announce(ctx)
	}); ierr != nil {
		return contacts.Saved{}, ierr
	}
	return res, err
}

func callNote(res contacts.Saved, err error) string {
	if err != nil {
		return err.Error()
	}
	return res.Reason + " " + res.ID
}

// Get returns one contact.
func (s *Store) Get(sys *sim.System, id string) (contacts.Stored, bool, error) {
	var (
		found []contacts.Stored
	)
	err := sys.Invoke(contacts.MozContacts, func(*sim.Ctx) { found = s.find(id) })
	if err != nil || len(found) == 0 {
		return contacts.Stored{}, false, err
	}
	return found[0], true, nil
}

// All returns every contact in creation order.
func (s *Store) All(sys *sim.System) ([]contacts.Stored, error) {
	var out []contacts.Stored
	err := sys.Invoke(contacts.MozContacts, func(*sim.Ctx) { out = s.all() })
	return out, err
}
