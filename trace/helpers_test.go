package trace

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

const (
	shop     = "shop"
	alice    = "alice@example.com"
	password = "correct horse battery"
	winID    = "0f8fad5b-d9cb-469f-a165-70867728950e"
	uiID     = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	token    = "6d2a3c51e1f0a7b9c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a"
)

var issuerKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// backedAssertion mints a real "cert~assertion" for alice and audience, with keys
// that differ on every call (as in two runs of the simulator).
func backedAssertion(t testing.TB, audience string) string {
	t.Helper()
	userKey, err := browserid.GenerateDSAKey(nil)
	require.NoError(t, err)
	cert, err := browserid.SignCertificate(browserid.CertParams{
		PublicKey: userKey.Public(), Email: "uid1@api.accounts.firefox.com",
		IssuedAt: sim.Epoch, ExpiresAt: sim.Epoch.Add(6 * time.Hour), Issuer: "api.accounts.firefox.com",
	}, issuerKey())
	require.NoError(t, err)
	a, err := browserid.SignAssertion(userKey, audience, sim.Epoch.Add(25*365*24*time.Hour))
	require.NoError(t, err)
	return browserid.Bundle([]string{cert}, a)
}

// events numbers hand-built events the way sim does.
func events(evs ...sim.Event) []sim.Event {
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	return evs
}

func hop(from, to sim.Addr, name string, payload any) sim.Event {
	return sim.Event{Kind: sim.KindHop, From: from, To: to, Name: name, Payload: payload}
}

func rpMessage(silent bool) wire.RPMessage {
	return wire.RPMessage{
		ID: winID, Origin: "https://shop.example.com", Audience: "https://shop.example.com",
		WantIssuer: wire.WantIssuerFxA, Options: wire.AssertionOptions{Silent: silent},
		Principal: wire.Principal{Origin: "https://shop.example.com", AppStatus: wire.AppCertified},
		Target:    wire.NSDOMIdentity(shop),
	}
}

// signedOutWatch is seed part I as the actors record it: watch() with nobody
// signed in ends in onlogout, onready.
func signedOutWatch() []sim.Event {
	nav, page := wire.NSDOMIdentity(shop), wire.Page(shop)
	principal := wire.Principal{Origin: "https://shop.example.com", AppStatus: wire.AppCertified}
	return events(
		sim.Event{Kind: sim.KindCall, From: nav, To: page, Name: wire.CallWatch, Payload: wire.O("wantIssuer", "firefox-accounts", "onlogin", "[function]", "onlogout", "[function]", "onready", "[function]")},
		hop(nav, wire.DOMIdentity, wire.MsgRPWatch, rpMessage(false)),
		hop(wire.DOMIdentity, wire.FirefoxAccounts, wire.RPWatch, rpMessage(false)),
		hop(wire.FirefoxAccounts, wire.FxAccountsManager, wire.GetAssertion, wire.GetAssertionCall{Call: 1, Audience: "https://shop.example.com", Principal: &principal, Options: wire.AssertionOptions{Silent: true}}),
		hop(wire.FxAccountsManager, wire.FxAccounts, wire.GetSignedInUser, wire.PlainCall{Call: 1}),
		hop(wire.FxAccounts, wire.FxAccountsManager, "getSignedInUser:resolved", wire.Resolved{Call: 1}),
		sim.Event{Kind: sim.KindNote, From: wire.FxAccountsManager, To: wire.FxAccountsManager, Name: "getAssertion resolved (no-user-silent)"},
		hop(wire.FxAccountsManager, wire.FirefoxAccounts, "getAssertion:resolved", wire.Resolved{Call: 1}),
		hop(wire.FirefoxAccounts, wire.DOMIdentity, wire.DoLogout, wire.RPCallback{ID: winID}),
		hop(wire.FirefoxAccounts, wire.DOMIdentity, wire.DoReady, wire.RPCallback{ID: winID}),
		hop(wire.DOMIdentity, nav, wire.MsgOnLogout, wire.RPCallback{ID: winID}),
		hop(wire.DOMIdentity, nav, wire.MsgOnReady, wire.RPCallback{ID: winID}),
		sim.Event{Kind: sim.KindCallback, From: nav, To: page, Name: wire.CbLogout},
		sim.Event{Kind: sim.KindCallback, From: nav, To: page, Name: wire.CbReady},
	)
}

// signedInRequest: request() with alice signed in; the manager mints an
// assertion (a fresh certificate each time, so the bytes differ between calls).
func signedInRequest(t testing.TB) []sim.Event {
	nav, page := wire.NSDOMIdentity(shop), wire.Page(shop)
	principal := wire.Principal{Origin: "https://shop.example.com", AppStatus: wire.AppCertified}
	backed := backedAssertion(t, "https://shop.example.com")
	user := &wire.AccountData{Email: alice, UID: "4a7fb1c2d3e4f5061728394a5b6c7d8e", SessionToken: token, Verified: true, AuthAt: sim.Epoch.Unix()}
	return events(
		sim.Event{Kind: sim.KindCall, From: nav, To: page, Name: wire.CallRequest, Payload: wire.O("oncancel", "[function]")},
		hop(nav, wire.DOMIdentity, wire.MsgRPRequest, rpMessage(false)),
		hop(wire.DOMIdentity, wire.FirefoxAccounts, wire.RPRequest, rpMessage(false)),
		hop(wire.FirefoxAccounts, wire.FxAccountsManager, wire.GetAssertion, wire.GetAssertionCall{Call: 2, Audience: "https://shop.example.com", Principal: &principal}),
		hop(wire.FxAccountsManager, wire.FxAccounts, wire.GetSignedInUser, wire.PlainCall{Call: 2}),
		hop(wire.FxAccounts, wire.FxAccountsManager, "getSignedInUser:resolved", wire.Resolved{Call: 2, Value: user}),
		hop(wire.FxAccountsManager, wire.FxAccounts, wire.GetAssertion, wire.GetAssertionCall{Call: 3, Audience: "https://shop.example.com"}),
		hop(wire.FxAccounts, wire.FxAServer, wire.OpCertSign, wire.ServerRequest{Call: 1, Op: wire.OpCertSign, SessionToken: token, Duration: 21600000}),
		hop(wire.FxAServer, wire.FxAccounts, wire.OpCertSign+":resolved", wire.Resolved{Call: 1, Value: backedCert(backed)}),
		hop(wire.FxAccounts, wire.FxAccountsManager, "getAssertion:resolved", wire.Resolved{Call: 3, Value: backed}),
		hop(wire.FxAccountsManager, wire.FirefoxAccounts, "getAssertion:resolved", wire.Resolved{Call: 2, Value: backed}),
		hop(wire.FirefoxAccounts, wire.DOMIdentity, wire.DoLogin, wire.RPCallback{ID: winID, Assertion: &backed}),
		hop(wire.DOMIdentity, nav, wire.MsgOnLogin, wire.RPCallback{ID: winID, Assertion: &backed}),
		sim.Event{Kind: sim.KindCallback, From: nav, To: page, Name: wire.CbLogin, Payload: backed},
	)
}

func backedCert(backed string) string {
	certs, _, err := browserid.Unbundle(backed)
	if err != nil {
		panic(err)
	}
	return certs[0]
}
