package promise

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type settled struct {
	call uint64
	ok   bool
	v    any
}

// caller makes calls to "callee" when told "go", and records how each settles.
type caller struct {
	calls Calls
	got   []settled
}

func (c *caller) Receive(ctx *sim.Ctx, m sim.Message) {
	if c.calls.Settle(ctx, m) {
		return
	}
	if m.Name == "go" {
		var id uint64
		id = c.calls.Call(ctx, "callee", "double", func(id uint64) any { return [2]any{id, m.Payload} },
			func(_ *sim.Ctx, ok bool, v any) { c.got = append(c.got, settled{id, ok, v}) })
	}
}

// callee answers double(n): resolved with 2n, rejected for negative n.
func callee(ctx *sim.Ctx, m sim.Message) {
	req := m.Payload.([2]any)
	call, n := req[0].(uint64), req[1].(int)
	if n < 0 {
		Reject(ctx, m.From, m.Name, call, "negative")
		return
	}
	Resolve(ctx, m.From, m.Name, call, 2*n)
}

// Each answer runs the continuation of its own call, once, on the caller; an
// answer nobody waits for is noted, not delivered.
func TestCallsSettleByID(t *testing.T) {
	t.Parallel()
	sys := sim.New(sim.Options{Seed: 1})
	defer sys.Close()
	c := &caller{}
	require.NoError(t, sys.Spawn("caller", c))
	require.NoError(t, sys.Spawn("callee", sim.HandlerFunc(callee)))
	for _, n := range []int{3, -1, 5} {
		require.NoError(t, sys.Send(sim.Message{Name: "go", From: "driver", To: "caller", Payload: n}))
	}
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, []settled{{1, true, 6}, {2, false, "negative"}, {3, true, 10}}, c.got)
	var pending int
	require.NoError(t, sys.Invoke("caller", func(*sim.Ctx) { pending = c.calls.Pending() }))
	require.Zero(t, pending)

	// A stray answer (an id never issued) is noted and swallowed.
	require.NoError(t, sys.Send(sim.Message{Name: wire.ResolvedName("double"), From: "callee", To: "caller", Payload: wire.Resolved{Call: 99, Value: 1}}))
	require.NoError(t, sys.RunUntilIdle())
	require.Len(t, c.got, 3)
	var noted bool
	for _, e := range sys.Trace() {
		if e.Kind == sim.KindNote && e.Name == "unexpected answer" {
			noted = true
		}
	}
	require.True(t, noted)
}

// Only "<method>:resolved"/":rejected" messages carrying the answer payloads are
// answers; anything else goes back to the actor as a normal message.
func TestSettleLeavesOtherMessagesAlone(t *testing.T) {
	t.Parallel()
	var c Calls
	for _, m := range []sim.Message{
		{Name: "double", Payload: wire.Resolved{Call: 1}},
		{Name: "double:resolved", Payload: 2},
		{Name: "double:rejected", Payload: wire.Resolved{Call: 1}},
	} {
		require.False(t, c.Settle(nil, m), m.Name)
	}
}

// Send carries a payload built at the call site: the id goes in, the rest of
// the payload is as given, and the answer settles that call.
func TestSendFillsInTheCallID(t *testing.T) {
	t.Parallel()
	var got []string
	var sent []any
	var calls Calls
	sys := sim.New(sim.Options{Seed: 1})
	defer sys.Close()
	require.NoError(t, sys.Spawn("callee", sim.HandlerFunc(func(ctx *sim.Ctx, m sim.Message) {
		sent = append(sent, m.Payload)
		c := m.Payload.(wire.EmailCall)
		Resolve(ctx, m.From, m.Name, c.Call, "hello "+c.Email)
	})))
	require.NoError(t, sys.Spawn("caller", sim.HandlerFunc(func(ctx *sim.Ctx, m sim.Message) {
		if calls.Settle(ctx, m) {
			return
		}
		calls.Send(ctx, "callee", wire.QueryAccount, wire.EmailCall{Email: m.Payload.(string)}, func(_ *sim.Ctx, ok bool, v any) {
			got = append(got, v.(string))
		})
	})))
	for _, e := range []string{"a@b.c", "d@e.f"} {
		require.NoError(t, sys.Send(sim.Message{Name: "go", From: "driver", To: "caller", Payload: e}))
	}
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, []any{wire.EmailCall{Call: 1, Email: "a@b.c"}, wire.EmailCall{Call: 2, Email: "d@e.f"}}, sent)
	require.Equal(t, []string{"hello a@b.c", "hello d@e.f"}, got)
}
