package scenarios

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mozidsim/mozidsim/internal/sim"
)

// BenchmarkLibraryInParallelWorlds runs the whole shipped library over and over,
// each scenario in a world of its own, on as many goroutines as -cpu allows:
// worlds share nothing, so throughput should grow with cores.
//
//	go test -run XXX -bench LibraryInParallelWorlds -cpu 1,2 ./scenarios
func BenchmarkLibraryInParallelWorlds(b *testing.B) {
	parsed := shippedOfKind(b, KindMozID) // one phone each, no sockets
	var next atomic.Int64
	b.ResetTimer()
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sc := parsed[int(next.Add(1))%len(parsed)]
			res, err := Run(sc, Options{Recorder: discard{}})
			if err != nil {
				b.Error(err)
				return
			}
			if !res.Pass() {
				b.Errorf("%s: %v", sc.Name, res.Problems)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scenarios/s")
	// CPU per scenario stays flat from -cpu 1 to 2 when worlds do not
	// contend; scenarios/s only doubles when two cores are actually free.
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-us/scenario")
}

// BenchmarkLibraryScaling measures what a second core buys, in one run: each
// iteration is a pair of rounds, the library's scenarios run on one worker at
// GOMAXPROCS 1, then the same number on two workers at GOMAXPROCS 2, and the
// pair's ratio is their throughputs'. A burst of load from elsewhere on a
// shared machine hits one pair, not the median; separate -cpu 1 and -cpu 2
// runs each catch a different load. Goal: a median of at least 1.8.
//
//	go test -run XXX -bench LibraryScaling -benchtime 7x ./scenarios
func BenchmarkLibraryScaling(b *testing.B) {
	if runtime.NumCPU() < 2 {
		b.Skip("one CPU: nothing to scale to")
	}
	parsed := shippedOfKind(b, KindMozID)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	perRound := 4 * len(parsed)
	round := func(workers int) float64 {
		runtime.GOMAXPROCS(workers)
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1); i <= int64(perRound); i = next.Add(1) {
					sc := parsed[int(i)%len(parsed)]
					res, err := Run(sc, Options{Recorder: discard{}})
					if err != nil || !res.Pass() {
						b.Errorf("%s: %v %v", sc.Name, err, res.Problems)
						return
					}
				}
			}()
		}
		wg.Wait()
		return float64(perRound) / time.Since(start).Seconds()
	}
	round(2) // warm: first runs fill caches and grow the heap
	var one, two, ratio []float64
	for b.Loop() {
		r1, r2 := round(1), round(2)
		one, two, ratio = append(one, r1), append(two, r2), append(ratio, r2/r1)
	}
	b.ReportMetric(median(one), "scenarios/s@1cpu")
	b.ReportMetric(median(two), "scenarios/s@2cpu")
	b.ReportMetric(median(ratio), "scaling")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// processCPU is the process's user+system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discard records nothing: the benchmark measures the worlds, not the trace.
type discard struct{}

func (discard) Record(sim.Event) {}

// BenchmarkContactsLibrary runs every shipped contacts scenario once per
// iteration, one after the other: each a world of internal/device phones, an
// FxA auth server and the provider on a loopback socket.
//
//	go test -run XXX -bench ContactsLibrary -benchtime 5x ./scenarios
func BenchmarkContactsLibrary(b *testing.B) {
	parsed := shippedOfKind(b, KindContacts)
	b.ResetTimer()
	cpu0 := processCPU()
	for range b.N {
		for _, sc := range parsed {
			res, err := Run(sc, Options{Recorder: discard{}})
			if err != nil {
				b.Fatal(err)
			}
			if !res.Pass() {
				b.Fatalf("%s: %v", sc.Name, res.Problems)
			}
		}
	}
	n := float64(b.N * len(parsed))
	b.ReportMetric(b.Elapsed().Seconds()*1e3/n, "ms/scenario")
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/n, "cpu-us/scenario")
}

// shippedOfKind parses the shipped scenarios of one kind.
func shippedOfKind(b *testing.B, kind string) []*Scenario {
	b.Helper()
	lib, err := Library()
	if err != nil {
		b.Fatal(err)
	}
	var parsed []*Scenario
	for _, s := range lib {
		if s.Kind != kind {
			continue
		}
		src, err := s.Source()
		if err != nil {
			b.Fatal(err)
		}
		sc, err := Parse(s.File, src)
		if err != nil {
			b.Fatal(err)
		}
		parsed = append(parsed, sc)
	}
	return parsed
}
