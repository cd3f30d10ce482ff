package scenarios

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// envelopeCheck is a recorder that sends every message of a run through the
// socket envelope and keeps those that did not come back as the same value.
type envelopeCheck struct {
	codec *wire.Codec
	mu    sync.Mutex
	n     int
	names map[string]bool
	fails []string
}

func (r *envelopeCheck) Record(e sim.Event) {
	if e.Kind != sim.KindHop && e.Kind != sim.KindDropped {
		return // timers, notes, calls and callbacks never cross a socket
	}
	m := sim.Message{Name: e.Name, From: e.From, To: e.To, Payload: e.Payload}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.names[e.Name] = true
	data, err := r.codec.EncodeMessage(m)
	if err != nil {
		r.fails = append(r.fails, err.Error())
		return
	}
	back, err := r.codec.DecodeMessage(data)
	if err != nil {
		r.fails = append(r.fails, fmt.Sprintf("%v\n\tenvelope: %s", err, data))
		return
	}
	// require.Equal's own comparison (reflect.DeepEqual, types included).
	if !assert.ObjectsAreEqual(m, back) {
		r.fails = append(r.fails, fmt.Sprintf("%s: %#v\n\tcame back as %#v\n\tenvelope: %s", m.Name, m.Payload, back.Payload, data))
	}
}

// TestEnvelopeRoundTrip runs every shipped scenario in both eras and requires
// every message its actors sent to come back from the envelope as the same
// Go value: a payload holding a type the phone's codec does not know fails here.
func TestEnvelopeRoundTrip(t *testing.T) {
	codec, err := device.Codec()
	require.NoError(t, err)
	lib, err := Library()
	require.NoError(t, err)
	// A scenario written for one era may stop early in the other (a step that
	// finds no dialog): the messages sent until then must round-trip all the
	// same. The runs the goldens record must complete.
	mustComplete := map[goldenRun]bool{}
	for _, g := range goldenRuns(lib) {
		mustComplete[g] = true
	}
	total, runs, stopped := 0, 0, 0
	names := map[string]bool{}
	for _, s := range lib {
		for _, e := range era.All {
			src, err := s.Source()
			require.NoError(t, err)
			sc, err := Parse(s.File, src)
			require.NoError(t, err)
			rec := &envelopeCheck{codec: codec, names: names}
			_, err = Run(sc, Options{Recorder: rec, Era: e})
			if mustComplete[goldenRun{s, e}] {
				require.NoError(t, err, "%s@%s", s.Name, e)
			} else if err != nil {
				stopped++
			}
			require.Empty(t, rec.fails, "%s@%s: messages that did not round-trip", s.Name, e)
			require.NotZero(t, rec.n, "%s@%s sent no message", s.Name, e)
			total += rec.n
			runs++
		}
	}
	t.Logf("%d messages (%d names) of %d scenario runs (%d scenarios x %d eras; %d stopped early outside their era) round-tripped", total, len(names), runs, len(lib), len(era.All), stopped)
}
