package gaia

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	alice     = "alice@example.com" // registered, verified
	bob       = "bob@example.com"   // registered, not verified
	newcomer  = "new@example.com"   // not registered
	alicePass = "correct horse"
	bobPass   = "bob's password"
)

type account struct {
	password string
	verified bool
}

// harness runs the Gaia actors with stubs for Gecko's FxAccountsUIGlue (it
// records the content events) and FxAccountsMgmtService (a tiny account store
// answering the way FxAccountsManager.jsm does through MgmtService).
type harness struct {
	t        testing.TB
	sys      *sim.System
	gaia     *Gaia
	rp       []wire.RPContentEvent
	mgmt     []wire.ContentEvent
	accounts map[string]account
	// override answers a content event instead of the store when it returns true.
	override func(ev wire.ContentEvent) (wire.MgmtChromeEvent, bool)
	hold     bool          // keep answers until release
	held     []sim.Message // answers kept back
	// wantFaults are the faults a test provokes on purpose (refused payloads).
	wantFaults []string
}

func newHarness(t testing.TB, opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t, sys: simtest.New(t, 7, nil), accounts: map[string]account{
		alice: {password: alicePass, verified: true},
		bob:   {password: bobPass, verified: false},
	}}
	t.Cleanup(func() {
		require.Equal(t, h.wantFaults, simtest.Faults(h.sys), "no actor panicked or refused a payload unexpectedly")
	})
	g, err := Spawn(h.sys, opts...)
	require.NoError(t, err)
	h.gaia = g
	require.NoError(t, h.sys.Spawn(wire.FxAccountsUIGlue, sim.HandlerFunc(func(ctx *sim.Ctx, m sim.Message) {
		// Stubs panic on surprises (recorded as faults, checked at cleanup):
		// require must not run on an actor goroutine.
		if m.Name != wire.MozFxAccountsRPContentEvent {
			panic("glue got " + m.Name)
		}
		h.rp = append(h.rp, m.Payload.(wire.RPContentEvent))
	})))
	require.NoError(t, h.sys.Spawn(wire.FxAccountsMgmtService, sim.HandlerFunc(func(ctx *sim.Ctx, m sim.Message) {
		if m.Name != wire.MozFxAccountsContentEvent {
			panic("mgmt got " + m.Name)
		}
		ev := m.Payload.(wire.ContentEvent)
		h.mgmt = append(h.mgmt, ev)
		reply, ok := wire.MgmtChromeEvent{}, false
		if h.override != nil {
			reply, ok = h.override(ev)
		}
		if !ok {
			reply = h.answer(ev)
		}
		reply.ID = ev.ID
		out := sim.Message{Name: wire.MozFxAccountsChromeEvent, From: wire.FxAccountsMgmtService, To: m.From, Payload: reply}
		if h.hold {
			h.held = append(h.held, out)
			return
		}
		ctx.Send(out.To, out.Name, out.Payload)
	})))
	return h
}

func data(v any) wire.MgmtChromeEvent    { return wire.MgmtChromeEvent{Data: v} }
func failure(v any) wire.MgmtChromeEvent { return wire.MgmtChromeEvent{Error: v, HasError: true} }
func user(email string, verified bool) wire.Obj {
	return wire.O("email", email, "verified", verified)
}

func (h *harness) answer(ev wire.ContentEvent) wire.MgmtChromeEvent {
	acct, exists := h.accounts[ev.Email]
	switch ev.Method {
	case "queryAccount":
		return data(wire.O("registered", exists))
	case "signIn":
		switch {
		case !exists:
			return failure(&wire.FxAError{Error: "ACCOUNT_DOES_NOT_EXIST "}) // Gecko's trailing space
		case acct.password != ev.Password:
			return failure(&wire.FxAError{Error: "INVALID_PASSWORD"})
		}
		return data(wire.O("user", user(ev.Email, acct.verified)))
	case "signUp":
		if exists {
			return failure(&wire.FxAError{Error: "ACCOUNT_ALREADY_EXISTS"})
		}
		h.accounts[ev.Email] = account{password: ev.Password}
		return data(wire.O("accountCreated", true, "user", user(ev.Email, false)))
	case "logout":
		return data(nil)
	}
	return failure(&wire.FxAError{Error: "UNKNOWN_METHOD"})
}

func (h *harness) run() { h.t.Helper(); require.NoError(h.t, h.sys.RunUntilIdle()) }

func (h *harness) send(from, to sim.Addr, name string, payload any) {
	h.t.Helper()
	require.NoError(h.t, h.sys.Send(sim.Message{Name: name, From: from, To: to, Payload: payload}))
	h.run()
}

// chrome sends Gecko's mozFxAccountsUnsolChromeEvent to fxa_manager.js.
func (h *harness) chrome(ev wire.UnsolChromeEvent) {
	h.t.Helper()
	h.send(wire.FxAccountsUIGlue, wire.SystemFxAccountsManager, wire.MozFxAccountsUnsolChromeEvent, ev)
}

func (h *harness) openFlow(id string) {
	h.t.Helper()
	h.chrome(wire.UnsolChromeEvent{EventName: wire.EventOpenFlow, ID: id})
}

// user acts in the dialog: buttons carry no payload, fields a wire.UserInput.
func (h *harness) user(action, value string) {
	h.t.Helper()
	payload := wire.UserInput{Value: value}
	to := wire.FxAModule
	if action == wire.UserHome || action == wire.UserHoldHome {
		to = wire.SystemDialogManager
	}
	h.send(wire.User, to, action, payload)
}

func (h *harness) release() {
	h.t.Helper()
	held := h.held
	h.held, h.hold = nil, false
	for _, m := range held {
		require.NoError(h.t, h.sys.Send(m))
	}
	h.run()
}

func (h *harness) state() ModuleState {
	h.t.Helper()
	st, ok, err := h.gaia.DialogState()
	require.NoError(h.t, err)
	require.True(h.t, ok, "a dialog is open")
	return st
}

func (h *harness) requireClosed() {
	h.t.Helper()
	_, ok, err := h.gaia.DialogState()
	require.NoError(h.t, err)
	require.False(h.t, ok, "no dialog is open")
	require.False(h.t, h.sys.Has(wire.FxAModule), "the module iframe is gone")
}

// notes are the note events an actor recorded, as "name" or "name: payload".
func (h *harness) notes(from sim.Addr) []string {
	var out []string
	for _, e := range h.sys.Trace() {
		if e.Kind != sim.KindNote || e.From != from {
			continue
		}
		line := e.Name
		if e.Payload != nil {
			s, err := wire.JSONStringify(e.Payload)
			require.NoError(h.t, err)
			line += ": " + s
		}
		out = append(out, line)
	}
	return out
}

// screens is the screen sequence the user saw.
func (h *harness) screens() []string {
	var out []string
	for _, e := range h.sys.Trace() {
		if e.Kind == sim.KindNote && e.From == wire.FxAModule && strings.HasPrefix(e.Name, "screen ") {
			out = append(out, strings.TrimPrefix(e.Name, "screen "))
		}
	}
	return out
}

// hops lists the delivered messages from the seq-th trace event on, as "from>to:name".
func (h *harness) hops(since int) []string {
	var out []string
	for _, e := range h.sys.Trace()[since:] {
		if e.Kind == sim.KindHop {
			out = append(out, string(e.From)+">"+string(e.To)+":"+e.Name)
		}
	}
	return out
}

func (h *harness) mark() int { return len(h.sys.Trace()) }

func (h *harness) close() { h.t.Helper(); require.NoError(h.t, h.sys.Close()) }

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	s, err := wire.JSONStringify(v)
	require.NoError(t, err)
	return s
}

// signIn walks the existing-user path up to the password screen's answer.
func (h *harness) signIn(email, password string) {
	h.t.Helper()
	h.user(wire.UserTypeEmail, email)
	h.user(wire.UserNext, "")
	h.user(wire.UserTypePassword, password)
	h.user(wire.UserNext, "")
}
