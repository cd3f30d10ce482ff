package device

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

// The targets, measured (never asserted): ≥ 50,000 signed-out watch flows
// per second; a signed-in watch ≤ 1.5× one bare DS128 assertion signature; ≤ 16 KiB
// per idle watching page.

func watchOnce(b *testing.B, d *Device, i int) {
	p, err := d.Open(rp.App{Name: fmt.Sprint("app", i), Origin: "https://shop.example.com", Status: wire.AppCertified})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Watch(fxaWatch()); err != nil {
		b.Fatal(err)
	}
	if err := d.RunUntilIdle(); err != nil {
		b.Fatal(err)
	}
	if err := d.ClosePage(fmt.Sprint("app", i)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSignedOutWatch: one page opens, watches (onlogout, onready) and closes,
// in each era.
func BenchmarkSignedOutWatch(b *testing.B) {
	for _, e := range era.All {
		for _, traced := range []bool{false, true} {
			b.Run(fmt.Sprintf("era=%s/trace=%v", e, traced), func(b *testing.B) {
				d := newDevice(b, Config{Seed: 1, NoTrace: !traced, Era: e})
				b.ReportAllocs()
				i := 0
				cpu0 := processCPU()
				for b.Loop() {
					watchOnce(b, d, i)
					i++
				}
				// CPU time (the GC's included) is what the trace costs; on a
				// shared machine wall time mostly measures the neighbours.
				b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
			})
		}
	}
}

// processCPU is the process's user+system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSignedOutWatchTraceRatio runs the flow on an untraced and a traced
// phone in alternation, timing each, and reports the traced/untraced ratio:
// on a shared machine the load hits both halves alike, so the ratio holds
// where two separate sub-benchmarks would each catch a different load.
func BenchmarkSignedOutWatchTraceRatio(b *testing.B) {
	plain := newDevice(b, Config{Seed: 1, NoTrace: true})
	traced := newDevice(b, Config{Seed: 1})
	var off, on time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		watchOnce(b, plain, i)
		t1 := time.Now()
		watchOnce(b, traced, i)
		on += time.Since(t1)
		off += t1.Sub(t0)
		i++
	}
	b.ReportMetric(float64(off.Nanoseconds())/float64(b.N), "untraced-ns/flow")
	b.ReportMetric(float64(on.Nanoseconds())/float64(b.N), "traced-ns/flow")
	b.ReportMetric(float64(on)/float64(off), "traced/untraced")
}

// BenchmarkSignedInWatch compares a signed-in watch (warm key and certificate:
// onlogin with a fresh assertion, onready) with one bare DS128 signature, in the
// same run.
func BenchmarkSignedInWatch(b *testing.B) {
	b.Run("bare-DS128-assertion", func(b *testing.B) {
		key, err := browserid.GenerateDSAKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		exp := time.Now().Add(time.Hour)
		for b.Loop() {
			if _, err := browserid.SignAssertion(key, "https://shop.example.com", exp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("signed-in-watch", func(b *testing.B) {
		d := newDevice(b, Config{Seed: 1, User: alice, NoTrace: true})
		watchOnce(b, d, -1) // warm the key pair and certificate
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			watchOnce(b, d, i)
			i++
		}
	})
}

// BenchmarkIdleWatchingPages opens 10,000 pages that all watch and stay open.
func BenchmarkIdleWatchingPages(b *testing.B) {
	const pages = 10_000
	for b.Loop() {
		b.StopTimer()
		d := newDevice(b, Config{Seed: 1, NoTrace: true})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for i := 0; i < pages; i++ {
			p, err := d.Open(rp.App{Name: fmt.Sprint("app", i), Origin: fmt.Sprintf("https://app%d.example.com", i), Status: wire.AppCertified})
			if err != nil {
				b.Fatal(err)
			}
			if err := p.Watch(fxaWatch()); err != nil {
				b.Fatal(err)
			}
		}
		if err := d.RunUntilIdle(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		inUse := float64(after.HeapInuse+after.StackInuse) - float64(before.HeapInuse+before.StackInuse)
		b.ReportMetric(inUse/pages, "B/page")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
		runtime.KeepAlive(d)
		b.StartTimer()
	}
}
