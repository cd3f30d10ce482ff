package trace

import (
	"io"
	"testing"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
)

// The cost of recording: encoding one walkthrough (27 events, one backed
// assertion decoded five times) and writing it as JSON Lines.
func BenchmarkEncodeAndWrite(b *testing.B) {
	evs := append(tracetest.SignedOutWatch(), tracetest.SignedInRequest(b)...)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSONL(io.Discard, Header{Scenario: "bench"}, evs); err != nil {
			b.Fatal(err)
		}
	}
}

// The cost of a replay's comparison, excluding the run itself.
func BenchmarkCompare(b *testing.B) {
	evs := append(tracetest.SignedOutWatch(), tracetest.SignedInRequest(b)...)
	want, got := Encode(sim.Epoch, evs), Encode(sim.Epoch, evs)
	b.ReportAllocs()
	for b.Loop() {
		if d := Compare(want, got); d != nil {
			b.Fatal(d)
		}
	}
}
