package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type echo struct{ got []string }

func (e *echo) Receive(ctx *Ctx, m Message) {
	e.got = append(e.got, m.Name)
	if m.Name == "ping" {
		ctx.Send(m.From, "pong", nil)
	}
}

func TestDeliveryOrderAndTrace(t *testing.T) {
	s := New(Options{Seed: 1})
	defer s.Close()
	a, b := &echo{}, &echo{}
	require.NoError(t, s.Spawn("a", a))
	require.NoError(t, s.Spawn("b", b))
	require.NoError(t, s.Send(Message{Name: "ping", From: "a", To: "b"}))
	require.NoError(t, s.Send(Message{Name: "ping", From: "b", To: "a"}))
	require.NoError(t, s.RunUntilIdle())
	require.Equal(t, []string{"ping", "pong"}, a.got)
	require.Equal(t, []string{"ping", "pong"}, b.got)
	var lines []string
	for _, e := range s.Trace() {
		lines = append(lines, string(e.From)+">"+string(e.To)+":"+e.Name)
	}
	require.Equal(t, []string{"a>b:ping", "b>a:ping", "b>a:pong", "a>b:pong"}, lines)
}

type ticker struct{ fired []time.Duration }

func (tk *ticker) Start(ctx *Ctx) {
	ctx.After(10*time.Second, "tick", 10)
	id := ctx.After(5*time.Second, "tick", 5)
	ctx.After(5*time.Second, "tick", 55)
	ctx.CancelTimer(id)
}
func (tk *ticker) Receive(ctx *Ctx, m Message) {
	tk.fired = append(tk.fired, ctx.Now().Sub(Epoch))
}

func TestVirtualTimersFireInOrderOnlyWhenAdvanced(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	tk := &ticker{}
	require.NoError(t, s.Spawn("t", tk))
	require.NoError(t, s.RunUntilIdle())
	require.Empty(t, tk.fired)
	next, ok := s.NextTimer()
	require.True(t, ok)
	require.Equal(t, 5*time.Second, next)
	require.NoError(t, s.Advance(7*time.Second))
	require.Equal(t, []time.Duration{5 * time.Second}, tk.fired)
	require.NoError(t, s.Advance(time.Hour))
	require.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second}, tk.fired)
	require.Equal(t, Epoch.Add(time.Hour+7*time.Second), s.Now())
	require.Error(t, s.Advance(-time.Second))
}

func TestInvokeRunsSynchronouslyAndInlineFromOwnCallbacks(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	var steps []string
	var reenter func()
	h := HandlerFunc(func(ctx *Ctx, m Message) {
		steps = append(steps, "recv "+m.Name)
		reenter()
	})
	require.NoError(t, s.Spawn("page", h))
	reenter = func() {
		require.NoError(t, s.Invoke("page", func(ctx *Ctx) { steps = append(steps, "inline") }))
	}
	require.NoError(t, s.Invoke("page", func(ctx *Ctx) {
		steps = append(steps, "invoke")
		ctx.Send("page", "later", nil)
	}))
	require.Equal(t, []string{"invoke"}, steps, "sends from Invoke are only queued")
	require.NoError(t, s.RunUntilIdle())
	require.Equal(t, []string{"invoke", "recv later", "inline"}, steps)
}

func TestInvokeFromAnotherActorIsRefused(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	var err error
	require.NoError(t, s.Spawn("other", HandlerFunc(func(ctx *Ctx, m Message) {})))
	require.NoError(t, s.Spawn("a", HandlerFunc(func(ctx *Ctx, m Message) {
		err = s.Invoke("other", func(*Ctx) {})
	})))
	require.NoError(t, s.Send(Message{Name: "go", To: "a"}))
	require.NoError(t, s.RunUntilIdle())
	require.EqualError(t, err, `sim: other called while the system is running another actor (a); call it from the driver or from its own callbacks`)
}

func TestLivelockIsAnError(t *testing.T) {
	s := New(Options{MaxDeliveries: 100})
	defer s.Close()
	require.NoError(t, s.Spawn("loop", HandlerFunc(func(ctx *Ctx, m Message) { ctx.Send("loop", "again", nil) })))
	require.NoError(t, s.Send(Message{Name: "again", To: "loop"}))
	require.EqualError(t, s.RunUntilIdle(), `sim: not idle after 100 deliveries; a loop between actors? next message loop -> loop "again"`)
}

func TestPanicIsRecordedAndSystemCarriesOn(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	n := 0
	require.NoError(t, s.Spawn("p", HandlerFunc(func(ctx *Ctx, m Message) {
		n++
		if m.Name == "boom" {
			panic("bad payload")
		}
	})))
	require.NoError(t, s.Send(Message{Name: "boom", To: "p"}))
	require.NoError(t, s.Send(Message{Name: "fine", To: "p"}))
	require.NoError(t, s.RunUntilIdle())
	require.Equal(t, 2, n)
	require.Len(t, s.Faults(), 1)
	require.EqualError(t, s.Faults()[0], `sim: actor p panicked handling "boom": bad payload`)
}

func TestExitAndDroppedMessages(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	require.NoError(t, s.Spawn("x", HandlerFunc(func(ctx *Ctx, m Message) { ctx.Exit() })))
	require.NoError(t, s.Send(Message{Name: "bye", To: "x"}))
	require.NoError(t, s.Send(Message{Name: "late", To: "x"}))
	require.NoError(t, s.RunUntilIdle())
	require.False(t, s.Has("x"))
	tr := s.Trace()
	require.Equal(t, KindDropped, tr[len(tr)-1].Kind)
	require.Equal(t, "late", tr[len(tr)-1].Name)
}

func TestSeededUUIDsRepeat(t *testing.T) {
	a, b := New(Options{Seed: 7}), New(Options{Seed: 7})
	require.Equal(t, a.UUID(), b.UUID())
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a.UUID())
	require.NotEqual(t, New(Options{Seed: 8}).UUID(), New(Options{Seed: 7}).UUID())
}

func BenchmarkHop(b *testing.B) {
	s := New(Options{NoTrace: true})
	defer s.Close()
	_ = s.Spawn("a", HandlerFunc(func(ctx *Ctx, m Message) {}))
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Send(Message{Name: "m", To: "a"})
		_ = s.RunUntilIdle()
	}
}

func TestMemRecorderSinceCrossesChunks(t *testing.T) {
	var r MemRecorder
	for i := 0; i < 3*recorderChunk+5; i++ {
		r.Record(Event{Seq: uint64(i)})
	}
	require.Equal(t, 3*recorderChunk+5, r.Len())
	for _, from := range []int{0, 1, recorderChunk - 1, recorderChunk, 2*recorderChunk + 7, 3*recorderChunk + 5} {
		got := r.Since(from)
		require.Len(t, got, 3*recorderChunk+5-from)
		for j, e := range got {
			require.Equal(t, uint64(from+j), e.Seq)
		}
	}
}

// farTimer sets a timer as far ahead as time.Duration goes.
type farTimer struct{ fired int }

func (f *farTimer) Start(ctx *Ctx)              { ctx.After(time.Duration(1<<63-1), "far", nil) }
func (f *farTimer) Receive(ctx *Ctx, m Message) { f.fired++ }

// Issue 15: repeated advances past ~292 years wrapped time.Duration and the
// clock ran backwards. It now stops at MaxElapsed with an error saying so, and a
// timer beyond that never fires (it used to wrap to the past and fire at once).
func TestVirtualClockRefusesToOverflow(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	far := &farTimer{}
	require.NoError(t, s.Spawn("far", far))
	year := 365 * 24 * time.Hour
	require.NoError(t, s.Advance(time.Second))
	require.NoError(t, s.Advance(MaxElapsed-2*time.Second))
	require.NoError(t, s.Advance(time.Second))
	require.Equal(t, Epoch.Add(MaxElapsed), s.Now())
	require.EqualError(t, s.Advance(time.Nanosecond), "sim: cannot advance by 1ns: the virtual clock is 876000h0m0s past its start and stops at 876000h0m0s (100 years)")
	require.EqualError(t, s.Advance(200*year), "sim: cannot advance by 1752000h0m0s: the virtual clock is 876000h0m0s past its start and stops at 876000h0m0s (100 years)")
	require.Equal(t, Epoch.Add(MaxElapsed), s.Now(), "a refused advance leaves the clock alone")
	require.Zero(t, far.fired)

	s2 := New(Options{})
	defer s2.Close()
	for i := 0; i < 3; i++ {
		err := s2.Advance(time.Duration(1<<63 - 1))
		require.ErrorContains(t, err, "stops at 876000h0m0s (100 years)")
		require.False(t, s2.Now().Before(Epoch), "time never runs backwards")
	}
}
