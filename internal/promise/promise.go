// Package promise gives actors the promise chains the historic JavaScript components
// were written with: an actor sends a call carrying an id, keeps a continuation under
// that id, and runs it when "<method>:resolved" or "<method>:rejected" comes back.
// The continuation runs on the actor's own goroutine, like a .then() on the JS thread.
package promise

import (
	"strings"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Then is a continuation: ok reports resolution, value is the value or the reason.
type Then func(ctx *sim.Ctx, ok bool, value any)

// Calls tracks one actor's outstanding calls. The zero value is ready to use.
type Calls struct {
	next    uint64
	pending map[uint64]Then
}

// Call sends method to the actor at to, with the payload build returns for the new
// call id, and remembers then for the answer.
func (c *Calls) Call(ctx *sim.Ctx, to sim.Addr, method string, build func(id uint64) any, then Then) uint64 {
	c.next++
	id := c.next
	if c.pending == nil {
		c.pending = make(map[uint64]Then)
	}
	c.pending[id] = then
	ctx.Send(to, method, build(id))
	return id
}

// Send is Call for a payload that carries its call id (wire.Callable): the
// payload is built at the call site, and the id filled in here.
func (c *Calls) Send(ctx *sim.Ctx, to sim.Addr, method string, payload wire.Callable, then Then) uint64 {
	return c.Call(ctx, to, method, payload.WithCall, then)
}

// Pending reports how many calls await an answer.
func (c *Calls) Pending() int { return len(c.pending) }

// Settle runs the continuation an answer belongs to. It reports false when m is not
// an answer to one of this actor's calls (the caller handles it as a normal message).
func (c *Calls) Settle(ctx *sim.Ctx, m sim.Message) bool {
	var (
		id    uint64
		ok    bool
		value any
	)
	switch p := m.Payload.(type) {
	case wire.Resolved:
		if !strings.HasSuffix(m.Name, wire.ResolvedSuffix) {
			return false
		}
		id, ok, value = p.Call, true, p.Value
	case wire.Rejected:
		if !strings.HasSuffix(m.Name, wire.RejectedSuffix) {
			return false
		}
		id, ok, value = p.Call, false, p.Reason
	default:
		return false
	}
	then, found := c.pending[id]
	if !found {
		ctx.Record(sim.KindNote, ctx.Self(), "unexpected answer", m.Name)
		return true
	}
	delete(c.pending, id)
	then(ctx, ok, value)
	return true
}

// Resolve answers a call.
func Resolve(ctx *sim.Ctx, to sim.Addr, method string, call uint64, value any) {
	ctx.Send(to, wire.ResolvedName(method), wire.Resolved{Call: call, Value: value})
}

// Reject fails a call.
func Reject(ctx *sim.Ctx, to sim.Addr, method string, call uint64, reason any) {
	ctx.Send(to, wire.RejectedName(method), wire.Rejected{Call: call, Reason: reason})
}
