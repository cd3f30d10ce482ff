package fxastub

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestManagerAnswersLikeFxAccountsManager(t *testing.T) {
	srv, err := NewServer(1)
	require.NoError(t, err)
	uid, err := srv.AddAccount("alice@example.com", true)
	require.NoError(t, err)
	require.Len(t, uid, 32)
	_, err = srv.AddAccount("carol@example.com", false)
	require.NoError(t, err)

	p := &simtest.Recorder{}
	sys := simtest.New(t, 1, map[sim.Addr]sim.Handler{wire.FxAccountsManager: srv.NewManager("alice@example.com", "probe"), "probe": p})
	send := func(name string, payload any) {
		simtest.Deliver(t, sys, "probe", wire.FxAccountsManager, name, payload)
	}
	send(wire.GetAccount, wire.PlainCall{Call: 1})
	require.Equal(t, sim.Message{Name: "getAccount:resolved", From: wire.FxAccountsManager, To: "probe",
		Payload: wire.Resolved{Call: 1, Value: wire.O("email", "alice@example.com", "verified", true)}}, p.Got[0])

	send(wire.GetAssertion, wire.GetAssertionCall{Call: 2, Audience: "https://contacts.example"})
	require.Equal(t, "getAssertion:resolved", p.Got[1].Name)
	assertion := p.Got[1].Payload.(wire.Resolved).Value.(string)
	res, err := srv.Verifier(sys.Now).Verify(assertion, "https://contacts.example")
	require.NoError(t, err)
	require.Equal(t, uid+"@api.accounts.firefox.com", res.Email)
	require.Equal(t, "alice@example.com", res.VerifiedEmail())

	send(wire.SettingsSignIn, wire.Credentials{Email: "carol@example.com"})
	require.Equal(t, sim.Message{Name: wire.NotifyOnLogin, From: wire.FxAccountsManager, To: "probe", Payload: wire.Notification{}}, p.Got[2])
	send(wire.GetAssertion, wire.GetAssertionCall{Call: 3, Audience: "https://contacts.example"})
	require.Equal(t, "getAssertion:rejected", p.Got[3].Name)
	require.Equal(t, wire.NewError(ErrUnverifiedAccount, wire.O("user", wire.O("email", "carol@example.com", "verified", false))),
		p.Got[3].Payload.(wire.Rejected).Reason)

	send(wire.SettingsSignOut, nil)
	require.Equal(t, wire.NotifyOnLogout, p.Got[4].Name)
	send(wire.GetAccount, wire.PlainCall{Call: 4})
	require.Equal(t, wire.Resolved{Call: 4, Value: nil}, p.Got[5].Payload)
	send(wire.GetAssertion, wire.GetAssertionCall{Call: 5, Audience: "https://contacts.example"})
	require.Equal(t, wire.Resolved{Call: 5, Value: nil}, p.Got[6].Payload)
}
