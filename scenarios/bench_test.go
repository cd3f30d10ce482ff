package scenarios

import (
	"sync/atomic"
	"testing"

	"github.com/mozidsim/mozidsim/internal/sim"
)

// BenchmarkLibraryInParallelWorlds runs the whole shipped library over and over,
// each scenario in a world of its own, on as many goroutines as -cpu allows:
// worlds share nothing, so throughput should grow with cores.
//
//	go test -run XXX -bench LibraryInParallelWorlds -cpu 1,2 ./scenarios
func BenchmarkLibraryInParallelWorlds(b *testing.B) {
	lib, err := Library()
	if err != nil {
		b.Fatal(err)
	}
	var parsed []*Scenario
	for _, s := range lib {
		file, src, err := Load(s.Name)
		if err != nil {
			b.Fatal(err)
		}
		sc, err := Parse(file, src)
		if err != nil {
			b.Fatal(err)
		}
		parsed = append(parsed, sc)
	}
	var next atomic.Int64
	b.ResetTimer()
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
}

// discard records nothing: the benchmark measures the worlds, not the trace.
type discard struct{}

func (discard) Record(sim.Event) {}
