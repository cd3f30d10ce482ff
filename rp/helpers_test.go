package rp_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fxaStub scripts toolkit/identity/FirefoxAccounts.jsm's replies, like the
// mochitests' mocked FxAccountsManager: the silent watch check answers
// login+ready (signed in), logout+ready (nobody) or error; request() answers
// with an assertion for the watch's audience, a cancel, an error, or nothing.
type fxaStub struct {
	signedIn     bool
	email        string // whose assertion the stub mints
	watchError   any    // non-nil: the silent check fails with this reason
	requestReply string // "" or "login", "cancel", "error", "none"
	requestError any
	fixed        *string // non-nil: the assertion every login carries (e.g. "here~you.go.dude")

	got   []string // method names received, in order
	msgs  []wire.RPMessage
	flows map[string]wire.RPMessage
}

func newFxAStub() *fxaStub {
	return &fxaStub{email: "alice@example.com", flows: map[string]wire.RPMessage{}}
}

func (f *fxaStub) assertion(audience string) *string {
	if f.fixed != nil {
		return f.fixed
	}
	a := backedAssertion(audience, f.email)
	return &a
}

func (f *fxaStub) receive(ctx *sim.Ctx, m sim.Message) {
	f.got = append(f.got, m.Name)
	do := func(method string, cb wire.RPCallback) { ctx.Send(wire.DOMIdentity, method, cb) }
	switch m.Name {
	case wire.RPWatch:
		msg := m.Payload.(wire.RPMessage)
		f.msgs = append(f.msgs, msg)
		f.flows[msg.ID] = msg
		switch {
		case f.watchError != nil:
			do(wire.DoError, wire.RPCallback{ID: msg.ID, Message: f.watchError})
			return // no doReady after a silent failure
		case f.signedIn:
			do(wire.DoLogin, wire.RPCallback{ID: msg.ID, Assertion: f.assertion(msg.Audience)})
		default:
			do(wire.DoLogout, wire.RPCallback{ID: msg.ID})
		}
		do(wire.DoReady, wire.RPCallback{ID: msg.ID})
	case wire.RPRequest:
		msg := m.Payload.(wire.RPMessage)
		f.msgs = append(f.msgs, msg)
		flow := f.flows[msg.ID]
		switch f.requestReply {
		case "", "login":
			do(wire.DoLogin, wire.RPCallback{ID: msg.ID, Assertion: f.assertion(flow.Audience)})
		case "cancel":
			do(wire.DoCancel, wire.RPCallback{ID: msg.ID})
		case "error":
			do(wire.DoError, wire.RPCallback{ID: msg.ID, Message: f.requestError})
		}
	case wire.RPLogout:
		msg := m.Payload.(wire.RPMessage)
		f.msgs = append(f.msgs, msg)
		do(wire.DoLogout, wire.RPCallback{ID: msg.ID})
	case wire.RPUnwatch:
		delete(f.flows, m.Payload.(wire.UnwatchMessage).ID)
	}
}

// newSystem is a phone reduced to the dom/identity layer: DOMIdentity,
// MinimalIdentity (the note-only stub unless persona is given) and, if fxa is
// non-nil, a scripted FirefoxAccounts.
func newSystem(t testing.TB, fxa *fxaStub, persona sim.Handler, opts ...identity.DOMIdentityOption) *sim.System {
	t.Helper()
	sys := sim.New(sim.Options{Seed: 42})
	t.Cleanup(func() { require.NoError(t, sys.Close()) })
	require.NoError(t, sys.Spawn(wire.DOMIdentity, identity.NewDOMIdentity(opts...)))
	if persona == nil {
		persona = identity.NewMinimalIdentity()
	}
	require.NoError(t, sys.Spawn(wire.MinimalIdentity, persona))
	if fxa != nil {
		require.NoError(t, sys.Spawn(wire.FirefoxAccounts, sim.HandlerFunc(fxa.receive)))
	}
	return sys
}

func app(name string, status wire.AppStatus) rp.App {
	return rp.App{Name: name, Origin: "app://" + name + ".example.com", Status: status, AppID: 7}
}

// The pages are [D-mid]'s (identity.XPCOM): these tests check the reference's
// gecko-identity §10 rules of nsDOMIdentity.js itself, which a 2015 page met only through the
// WebIDL binding (tested in identity, the shim vectors and the scenarios).
func open(t testing.TB, sys *sim.System, a rp.App, opts ...rp.Option) *rp.Page {
	t.Helper()
	p, err := rp.Open(sys, a, append([]rp.Option{identity.XPCOM()}, opts...)...)
	require.NoError(t, err)
	return p
}

// fxaWatch passes all four callbacks, doing nothing beyond what the page logs.
func fxaWatch() rp.WatchOptions {
	return rp.WatchOptions{
		WantIssuer: wire.WantIssuerFxA,
		OnLogin:    func(string) {}, OnLogout: func() {}, OnReady: func() {}, OnError: func(string) {},
	}
}

func requireThrows(t *testing.T, err error, msg string) {
	t.Helper()
	var ex *rp.Exception
	require.ErrorAs(t, err, &ex)
	require.Equal(t, msg, ex.Message)
}

// hops counts deliveries of one message name.
func hops(sys *sim.System, name string) int {
	n := 0
	for _, e := range sys.Trace() {
		if e.Kind == sim.KindHop && e.Name == name {
			n++
		}
	}
	return n
}

// notes lists the notes one actor recorded, as "name" or "name: payload-string".
func notes(sys *sim.System, from sim.Addr) []string {
	var out []string
	for _, e := range sys.Trace() {
		if e.Kind != sim.KindNote || e.From != from {
			continue
		}
		if s, ok := e.Payload.(string); ok {
			out = append(out, e.Name+": "+s)
		} else {
			out = append(out, e.Name)
		}
	}
	return out
}

// backedAssertion builds an unsigned <cert>~<assertion> with Gecko's padded
// base64url, carrying only what the page log reads.
func backedAssertion(aud, email string) string {
	seg := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return base64.URLEncoding.EncodeToString(b)
	}
	cert := seg(map[string]any{"alg": "RS256"}) + "." +
		seg(map[string]any{"fxa-verifiedEmail": email, "principal": map[string]any{"email": "uid@api.accounts.firefox.com"}, "iss": "api.accounts.firefox.com"}) + ".c2ln"
	assertion := seg(map[string]any{"alg": "DS128"}) + "." + seg(map[string]any{"exp": 1433160180000, "aud": aud}) + ".c2ln"
	return cert + "~" + assertion
}
