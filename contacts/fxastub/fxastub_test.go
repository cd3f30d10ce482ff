package fxastub

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type probe struct{ got []sim.Message }

func (p *probe) Receive(_ *sim.Ctx, m sim.Message) { p.got = append(p.got, m) }

func TestManagerAnswersLikeFxAccountsManager(t *testing.T) {
	srv, err := NewServer(1)
	require.NoError(t, err)
	uid, err := srv.AddAccount("alice@example.com", true)
	require.NoError(t, err)
	require.Len(t, uid, 32)
	_, err = srv.AddAccount("carol@example.com", false)
	require.NoError(t, err)

	sys := sim.New(sim.Options{Seed: 1})
	defer sys.Close()
	p := &probe{}
	require.NoError(t, sys.Spawn(wire.FxAccountsManager, srv.NewManager("alice@example.com", "probe")))
	require.NoError(t, sys.Spawn("probe", p))
	send := func(name string, payload any) {
		require.NoError(t, sys.Send(sim.Message{Name: name, From: "probe", To: wire.FxAccountsManager, Payload: payload}))
		require.NoError(t, sys.RunUntilIdle())
	}
	send(wire.GetAccount, wire.PlainCall{Call: 1})
	require.Equal(t, sim.Message{Name: "getAccount:resolved", From: wire.FxAccountsManager, To: "probe",
		Payload: wire.Resolved{Call: 1, Value: wire.O("email", "alice@example.com", "verified", true)}}, p.got[0])

	send(wire.GetAssertion, wire.GetAssertionCall{Call: 2, Audience: "https://contacts.example"})
	require.Equal(t, "getAssertion:resolved", p.got[1].Name)
	assertion := p.got[1].Payload.(wire.Resolved).Value.(string)
	res, err := srv.Verifier(sys.Now).Verify(assertion, "https://contacts.example")
	require.NoError(t, err)
	require.Equal(t, uid+"@api.accounts.firefox.com", res.Email)
	require.Equal(t, "alice@example.com", res.VerifiedEmail())

	send(wire.SettingsSignIn, wire.Credentials{Email: "carol@example.com"})
	require.Equal(t, sim.Message{Name: wire.NotifyOnLogin, From: wire.FxAccountsManager, To: "probe", Payload: wire.Notification{}}, p.got[2])
	send(wire.GetAssertion, wire.GetAssertionCall{Call: 3, Audience: "https://contacts.example"})
	require.Equal(t, "getAssertion:rejected", p.got[3].Name)
	require.Equal(t, wire.NewError(ErrUnverifiedAccount, wire.O("user", wire.O("email", "carol@example.com", "verified", false))),
		p.got[3].Payload.(wire.Rejected).Reason)

	send(wire.SettingsSignOut, nil)
	require.Equal(t, wire.NotifyOnLogout, p.got[4].Name)
	send(wire.GetAccount, wire.PlainCall{Call: 4})
	require.Equal(t, wire.Resolved{Call: 4, Value: nil}, p.got[5].Payload)
	send(wire.GetAssertion, wire.GetAssertionCall{Call: 5, Audience: "https://contacts.example"})
	require.Equal(t, wire.Resolved{Call: 5, Value: nil}, p.got[6].Payload)
}
