package device

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	alice    = "alice@example.com"
	password = "correct horse battery"
)

var shop = rp.App{Name: "shop", Origin: "https://shop.example.com", Status: wire.AppCertified}

func newDevice(t testing.TB, cfg Config) *Device {
	t.Helper()
	if cfg.Accounts == nil {
		cfg.Accounts = []Account{{Email: alice, Password: password, Verified: true}}
	}
	d, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, d.Close()) })
	return d
}

func fxaWatch() rp.WatchOptions {
	return rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogin: func(string) {}, OnLogout: func() {}, OnReady: func() {}, OnError: func(string) {}}
}

func open(t *testing.T, d *Device, app rp.App) *rp.Page {
	t.Helper()
	p, err := d.Open(app)
	require.NoError(t, err)
	return p
}

func TestSignedOutWatch(t *testing.T) { // S2, seed part I
	d := newDevice(t, Config{Seed: 1})
	p := open(t, d, shop)
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, d.RunUntilIdle())
	require.Equal(t, []string{"onlogout", "onready"}, p.Lines())
	require.Empty(t, d.Faults())
}

func TestSignedInWatchMintsAVerifiableAssertion(t *testing.T) { // S1
	d := newDevice(t, Config{Seed: 1, User: alice})
	p := open(t, d, shop)
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, d.RunUntilIdle())
	require.Equal(t, []string{"onlogin aud=https://shop.example.com email=alice@example.com", "onready"}, p.Lines())
	res, err := d.Verifier().Verify(p.Log()[0].Assertion, shop.Origin)
	require.NoError(t, err)
	require.Equal(t, alice, res.VerifiedEmail())
	_, err = d.Verifier().Verify(p.Log()[0].Assertion, "https://evil.example.com")
	require.EqualError(t, err, "audience mismatch: domain mismatch")
}

// Seed part II: request() with nobody signed in opens the Gaia dialog; the user signs in.
func TestRequestSignInThroughTheDialog(t *testing.T) { // S7
	d := newDevice(t, Config{Seed: 1})
	p := open(t, d, shop)
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, d.RunUntilIdle())
	require.NoError(t, p.Request(rp.RequestOptions{OnCancel: func() {}}))
	require.NoError(t, d.RunUntilIdle())
	st, ok, err := d.DialogState()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "ENTER_EMAIL", st.Screen)

	for _, in := range []struct{ action, value string }{
		{wire.UserTypeEmail, alice}, {wire.UserNext, ""},
		{wire.UserTypePassword, password}, {wire.UserNext, ""},
		{wire.UserDone, ""},
	} {
		require.NoError(t, d.UserInput(in.action, in.value), in.action)
	}
	_, ok, err = d.DialogState()
	require.NoError(t, err)
	require.False(t, ok, "the dialog closed")
	require.Equal(t, []string{"onlogout", "onready", "onlogin aud=https://shop.example.com email=alice@example.com"}, p.Lines())

	// The historic hop names are all in the trace, in order.
	var names []string
	for _, e := range d.Sys.Trace() {
		if e.Kind == sim.KindHop {
			names = append(names, e.Name)
		}
	}
	requireSubsequence(t, names, wire.MsgRPRequest, wire.RPRequest, wire.GetAssertion, wire.SignInFlow,
		wire.MozFxAccountsUnsolChromeEvent, wire.MozFxAccountsRPContentEvent, "signInFlow:resolved",
		wire.OpCertSign, "getAssertion:resolved", wire.DoLogin, wire.MsgOnLogin)
}

func TestCloseDialogCancels(t *testing.T) { // S8
	d := newDevice(t, Config{Seed: 2})
	p := open(t, d, shop)
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, d.RunUntilIdle())
	require.NoError(t, p.Request(rp.RequestOptions{OnCancel: func() {}}))
	require.NoError(t, d.RunUntilIdle())
	require.NoError(t, d.UserInput(wire.UserClose, ""))
	require.Equal(t, []string{"onlogout", "onready", "oncancel"}, p.Lines())
	require.ErrorIs(t, d.UserInput(wire.UserNext, ""), ErrNoDialog)
}

func TestOfflineWithWarmCertificateThenStale(t *testing.T) {
	t.Parallel()
	d := newDevice(t, Config{Seed: 3, User: alice})
	p := open(t, d, shop)
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, d.RunUntilIdle())
	require.NoError(t, d.SetOnline(false))
	require.NoError(t, d.Advance(5*time.Hour))
	require.NoError(t, p.Request(rp.RequestOptions{}))
	require.NoError(t, d.RunUntilIdle())
	require.Equal(t, "onlogin aud=https://shop.example.com email=alice@example.com", p.Lines()[2], "cert still valid 5 min ahead")
	require.NoError(t, d.Advance(56*time.Minute)) // 6h01: the cached cert is too close to expiry
	require.NoError(t, p.Request(rp.RequestOptions{}))
	require.NoError(t, d.RunUntilIdle())
	require.Equal(t, "onerror {}", p.Lines()[3], "Error(\"OFFLINE\") has no .error property")
}

func requireSubsequence(t *testing.T, got []string, want ...string) {
	t.Helper()
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	require.Equal(t, len(want), i, "missing %q in order; hops were %q", want[min(i, len(want)-1)], got)
}

// bogus is a payload no actor reads.
type bogus struct{ N int }

// Every actor of the phone, sent every message name of the protocol with a
// payload of the wrong type, refuses it with a fault naming itself, the
// message, the type that came and the type it wanted; none panics.
func TestEveryActorRefusesWrongPayloads(t *testing.T) {
	d := newDevice(t, Config{Seed: 1, User: alice})
	open(t, d, shop)
	actors := []sim.Addr{wire.DOMIdentity, wire.MinimalIdentity, wire.FirefoxAccounts, wire.FxAccountsManager, wire.FxAccounts,
		wire.FxAServer, wire.FxAccountsUIGlue, wire.FxAccountsMgmtService, wire.SystemFxAccountsManager, wire.SystemFxAccountsUI,
		wire.SystemFxAccountsDialog, wire.SystemFxAccountsClient, wire.SystemDialogManager, wire.Settings, wire.NSDOMIdentity(shop.Name)}
	names := make([]string, 0, len(wire.Messages))
	for name := range wire.Messages {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, to := range actors {
		require.True(t, d.Sys.Has(to), "%s is part of the phone", to)
		for _, name := range names {
			require.NoError(t, d.Sys.Send(sim.Message{Name: name, From: wire.World, To: to, Payload: bogus{N: 1}}))
		}
	}
	require.NoError(t, d.RunUntilIdle())
	refused := regexp.MustCompile(`^sim: actor (.+?): message "([^"]+)" carries device\.bogus, want \S+$`)
	byActor := map[string]int{}
	for _, f := range d.Faults() {
		m := refused.FindStringSubmatch(f.Error())
		require.NotNil(t, m, "fault %q is not a refused payload", f)
		byActor[m[1]]++
	}
	// Each actor that reads a payload at all refuses at least one message.
	for _, a := range actors {
		switch a {
		case wire.MinimalIdentity, wire.SystemDialogManager, wire.SystemFxAccountsDialog:
			continue // a stub that only notes payloads; actors that read none of the wire's (the dialog reads gaia's hide)
		}
		require.Positive(t, byActor[string(a)], "%s refused nothing", a)
	}
	require.Contains(t, faultTexts(d), `sim: actor DOMIdentity: message "Identity:RP:Watch" carries device.bogus, want wire.RPMessage`)
	require.Contains(t, faultTexts(d), `sim: actor FxAccountsManager: message "signOut" carries device.bogus, want wire.SignOutCall`)
	require.Contains(t, faultTexts(d), `sim: actor System/FxAccountsManager: message "mozFxAccountsUnsolChromeEvent" carries device.bogus, want wire.UnsolChromeEvent`)
}

func faultTexts(d *Device) []string {
	var out []string
	for _, f := range d.Faults() {
		out = append(out, f.Error())
	}
	return out
}
