// Package tracetest holds the hand-built and recorded runs the tests of trace,
// trace/explain and trace/live share. It stands for no historic component.
package tracetest

import (
	"crypto/rsa"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/fxaccounts"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

const (
	Shop     = "shop"
	Alice    = "alice@example.com"
	Password = "correct horse battery"
	WinID    = "0f8fad5b-d9cb-469f-a165-70867728950e"
	UIID     = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	Token    = "6d2a3c51e1f0a7b9c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a"
)

// IssuerKey is the simulated FxA issuer's key (internal/fxaissuer).
func IssuerKey() *rsa.PrivateKey {
	k, err := fxaissuer.Key()
	if err != nil {
		panic(err)
	}
	return k
}

// BackedAssertion mints a real "cert~assertion" for Alice and audience, with keys
// that differ on every call (as in two runs of the simulator).
func BackedAssertion(t testing.TB, audience string) string {
	t.Helper()
	userKey, err := browserid.GenerateDSAKey(nil)
	require.NoError(t, err)
	cert, err := browserid.SignCertificate(browserid.CertParams{
		PublicKey: userKey.Public(), Email: "uid1@" + fxaissuer.Name,
		IssuedAt: sim.Epoch, ExpiresAt: sim.Epoch.Add(fxaccounts.CertLifetime), Issuer: fxaissuer.Name,
	}, IssuerKey())
	require.NoError(t, err)
	a, err := browserid.SignAssertion(userKey, audience, sim.Epoch.Add(fxaccounts.AssertionLifetime))
	require.NoError(t, err)
	return browserid.Bundle([]string{cert}, a)
}

// Events numbers hand-built Events the way sim does.
func Events(evs ...sim.Event) []sim.Event {
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	return evs
}

func Hop(from, to sim.Addr, name string, payload any) sim.Event {
	return sim.Event{Kind: sim.KindHop, From: from, To: to, Name: name, Payload: payload}
}

func RPMessage(silent bool) wire.RPMessage {
	return wire.RPMessage{
		ID: WinID, Origin: "https://shop.example.com", Audience: "https://shop.example.com",
		WantIssuer: wire.WantIssuerFxA, Options: wire.AssertionOptions{Silent: silent},
		Principal: wire.Principal{Origin: "https://shop.example.com", AppStatus: wire.AppCertified},
		Target:    wire.NSDOMIdentity(Shop),
	}
}

// SignedOutWatch is seed part I as the actors record it: watch() with nobody
// signed in ends in onlogout, onready.
func SignedOutWatch() []sim.Event {
	nav, page := wire.NSDOMIdentity(Shop), wire.Page(Shop)
	principal := wire.Principal{Origin: "https://shop.example.com", AppStatus: wire.AppCertified}
	return Events(
		sim.Event{Kind: sim.KindCall, From: nav, To: page, Name: wire.CallWatch, Payload: wire.O("wantIssuer", "firefox-accounts", "onlogin", "[function]", "onlogout", "[function]", "onready", "[function]")},
		Hop(nav, wire.DOMIdentity, wire.MsgRPWatch, RPMessage(false)),
		Hop(wire.DOMIdentity, wire.FirefoxAccounts, wire.RPWatch, RPMessage(false)),
		Hop(wire.FirefoxAccounts, wire.FxAccountsManager, wire.GetAssertion, wire.GetAssertionCall{Call: 1, Audience: "https://shop.example.com", Principal: &principal, Options: wire.AssertionOptions{Silent: true}}),
		Hop(wire.FxAccountsManager, wire.FxAccounts, wire.GetSignedInUser, wire.PlainCall{Call: 1}),
		Hop(wire.FxAccounts, wire.FxAccountsManager, "getSignedInUser:resolved", wire.Resolved{Call: 1}),
		sim.Event{Kind: sim.KindNote, From: wire.FxAccountsManager, To: wire.FxAccountsManager, Name: "getAssertion resolved (no-user-silent)"},
		Hop(wire.FxAccountsManager, wire.FirefoxAccounts, "getAssertion:resolved", wire.Resolved{Call: 1}),
		Hop(wire.FirefoxAccounts, wire.DOMIdentity, wire.DoLogout, wire.RPCallback{ID: WinID}),
		Hop(wire.FirefoxAccounts, wire.DOMIdentity, wire.DoReady, wire.RPCallback{ID: WinID}),
		Hop(wire.DOMIdentity, nav, wire.MsgOnLogout, wire.RPCallback{ID: WinID}),
		Hop(wire.DOMIdentity, nav, wire.MsgOnReady, wire.RPCallback{ID: WinID}),
		sim.Event{Kind: sim.KindCallback, From: nav, To: page, Name: wire.CbLogout},
		sim.Event{Kind: sim.KindCallback, From: nav, To: page, Name: wire.CbReady},
	)
}

// signedInRequest: request() with Alice signed in; the manager mints an
// assertion (a fresh certificate each time, so the bytes differ between calls).
func SignedInRequest(t testing.TB) []sim.Event {
	nav, page := wire.NSDOMIdentity(Shop), wire.Page(Shop)
	principal := wire.Principal{Origin: "https://shop.example.com", AppStatus: wire.AppCertified}
	backed := BackedAssertion(t, "https://shop.example.com")
	user := &wire.AccountData{Email: Alice, UID: "4a7fb1c2d3e4f5061728394a5b6c7d8e", SessionToken: Token, Verified: true, AuthAt: sim.Epoch.Unix()}
	return Events(
		sim.Event{Kind: sim.KindCall, From: nav, To: page, Name: wire.CallRequest, Payload: wire.O("oncancel", "[function]")},
		Hop(nav, wire.DOMIdentity, wire.MsgRPRequest, RPMessage(false)),
		Hop(wire.DOMIdentity, wire.FirefoxAccounts, wire.RPRequest, RPMessage(false)),
		Hop(wire.FirefoxAccounts, wire.FxAccountsManager, wire.GetAssertion, wire.GetAssertionCall{Call: 2, Audience: "https://shop.example.com", Principal: &principal}),
		Hop(wire.FxAccountsManager, wire.FxAccounts, wire.GetSignedInUser, wire.PlainCall{Call: 2}),
		Hop(wire.FxAccounts, wire.FxAccountsManager, "getSignedInUser:resolved", wire.Resolved{Call: 2, Value: user}),
		Hop(wire.FxAccountsManager, wire.FxAccounts, wire.GetAssertion, wire.GetAssertionCall{Call: 3, Audience: "https://shop.example.com"}),
		Hop(wire.FxAccounts, wire.FxAServer, wire.OpCertSign, wire.ServerRequest{Call: 1, Op: wire.OpCertSign, SessionToken: Token, Duration: 21600000}),
		Hop(wire.FxAServer, wire.FxAccounts, wire.OpCertSign+":resolved", wire.Resolved{Call: 1, Value: BackedCert(backed)}),
		Hop(wire.FxAccounts, wire.FxAccountsManager, "getAssertion:resolved", wire.Resolved{Call: 3, Value: backed}),
		Hop(wire.FxAccountsManager, wire.FirefoxAccounts, "getAssertion:resolved", wire.Resolved{Call: 2, Value: backed}),
		Hop(wire.FirefoxAccounts, wire.DOMIdentity, wire.DoLogin, wire.RPCallback{ID: WinID, Assertion: &backed}),
		Hop(wire.DOMIdentity, nav, wire.MsgOnLogin, wire.RPCallback{ID: WinID, Assertion: &backed}),
		sim.Event{Kind: sim.KindCallback, From: nav, To: page, Name: wire.CbLogin, Payload: backed},
	)
}

func BackedCert(backed string) string {
	certs, _, err := browserid.Unbundle(backed)
	if err != nil {
		panic(err)
	}
	return certs[0]
}

// Walkthrough runs the seed's two parts on a fresh phone: part I is watch()
// with nobody signed in; part II adds request() and a sign-in in the dialog.
func Walkthrough(t testing.TB, partII bool) []sim.Event {
	t.Helper()
	d, err := device.New(device.Config{Seed: 1, Accounts: []device.Account{{Email: Alice, Password: Password, Verified: true}}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, d.Close()) })
	p, err := d.Open(rp.App{Name: Shop, Origin: "https://shop.example.com", Status: wire.AppCertified})
	require.NoError(t, err)
	require.NoError(t, p.Watch(rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogin: func(string) {}, OnLogout: func() {}, OnReady: func() {}, OnError: func(string) {}}))
	require.NoError(t, d.RunUntilIdle())
	if partII {
		require.NoError(t, p.Request(rp.RequestOptions{OnCancel: func() {}}))
		require.NoError(t, d.RunUntilIdle())
		for _, in := range []struct{ action, value string }{
			{wire.UserTypeEmail, Alice}, {wire.UserNext, ""},
			{wire.UserTypePassword, Password}, {wire.UserNext, ""},
			{wire.UserDone, ""},
		} {
			require.NoError(t, d.UserInput(in.action, in.value), in.action)
		}
		require.Equal(t, []string{"onlogout", "onready", "onlogin aud=https://shop.example.com email=alice@example.com"}, p.Lines())
	} else {
		require.Equal(t, []string{"onlogout", "onready"}, p.Lines())
	}
	require.Empty(t, d.Faults())
	return d.Sys.Trace()
}
