package identity_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// S6: with identity.fxaccounts.enabled off, a firefox-accounts page is routed to
// BrowserID, with the warning on every routed call.
func TestFxADisabledFallsBackToBrowserID(t *testing.T) {
	h := newHarness(t, true, identity.FxAEnabled(false))
	var log []string
	n := h.page(t, "c", wire.AppCertified)
	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Watch(ctx, fxaWatch(&log)) }))
	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Request(ctx, identity.RequestOptions{}) }))
	require.NoError(t, h.call(t, "c", func(ctx *sim.Ctx) error { return n.Logout(ctx) }))
	h.run(t)
	require.Empty(t, h.fxa)
	require.Empty(t, log, "MinimalIdentity's stub never answers")
	require.Equal(t, []string{identity.NoteFxADisabled, identity.NoteFxADisabled, identity.NoteFxADisabled}, h.notes(wire.DOMIdentity))
	require.Equal(t, []string{"identity-controller-watch", "identity-controller-request", "identity-controller-logout"}, h.notes(wire.MinimalIdentity))
}

// A Persona page (no wantIssuer) goes to BrowserID without warning or permission
// check, whatever its app status.
func TestBrowserIDRouting(t *testing.T) {
	h := newHarness(t, false)
	n := h.page(t, "web", wire.AppInstalled)
	require.NoError(t, h.call(t, "web", func(ctx *sim.Ctx) error {
		return n.Watch(ctx, identity.WatchOptions{OnLogin: func(string) {}})
	}))
	require.NoError(t, h.call(t, "web", func(ctx *sim.Ctx) error { return n.Request(ctx, identity.RequestOptions{}) }))
	require.NoError(t, h.call(t, "web", func(ctx *sim.Ctx) error { n.Close(ctx); return nil }))
	h.run(t)
	require.Equal(t, []string{wire.RPWatch, wire.RPRequest, wire.RPUnwatch}, h.persona.Names())
	require.Equal(t, wire.UnwatchMessage{ID: n.ID(), Target: wire.NSDOMIdentity("web")}, h.persona.Got[2].Payload)
	require.Empty(t, h.notes(wire.DOMIdentity))
	require.Empty(t, h.fxa)
}

// hasPermission: anything but UNKNOWN or DENY passes; without a principal the
// message is refused; only messages naming firefox-accounts are checked.
func TestPermissionCheck(t *testing.T) {
	for _, c := range []struct {
		perm    wire.Permission
		allowed bool
	}{{wire.PermAllow, true}, {wire.PermPrompt, true}, {wire.PermDeny, false}, {wire.PermUnknown, false}} {
		h := newHarness(t, false, identity.PermissionFunc(func(wire.Principal) wire.Permission { return c.perm }))
		var log []string
		n := h.page(t, "p", wire.AppPrivileged)
		require.NoError(t, h.call(t, "p", func(ctx *sim.Ctx) error { return n.Watch(ctx, fxaWatch(&log)) }))
		h.run(t)
		if c.allowed {
			require.Equal(t, []string{"onlogout", "onready"}, log, c.perm.String())
			require.Empty(t, h.notes(wire.DOMIdentity))
		} else {
			require.Empty(t, log, c.perm.String())
			require.Equal(t, []string{identity.NotePermissionDenied}, h.notes(wire.DOMIdentity))
		}
	}

	// Default table: certified ALLOW, privileged PROMPT pass; web apps and plain pages do not.
	for status, allowed := range map[wire.AppStatus]bool{wire.AppCertified: true, wire.AppPrivileged: true, wire.AppInstalled: false, wire.AppNotInstalled: false} {
		h := newHarness(t, false)
		var log []string
		n := h.page(t, "d", status)
		require.NoError(t, h.call(t, "d", func(ctx *sim.Ctx) error { return n.Watch(ctx, fxaWatch(&log)) }))
		h.run(t)
		require.Equal(t, allowed, len(h.fxa) == 1, status.String())
	}

	// A request naming firefox-accounts in its own options would be checked too,
	// but in 2015 the WebIDL binding drops wantIssuer from request options
	// (IdentityRequestOptions has no such member): the request goes through.
	h := newHarness(t, false)
	n := h.page(t, "web", wire.AppInstalled)
	require.NoError(t, h.call(t, "web", func(ctx *sim.Ctx) error { return n.Watch(ctx, identity.WatchOptions{OnLogin: func(string) {}}) }))
	require.NoError(t, h.call(t, "web", func(ctx *sim.Ctx) error {
		return n.Request(ctx, identity.RequestOptions{Extra: wire.O("wantIssuer", wire.WantIssuerFxA)})
	}))
	h.run(t)
	require.Equal(t, []string{wire.RPWatch, wire.RPRequest}, h.persona.Names())
	require.Equal(t, []sim.Event{}, filterNotes(h.sys.Trace(), identity.NotePermissionDenied, wire.MsgRPWatch))
	require.Empty(t, filterNotes(h.sys.Trace(), identity.NotePermissionDenied, wire.MsgRPRequest))

	// No principal: refused.
	h = newHarness(t, false, identity.PermissionFunc(func(wire.Principal) wire.Permission { return wire.PermAllow }))
	require.NoError(t, h.sys.Send(sim.Message{Name: wire.MsgRPWatch, From: "child", To: wire.DOMIdentity,
		Payload: wire.RPMessage{ID: "w1", Origin: "app://x", WantIssuer: wire.WantIssuerFxA, Target: "child"}}))
	h.run(t)
	require.Equal(t, []string{identity.NotePermissionDenied}, h.notes(wire.DOMIdentity))
}

func filterNotes(events []sim.Event, name string, payload any) []sim.Event {
	out := []sim.Event{}
	for _, e := range events {
		if e.Kind == sim.KindNote && e.Name == name && e.Payload == payload {
			out = append(out, e)
		}
	}
	return out
}

// Contexts live from watch to unwatch; unwatch deletes by message manager
// (P-late deleteContextForMM), so a second window sharing a manager overwrote the
// first one's entry and the first window's context leaks.
func TestContextsAndTheMessageManagerMap(t *testing.T) {
	h := newHarness(t, false)
	dom := identity.NewDOMIdentity()
	require.NoError(t, h.sys.Spawn("DOMIdentity#2", dom))
	contexts := func() int {
		var n int
		require.NoError(t, h.sys.Invoke("DOMIdentity#2", func(*sim.Ctx) { n = dom.ContextCount() }))
		return n
	}
	send := func(name string, payload any) {
		require.NoError(t, h.sys.Send(sim.Message{Name: name, From: "cpmm", To: "DOMIdentity#2", Payload: payload}))
		h.run(t)
	}
	watch := func(id string) wire.RPMessage {
		return wire.RPMessage{ID: id, Origin: "https://a.example.com", Target: "cpmm", Principal: wire.Principal{Origin: "https://a.example.com"}}
	}
	send(wire.MsgRPWatch, watch("w1"))
	send(wire.MsgRPWatch, watch("w2"))
	require.Equal(t, 2, contexts())
	send(wire.MsgRPUnwatch, wire.UnwatchMessage{ID: "w1", Target: "cpmm"})
	require.Equal(t, 1, contexts(), "w2's context went, w1's stayed")
	send(wire.MsgRPRequest, watch("w2"))
	send(wire.MsgRPRequest, watch("w1"))
	require.Equal(t, []string{wire.RPWatch, wire.RPWatch, wire.RPUnwatch, wire.RPRequest}, h.persona.Names())
	require.Equal(t, "w1", h.persona.Got[3].Payload.(wire.RPMessage).ID)
	require.Equal(t, []string{
		"ERROR: getService called before newContext for w2",
		identity.NoteNoContextRequest,
	}, h.notes("DOMIdentity#2"))
}

// Malformed input to DOMIdentity is refused with a fault naming the message and
// the payload type it wanted, never a panic; DOMIdentity carries on.
func TestDOMIdentityBadInput(t *testing.T) {
	h := newHarness(t, false)
	for _, m := range []sim.Message{
		{Name: wire.MsgRPWatch, Payload: wire.RPMessage{Origin: "https://a"}},
		{Name: wire.MsgRPWatch, Payload: "not a message"},
		{Name: wire.MsgRPUnwatch, Payload: wire.RPMessage{}},
		{Name: wire.DoLogin, Payload: 12},
		{Name: "Identity:IDP:BeginProvisioning", Payload: wire.RPMessage{}},
	} {
		m.From, m.To = "test", wire.DOMIdentity
		require.NoError(t, h.sys.Send(m))
	}
	h.run(t)
	var faults []string
	for _, f := range h.sys.Faults() {
		faults = append(faults, f.Error())
	}
	require.Equal(t, []string{
		`sim: actor DOMIdentity: message "Identity:RP:Watch" carries string, want wire.RPMessage`,
		`sim: actor DOMIdentity: message "Identity:RP:Unwatch" carries wire.RPMessage, want wire.UnwatchMessage`,
		`sim: actor DOMIdentity: message "doLogin" carries int, want wire.RPCallback`,
	}, faults)
	require.Equal(t, []string{
		"id and origin are required for RP watch context",
		"ignored message",
	}, h.notes(wire.DOMIdentity))
	require.Empty(t, h.fxa)
	require.Empty(t, h.persona.Got)
}
