package phone

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/fxastub"
	"github.com/mozidsim/mozidsim/internal/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestClockOnlyMovesForward(t *testing.T) {
	c := NewClock(sim.Epoch)
	c.Observe(sim.Epoch.Add(time.Minute))
	c.Observe(sim.Epoch) // a phone behind the others does not turn the clock back
	require.Equal(t, sim.Epoch.Add(time.Minute), c.Now())
}

func TestClientPublishesThePhonesTimeBeforeEachRequest(t *testing.T) {
	c := NewClock(sim.Epoch)
	var seen time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = c.Now() }))
	defer srv.Close()
	phoneTime := sim.Epoch.Add(42 * time.Second)
	hc := c.Client(srv.Client(), func() time.Time { return phoneTime })
	resp, err := hc.Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	hc.CloseIdleConnections()
	require.Equal(t, phoneTime, seen)
}

func TestStandalonePhoneDriverCalls(t *testing.T) {
	fxa, err := fxastub.NewServer(1)
	require.NoError(t, err)
	_, err = fxa.AddAccount("a@example.com", true)
	require.NoError(t, err)
	p, err := NewStandalone("p", sim.Options{Seed: 1}, fxa, "", backup.Config{ProviderURL: "https://127.0.0.1:1"}, nil)
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
