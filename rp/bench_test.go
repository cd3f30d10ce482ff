package rp_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

// liveBytes is what the process holds after collection: heap objects plus
// goroutine stacks (every page is an actor with its own goroutine).
func liveBytes() (heap, stack uint64) {
	var ms runtime.MemStats
	for i := 0; i < 3; i++ { // later cycles also shrink idle stacks
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, ms.StackInuse
}

// BenchmarkIdleWatchingPageMemory opens 10,000 pages that each watch and reach
// onready (a stub service keeps one flow per window, as FirefoxAccounts.jsm does,
// and answers doLogout+doReady), then reports what one idle watching page costs
// across the whole system: its actor and goroutine, its FSM, its rp.Page and log,
// DOMIdentity's context and the service's flow. The trace is off (NoTrace): it
// is a log that grows with every event, not page state.
func BenchmarkIdleWatchingPageMemory(b *testing.B) {
	const pages = 10_000
	var perPage, stackPerPage float64
	for i := 0; i < b.N; i++ {
		sys := sim.New(sim.Options{Seed: 1, NoTrace: true})
		flows := map[string]wire.RPMessage{}
		require.NoError(b, sys.Spawn(wire.DOMIdentity, identity.NewDOMIdentity()))
		require.NoError(b, sys.Spawn(wire.MinimalIdentity, identity.NewMinimalIdentity()))
		require.NoError(b, sys.Spawn(wire.FirefoxAccounts, sim.HandlerFunc(func(ctx *sim.Ctx, m sim.Message) {
			if m.Name != wire.RPWatch {
				return
			}
			msg := m.Payload.(wire.RPMessage)
			flows[msg.ID] = msg
			ctx.Send(wire.DOMIdentity, wire.DoLogout, wire.RPCallback{ID: msg.ID})
			ctx.Send(wire.DOMIdentity, wire.DoReady, wire.RPCallback{ID: msg.ID})
		})))
		require.NoError(b, sys.RunUntilIdle())

		heap0, stack0 := liveBytes()
		open := make([]*rp.Page, pages)
		for j := range open {
			p, err := rp.Open(sys, rp.App{Name: fmt.Sprintf("app%05d", j), Origin: fmt.Sprintf("app://app%05d.example.com", j), Status: wire.AppCertified, AppID: j})
			require.NoError(b, err)
			require.NoError(b, p.Watch(rp.WatchOptions{
				WantIssuer: wire.WantIssuerFxA,
				OnLogin:    func(string) {}, OnLogout: func() {}, OnReady: func() {},
			}))
			open[j] = p
		}
		require.NoError(b, sys.RunUntilIdle())
		heap1, stack1 := liveBytes()

		b.StopTimer()
		require.Len(b, flows, pages)
		require.Equal(b, []string{"onlogout", "onready"}, open[pages-1].Lines())
		perPage = float64(heap1+stack1-heap0-stack0) / pages
		stackPerPage = float64(stack1-stack0) / pages
		runtime.KeepAlive(open)
		require.NoError(b, sys.Close())
		b.StartTimer()
	}
	b.ReportMetric(perPage, "B/page")
	b.ReportMetric(stackPerPage, "stackB/page")
}
