package identity_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/machine"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestPageMachineDiagram(t *testing.T) {
	d, err := identity.PageMachine.Mermaid()
	require.NoError(t, err)
	require.Equal(t, `stateDiagram-v2
    [*] --> idle
    failed --> closed: close
    idle --> closed: close
    idle --> refused: refuse
    idle --> watching: watch
    ready --> closed: close
    ready --> requesting: request
    refused --> closed: close
    requesting --> closed: close
    requesting --> ready: oncancel
    requesting --> ready: onerror
    requesting --> ready: onlogin
    watching --> closed: close
    watching --> failed: onerror
    watching --> ready: onready
`, d)
}

// TestPageMachineKeepsTheStateOnAnEventWithNoRow: the page can see onlogin
// while still watching (onready follows), so the table's gaps are not errors.
func TestPageMachineKeepsTheStateOnAnEventWithNoRow(t *testing.T) {
	require.Equal(t, machine.Stay, identity.PageMachine.Refused())
	m := identity.PageMachine.New()
	require.NoError(t, m.Fire(nil, identity.EvWatch))
	require.NoError(t, m.Fire(nil, identity.EvOnLogin))
	require.Equal(t, identity.StWatching, m.Current())
	require.NoError(t, m.Fire(nil, identity.EvOnReady))
	require.Equal(t, identity.StReady, m.Current())
}

func TestPageStatesAlongAFlow(t *testing.T) {
	h := newHarness(t, false)
	var log []string
	n := h.page(t, "c", wire.AppCertified)
	require.Equal(t, identity.StIdle, h.state(t, "c", n))
	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Watch(ctx, fxaWatch(&log)) }))
	require.Equal(t, identity.StWatching, h.state(t, "c", n))
	h.run(t)
	require.Equal(t, identity.StReady, h.state(t, "c", n))
	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Logout(ctx) }))
	require.Equal(t, identity.StReady, h.state(t, "c", n), "logout() is not a lifecycle transition")
	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Request(ctx, identity.RequestOptions{}) }))
	require.Equal(t, identity.StRequesting, h.state(t, "c", n))
	h.run(t)
	require.Equal(t, identity.StReady, h.state(t, "c", n))
	require.Equal(t, []string{"onlogout", "onready", "onlogin x~y"}, log)
	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { n.Close(ctx); return nil }))
	require.False(t, h.sys.Has(wire.NSDOMIdentity("c")))
	h.run(t)
	require.Equal(t, []string{wire.RPWatch, wire.RPLogout, wire.RPRequest, wire.RPUnwatch}, names(h.fxa))
}

func TestRefusedAndFailedStates(t *testing.T) {
	h := newHarness(t, false)
	var log []string
	refused := h.page(t, "r", wire.AppPrivileged)
	o := fxaWatch(&log)
	o.Audience = "https://other.example.com"
	require.NoError(t, h.call(t, "r", func(ctx *sim.Ctx) error { return refused.Watch(ctx, o) }))
	require.Equal(t, identity.StRefused, h.state(t, "r", refused))
	// A request from refused is sent (the watcher exists) but changes nothing.
	require.NoError(t, h.call(t, "r", func(ctx *sim.Ctx) error { return refused.Request(ctx, identity.RequestOptions{}) }))
	require.Equal(t, identity.StRefused, h.state(t, "r", refused))

	failed := h.page(t, "f", wire.AppCertified)
	require.NoError(t, h.call(t, "f", func(ctx *sim.Ctx) error { return failed.Watch(ctx, fxaWatch(&log)) }))
	require.NoError(t, h.sys.Send(sim.Message{Name: wire.MsgOnError, From: wire.DOMIdentity, To: wire.NSDOMIdentity("f"),
		Payload: wire.RPCallback{ID: failed.ID(), Message: wire.NewError("OFFLINE", nil)}}))
	h.run(t)
	// The injected OnError arrives before the stub's logout/ready.
	require.Equal(t, []string{"onerror ERROR_INVALID_ASSERTION_AUDIENCE", `onerror {"name":"OFFLINE"}`, "onlogout", "onready"}, log)
	require.Equal(t, identity.StFailed, h.state(t, "f", failed), "onready after a failure leaves the page failed")
}

// What the page puts on the wire: DOMIdentityMessage's id/origin/audience, the
// principal, its own address as Target, and the request options it copies.
func TestMessagesOnTheWire(t *testing.T) {
	h := newHarness(t, false)
	var log []string
	n := h.page(t, "cert", wire.AppCertified)
	o := fxaWatch(&log)
	o.Audience = 42.0 // certified apps keep any audience, stringified
	o.LoggedInUser = "me@example.com"
	require.NoError(t, h.call(t, "cert", func(ctx *sim.Ctx) error { return n.Watch(ctx, o) }))
	require.NoError(t, h.call(t, "cert", func(ctx *sim.Ctx) error {
		return n.Request(ctx, identity.RequestOptions{
			RefreshAuthentication: 3600,
			PrivacyPolicy:         "https://pp.example.com",
			TermsOfService:        "",
			Audience:              identity.Null,
			Extra: wire.O("siteName", "Shop", "_internal", true, "silent", true, "wantIssuer", wire.WantIssuerFxA,
				"returnTo", "/done", "backgroundColor", wire.Undefined),
		})
	}))
	require.NoError(t, h.call(t, "cert", func(ctx *sim.Ctx) error { return n.Logout(ctx) }))
	h.run(t)
	require.Equal(t, []string{wire.RPWatch, wire.RPRequest, wire.RPLogout}, names(h.fxa))

	me := "me@example.com"
	principal := wire.Principal{Origin: "app://cert", AppID: 9, AppStatus: wire.AppCertified}
	target := wire.NSDOMIdentity("cert")
	require.Equal(t, wire.RPMessage{ID: n.ID(), Origin: "app://cert", Audience: "42", WantIssuer: wire.WantIssuerFxA,
		LoggedInUser: &me, Principal: principal, Target: target}, h.fxa[0].Payload)
	// The 2015 binding drops what IdentityRequestOptions lacks (audience, _internal,
	// silent, wantIssuer) and hands the members over in the dictionary's order.
	require.Equal(t, wire.RPMessage{ID: n.ID(), Origin: "app://cert", Audience: "app://cert",
		Principal: principal, Target: target,
		Options: wire.AssertionOptions{RefreshAuthentication: 3600.0,
			Extra: wire.O("privacyPolicy", "https://pp.example.com", "termsOfService", "", "returnTo", "/done", "siteName", "Shop")},
	}, h.fxa[1].Payload)
	require.Equal(t, wire.RPMessage{ID: n.ID(), Origin: "app://cert", Audience: "app://cert", Principal: principal, Target: target}, h.fxa[2].Payload)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, n.ID())
}

// Audience sanitising edge cases (JS truthiness and loose equality).
func TestAudienceSanitising(t *testing.T) {
	cases := []struct {
		status   wire.AppStatus
		audience any
		sent     string
		refused  bool
	}{
		{wire.AppPrivileged, "", "app://p", false},
		{wire.AppPrivileged, identity.Null, "", true}, // a DOMString member: null is "null"
		{wire.AppPrivileged, 0, "", true},             // and 0 is "0"
		{wire.AppPrivileged, "app://p", "app://p", false},
		{wire.AppPrivileged, []any{"app://p"}, "app://p", false}, // ["x"] == "x" in JS
		{wire.AppPrivileged, "APP://p", "", true},
		{wire.AppPrivileged, 1, "", true},
		{wire.AppInstalled, true, "", true},
		{wire.AppCertified, true, "true", false},
		{wire.AppCertified, wire.O("a", 1), "[object Object]", false},
		{wire.AppNotInstalled, "https://x", "", true},
	}
	for _, c := range cases {
		h := newHarness(t, false, identity.PermissionFunc(func(wire.Principal) wire.Permission { return wire.PermAllow }))
		var log []string
		n := h.page(t, "p", c.status)
		o := fxaWatch(&log)
		o.Audience = c.audience
		require.NoError(t, h.call(t, "p", func(ctx *sim.Ctx) error { return n.Watch(ctx, o) }))
		h.run(t)
		if c.refused {
			require.Equal(t, []string{"onerror ERROR_INVALID_ASSERTION_AUDIENCE"}, log, "%v", c.audience)
			require.Empty(t, h.fxa)
			continue
		}
		require.Len(t, h.fxa, 1, "%v", c.audience)
		require.Equal(t, c.sent, h.fxa[0].Payload.(wire.RPMessage).Audience, "%v", c.audience)
	}
}

// Messages for other windows are ignored silently; messages before watch() are
// dropped with the console warning.
func TestIncomingFiltering(t *testing.T) {
	h := newHarness(t, false)
	var log []string
	n := h.page(t, "c", wire.AppCertified)
	to := wire.NSDOMIdentity("c")
	require.NoError(t, h.sys.Send(sim.Message{Name: wire.MsgOnReady, From: wire.DOMIdentity, To: to, Payload: wire.RPCallback{ID: n.ID()}}))
	require.NoError(t, h.sys.Send(sim.Message{Name: wire.MsgOnLogin, From: wire.DOMIdentity, To: to, Payload: wire.RPCallback{ID: n.ID()}}))
	h.run(t)
	require.Equal(t, []string{
		"WARNING: Received OnReady message, but there is no RP watcher",
		"WARNING: Received OnLogin message, but there is no RP watcher",
	}, h.notes(to))

	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Watch(ctx, fxaWatch(&log)) }))
	h.run(t)
	require.NoError(t, h.sys.Send(sim.Message{Name: wire.MsgOnLogout, From: wire.DOMIdentity, To: to, Payload: wire.RPCallback{ID: "someone-else"}}))
	require.NoError(t, h.sys.Send(sim.Message{Name: wire.MsgOnLogout, From: wire.DOMIdentity, To: to, Payload: "garbage"}))
	h.run(t)
	require.Equal(t, []string{"onlogout", "onready"}, log)
	require.Len(t, h.notes(to), 2)
	require.Len(t, h.sys.Faults(), 1)
	require.EqualError(t, h.sys.Faults()[0], `sim: actor nsDOMIdentity[c]: message "Identity:RP:Watch:OnLogout" carries string, want wire.RPCallback`)
}

// An OnError with no onerror callback is dropped with a note; OnCancel with no
// stored oncancel does nothing.
func TestMissingCallbacksAreNotCalled(t *testing.T) {
	h := newHarness(t, false)
	n := h.page(t, "b", wire.AppCertified)
	var got []string
	require.NoError(t, h.call(t, "b", func(ctx *sim.Ctx) error {
		return n.Watch(ctx, identity.WatchOptions{OnLogin: func(string) { got = append(got, "login") }})
	}))
	to := wire.NSDOMIdentity("b")
	for _, name := range []string{wire.MsgOnLogout, wire.MsgOnReady, wire.MsgOnCancel, wire.MsgOnError, wire.MsgOnLogin} {
		require.NoError(t, h.sys.Send(sim.Message{Name: name, From: wire.DOMIdentity, To: to, Payload: wire.RPCallback{ID: n.ID(), Message: wire.NewError("X", nil)}}))
	}
	h.run(t)
	require.Equal(t, []string{"login"}, got)
	require.Equal(t, []string{"no onerror callback; error dropped"}, h.notes(to))
	var callbacks []string
	for _, e := range h.sys.Trace() {
		if e.Kind == sim.KindCallback {
			callbacks = append(callbacks, e.Name)
		}
	}
	require.Equal(t, []string{wire.CbLogin}, callbacks)
}

// Options the simulator cannot mean are Go errors, not JavaScript exceptions.
func TestBadInputIsAGoError(t *testing.T) {
	h := newHarness(t, false)
	n := h.page(t, "c", wire.AppCertified)
	var log []string
	o := fxaWatch(&log)
	o.NotFunctions = []string{"onLogin"}
	err := h.call(t, "c", func(ctx *sim.Ctx) error { return n.Watch(ctx, o) })
	require.EqualError(t, err, `identity: NotFunctions: "onLogin" is not a callback name (want one of onlogin, onlogout, onready, onerror, oncancel)`)
	var ex *identity.Exception
	require.NotErrorAs(t, err, &ex)

	o.NotFunctions = []string{"onready"}
	require.EqualError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Watch(ctx, o) }),
		`identity: NotFunctions: "onready" is also given as a function; pass one or the other`)

	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Watch(ctx, fxaWatch(&log)) }), "bad input left no state behind")
	require.EqualError(t, h.call(t, "c", func(ctx *sim.Ctx) error {
		return n.Request(ctx, identity.RequestOptions{Extra: wire.O("origin", "https://evil.example.com")})
	}), `identity: request option "origin" cannot go in Extra; id, origin and errors are set by navigator.mozId, the others have their own fields`)
	require.EqualError(t, h.call(t, "c", func(ctx *sim.Ctx) error {
		return n.Request(ctx, identity.RequestOptions{OnCancel: func() {}, NotFunctions: []string{"oncancel"}})
	}), `identity: NotFunctions: "oncancel" is also given as a function; pass one or the other`)

	_, err = identity.NewNSDOMIdentity("", wire.Principal{Origin: "x"})
	require.EqualError(t, err, "identity: page needs an app name")
	_, err = identity.NewNSDOMIdentity("a", wire.Principal{})
	require.EqualError(t, err, `identity: page "a" needs an origin`)
	_, err = identity.NewNSDOMIdentity("a", wire.Principal{Origin: "x", AppStatus: 7})
	require.EqualError(t, err, `identity: page "a" has unknown app status 7 (want 0..3)`)
}

// Observe sees every callback the page runs, before it runs, with what the
// page's log needs: null and a string assertion told apart, the onerror string.
func TestObserveSeesEveryCallback(t *testing.T) {
	h := newHarness(t, false)
	var seen []identity.Delivered
	var log []string
	n := h.page(t, "c", wire.AppCertified, identity.Observe(func(d identity.Delivered) {
		seen = append(seen, d)
		log = append(log, "observed "+d.Callback)
	}))
	to := wire.NSDOMIdentity("c")
	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Watch(ctx, fxaWatch(&log)) }))
	h.run(t)
	a := "header.claims.sig"
	for _, m := range []sim.Message{
		{Name: wire.MsgOnLogin, Payload: wire.RPCallback{ID: n.ID()}},
		{Name: wire.MsgOnLogin, Payload: wire.RPCallback{ID: n.ID(), Assertion: &a}},
		{Name: wire.MsgOnError, Payload: wire.RPCallback{ID: n.ID(), Message: wire.NewError("OFFLINE", nil)}},
	} {
		m.From, m.To = wire.DOMIdentity, to
		require.NoError(t, h.sys.Send(m))
	}
	h.run(t)
	require.Equal(t, []identity.Delivered{
		{Callback: wire.CbLogout}, {Callback: wire.CbReady}, // the harness answers the watch signed out
		{Callback: wire.CbLogin}, {Callback: wire.CbLogin, Assertion: &a},
		{Callback: wire.CbError, Error: `{"name":"OFFLINE"}`},
	}, seen)
	require.Equal(t, []string{"observed onlogout", "onlogout", "observed onready", "onready",
		"observed onlogin", "onlogin ", "observed onlogin", "onlogin header.claims.sig",
		"observed onerror", `onerror {"name":"OFFLINE"}`}, log, "observed before the callback runs")
}
