package phone_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/internal/stubphone"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest/fxastub"
)

// The driver's calls on a phone whose FxA side is the stand-in.
func TestStandalonePhoneDriverCalls(t *testing.T) {
	fxa, err := fxastub.NewServer(1)
	require.NoError(t, err)
	_, err = fxa.AddAccount("a@example.com", true)
	require.NoError(t, err)
	p, err := stubphone.New(fxa, "p", sim.Options{Seed: 1}, "", backup.Config{ProviderURL: "https://127.0.0.1:1"}, nil)
	require.NoError(t, err)
	defer p.Close()
	id, err := p.Add(contacts.Contact{Name: []string{"A"}})
	require.NoError(t, err)
	require.NoError(t, p.Update(contacts.Contact{ID: id, Name: []string{"B"}}))
	require.EqualError(t, p.Update(contacts.Contact{ID: "nope", Name: []string{"C"}}), "phone p: no contact nope to update")
	require.EqualError(t, p.Update(contacts.Contact{Name: []string{"C"}}), "phone: update needs the contact's id")
	all, err := p.Contacts()
	require.NoError(t, err)
	require.Len(t, all, 1)
	require.Equal(t, []string{"B"}, all[0].Name)
	require.NoError(t, p.Remove(id))
	require.EqualError(t, p.Remove(id), "phone p: removing "+id+": ContactNotFound")
	require.EqualError(t, p.Do("dance"), `phone: unknown action "dance"`)

	st, err := p.Status()
	require.NoError(t, err)
	require.Equal(t, backup.ReasonNoVerifiedUser, st.Reason, "nobody is signed in")
	require.NoError(t, p.Switch(false))
	st, err = p.Status()
	require.NoError(t, err)
	require.False(t, st.Enabled)
	require.Empty(t, p.Sys.Faults())
}
