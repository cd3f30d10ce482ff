package mozcontacts

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newWorld(t *testing.T) (*sim.System, *Store, *simtest.Recorder) {
	t.Helper()
	st := New()
	p := &simtest.Recorder{}
	sys := simtest.New(t, 7, map[sim.Addr]sim.Handler{contacts.MozContacts: st, "listener": p})
	require.NoError(t, sys.Send(sim.Message{Name: contacts.AddEventListener, From: "listener", To: contacts.MozContacts}))
	require.NoError(t, sys.RunUntilIdle())
	return sys, st, p
}

func TestSaveUpdateRemoveAnnounceEvents(t *testing.T) {
	sys, st, p := newWorld(t)
	created, err := st.Save(sys, contacts.Contact{Name: []string{"Prunella"}})
	require.NoError(t, err)
	require.Len(t, created.ID, 32)
	require.Equal(t, contacts.ReasonCreate, created.Reason)
	require.Equal(t, uint64(1), created.Rev)

	require.NoError(t, sys.Advance(time.Minute))
	updated, err := st.Save(sys, contacts.Contact{ID: created.ID, Name: []string{"Prunella"}, Note: []string{"x"}})
	require.NoError(t, err)
	require.Equal(t, contacts.Saved{ID: created.ID, Reason: contacts.ReasonUpdate, Rev: 2}, updated)

	got, ok, err := st.Get(sys, created.ID)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, sim.Epoch, got.Contact.Published, "published is kept from the creation")
	require.Equal(t, sim.Epoch.Add(time.Minute), got.Contact.Updated, "updated is stamped on every save")

	removed, err := st.RemoveContact(sys, created.ID)
	require.NoError(t, err)
	require.Equal(t, contacts.ReasonRemove, removed.Reason)
	_, err = st.RemoveContact(sys, created.ID)
	require.EqualError(t, err, contacts.ErrNotFound)

	require.NoError(t, sys.RunUntilIdle())
	var events []contacts.ChangeEvent
	for _, m := range p.Got {
		require.Equal(t, contacts.ContactChange, m.Name)
		events = append(events, m.Payload.(contacts.ChangeEvent))
	}
	require.Equal(t, []contacts.ChangeEvent{
		{ContactID: created.ID, Reason: "create", Origin: ContactsApp, Rev: 1},
		{ContactID: created.ID, Reason: "update", Origin: ContactsApp, Rev: 2},
		{ContactID: created.ID, Reason: "remove", Origin: ContactsApp, Rev: 3},
	}, events)
}

func TestInvalidSavesAreRejected(t *testing.T) {
	sys, st, _ := newWorld(t)
	_, err := st.Save(sys, contacts.Contact{})
	require.EqualError(t, err, contacts.ErrInvalid)
	_, err = st.Save(sys, contacts.Contact{ID: "../etc", Name: []string{"x"}})
	require.EqualError(t, err, contacts.ErrInvalid)
	all, err := st.All(sys)
	require.NoError(t, err)
	require.Empty(t, all)
}

func TestPromiseCallsAndConditionalSave(t *testing.T) {
	sys, st, p := newWorld(t)
	saved, err := st.Save(sys, contacts.Contact{Name: []string{"A"}})
	require.NoError(t, err)
	require.NoError(t, sys.RunUntilIdle())
	p.Got = nil

	send := func(name string, payload any) {
		require.NoError(t, sys.Send(sim.Message{Name: name, From: "listener", To: contacts.MozContacts, Payload: payload}))
	}
	// A conditional save against a stale revision is refused...
	send(contacts.Save, contacts.SaveCall{Call: 1, Contact: contacts.Contact{ID: saved.ID, Name: []string{"B"}}, Conditional: true, ExpectRev: 99})
	// ...against the current one it applies, keeping the given timestamps.
	remoteTime := sim.Epoch.Add(-time.Hour)
	send(contacts.Save, contacts.SaveCall{Call: 2, Contact: contacts.Contact{ID: saved.ID, Name: []string{"C"}, Updated: remoteTime},
		KeepUpdated: true, Conditional: true, ExpectRev: saved.Rev})
	// A conditional create (ExpectRev 0) of a new id works once.
	send(contacts.Save, contacts.SaveCall{Call: 3, Contact: contacts.Contact{ID: "remote-1", Name: []string{"R"}}, Conditional: true})
	send(contacts.Save, contacts.SaveCall{Call: 4, Contact: contacts.Contact{ID: "remote-1", Name: []string{"R2"}}, Conditional: true})
	send(contacts.Find, contacts.FindCall{Call: 5, ID: saved.ID})
	send(contacts.Find, contacts.FindCall{Call: 6, ID: "nope"})
	require.NoError(t, sys.RunUntilIdle())

	var names []string
	for _, m := range p.Got {
		names = append(names, m.Name)
	}
	require.Equal(t, []string{
		"save:rejected",
		"save:resolved", "contactchange",
		"save:resolved", "contactchange",
		"save:rejected",
		"find:resolved", "find:resolved",
	}, names)
	require.Equal(t, wire.Rejected{Call: 1, Reason: contacts.ErrConflict}, p.Got[0].Payload)
	require.Equal(t, wire.Resolved{Call: 2, Value: contacts.Saved{ID: saved.ID, Reason: "update", Rev: 2}}, p.Got[1].Payload)
	require.Equal(t, wire.Rejected{Call: 4, Reason: contacts.ErrConflict}, p.Got[5].Payload)
	found := p.Got[6].Payload.(wire.Resolved).Value.([]contacts.Stored)
	require.Len(t, found, 1)
	require.Equal(t, []string{"C"}, found[0].Contact.Name)
	require.Equal(t, remoteTime, found[0].Contact.Updated)
	require.Equal(t, sim.Epoch, found[0].Contact.Published)
	require.Equal(t, []contacts.Stored{}, p.Got[7].Payload.(wire.Resolved).Value)
}

func TestStoredContactsAreCopies(t *testing.T) {
	sys, st, _ := newWorld(t)
	c := contacts.Contact{Name: []string{"A"}, Tel: []contacts.TelField{{Value: "1", Type: []string{"home"}}}}
	saved, err := st.Save(sys, c)
	require.NoError(t, err)
	c.Tel[0].Type[0] = "mutated"
	got, _, err := st.Get(sys, saved.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"home"}, got.Contact.Tel[0].Type)
}
