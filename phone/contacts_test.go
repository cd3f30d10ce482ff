package phone_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/phone"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

// The contacts backup service is an optional part of a phone: with
// Config.Contacts, a contact the user adds is backed up to the provider with
// credentials the phone's own FxA chain provisioned.
func TestAPhoneWithTheContactsBackupService(t *testing.T) {
	key, err := fxaissuer.Key()
	require.NoError(t, err)
	now := func() time.Time { return sim.Epoch }
	srv, err := contactsprovider.Listen(contactsprovider.Config{Dir: t.TempDir(), Issuer: fxaissuer.Name, Clock: now, NoSync: true,
		Verifier: &verifier.Verifier{Now: now, LookupIssuerKey: func(string, string) (*browserid.PublicKey, error) {
			return &browserid.PublicKey{RSA: &key.PublicKey}, nil
		}}}, "127.0.0.1:0")
	require.NoError(t, err)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()

	p, err := phone.New(phone.Config{Accounts: []phone.Account{{Email: "alice@example.com", Password: "correct horse battery"}},
		SignedIn: "alice@example.com", Contacts: &backup.Config{ProviderURL: srv.URL(), HTTP: client}})
	require.NoError(t, err)
	defer p.Close()
	c := p.Contacts()
	require.NotNil(t, c)
	_, err = c.Add(contacts.Contact{Name: []string{"Prunella Smith"}})
	require.NoError(t, err)
	st, err := c.Status()
	require.NoError(t, err)
	require.Equal(t, 1, st.Provisionings)
	require.Equal(t, 1, st.Uploaded)
	cards, err := srv.Provider().Cards("alice@example.com")
	require.NoError(t, err)
	require.Len(t, cards, 1)

	bare, err := phone.New(phone.Config{})
	require.NoError(t, err)
	defer bare.Close()
	require.Nil(t, bare.Contacts(), "without Config.Contacts a phone has no backup service")
}

// A contacts scenario is a world of phones: FromScenario, which builds one
// phone, says so.
func TestFromScenarioRefusesAContactsWorld(t *testing.T) {
	_, _, err := phone.FromScenario("../scenarios/contacts/first-backup.yaml")
	require.EqualError(t, err, "../scenarios/contacts/first-backup.yaml is a kind: contacts scenario, a world of several phones and a provider: run it with scenarios.Run (mozidsim run)")
}
