package identity_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness is DOMIdentity with recording stubs behind it: FirefoxAccounts answers
// watch with doLogout+doReady and request with doLogin("x~y"); the BrowserID
// service is either the real stub or a recorder.
type harness struct {
	sys     *sim.System
	fxa     []sim.Message
	persona *simtest.Recorder
}

func newHarness(t *testing.T, realMinimal bool, opts ...identity.DOMIdentityOption) *harness {
	t.Helper()
	h := &harness{persona: &simtest.Recorder{}}
	var persona sim.Handler = h.persona
	if realMinimal {
		persona = identity.NewMinimalIdentity()
	}
	h.sys = simtest.New(t, 3, map[sim.Addr]sim.Handler{wire.DOMIdentity: identity.NewDOMIdentity(opts...), wire.MinimalIdentity: persona})
	require.NoError(t, h.sys.Spawn(wire.FirefoxAccounts, sim.HandlerFunc(func(ctx *sim.Ctx, m sim.Message) {
		h.fxa = append(h.fxa, m)
		switch m.Name {
		case wire.RPWatch:
			id := m.Payload.(wire.RPMessage).ID
			ctx.Send(wire.DOMIdentity, wire.DoLogout, wire.RPCallback{ID: id})
			ctx.Send(wire.DOMIdentity, wire.DoReady, wire.RPCallback{ID: id})
		case wire.RPRequest:
			a := "x~y"
			ctx.Send(wire.DOMIdentity, wire.DoLogin, wire.RPCallback{ID: m.Payload.(wire.RPMessage).ID, Assertion: &a})
		}
	})))
	return h
}

func (h *harness) page(t *testing.T, name string, status wire.AppStatus, opts ...identity.PageOption) *identity.NSDOMIdentity {
	t.Helper()
	n, err := identity.NewNSDOMIdentity(name, wire.Principal{Origin: "app://" + name, AppID: 9, AppStatus: status}, opts...)
	require.NoError(t, err)
	require.NoError(t, h.sys.Spawn(wire.NSDOMIdentity(name), n))
	return n
}

func (h *harness) call(t *testing.T, name string, fn func(ctx *sim.Ctx) error) error {
	t.Helper()
	var err error
	require.NoError(t, h.sys.Invoke(wire.NSDOMIdentity(name), func(ctx *sim.Ctx) { err = fn(ctx) }))
	return err
}

func (h *harness) state(t *testing.T, name string, n *identity.NSDOMIdentity) string {
	t.Helper()
	var s string
	require.NoError(t, h.sys.Invoke(wire.NSDOMIdentity(name), func(*sim.Ctx) { s = n.State() }))
	return s
}

func (h *harness) run(t *testing.T) {
	t.Helper()
	require.NoError(t, h.sys.RunUntilIdle())
}

func (h *harness) notes(from sim.Addr) []string {
	var out []string
	for _, e := range h.sys.Trace() {
		if e.Kind == sim.KindNote && e.From == from {
			out = append(out, e.Name)
		}
	}
	return out
}

func fxaWatch(log *[]string) identity.WatchOptions {
	return identity.WatchOptions{
		WantIssuer: wire.WantIssuerFxA,
		OnLogin:    func(a string) { *log = append(*log, "onlogin "+a) },
		OnLogout:   func() { *log = append(*log, "onlogout") },
		OnReady:    func() { *log = append(*log, "onready") },
		OnError:    func(s string) { *log = append(*log, "onerror "+s) },
	}
}

func names(ms []sim.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}
