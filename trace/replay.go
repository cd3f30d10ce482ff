package trace

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/internal/sim"
)

// Library is how this package reaches the scenario library (package scenarios)
// without importing it: the scenarios package imports the actors, and the CLI
// passes scenarios.TraceLibrary(version) to whatever needs it.
type Library struct {
	// Version is the mozidsim version written into the headers of recorded traces.
	Version string
	// Names lists the shipped scenarios, in the order `mozidsim list` shows them.
	Names func() []string
	// Load returns a scenario's file name and text. name is a shipped scenario's
	// name or a path to a scenario file.
	Load func(name string) (file string, source []byte, err error)
	// Run parses source as the scenario called name and runs it, sending every
	// event to rec. seed 0 means the scenario's own seed; era "" the scenario's
	// own era (or the default), and a scenario that names its era keeps it. Run
	// returns the seed and era it used. Unmet expectations inside the scenario
	// are not an error here: the run still happened and its trace is what it is.
	Run func(name string, source []byte, seed uint64, era string, rec sim.Recorder) (usedSeed uint64, usedEra string, err error)
}

// ErrNoLibrary means a Library without its functions was used.
var ErrNoLibrary = errors.New("trace: no scenario library (Load and Run are nil)")

func (l Library) ready() error {
	if l.Load == nil || l.Run == nil {
		return ErrNoLibrary
	}
	return nil
}

// Record loads a scenario from the library, runs it and returns its trace.
func (l Library) Record(name string) (Trace, error) {
	if err := l.ready(); err != nil {
		return Trace{}, err
	}
	file, source, err := l.Load(name)
	if err != nil {
		return Trace{}, err
	}
	return l.RecordSource(name, file, source, 0, "")
}

// RecordSource runs a scenario's text and returns its trace; the header carries
// the text with its passwords masked (MaskSource) and the era the run used.
// era "" is the scenario's own era; a scenario without one runs in era.
func (l Library) RecordSource(name, file string, source []byte, seed uint64, era string) (Trace, error) {
	if err := l.ready(); err != nil {
		return Trace{}, err
	}
	rec := &sim.MemRecorder{}
	used, usedEra, err := l.Run(name, source, seed, era, rec)
	if err != nil {
		return Trace{}, fmt.Errorf("running scenario %s: %w", name, err)
	}
	t := NewTrace(name, file, source, used, rec.Events())
	t.Header.Version = l.Version
	t.Header.Era = usedEra
	return t, nil
}

// TraceFor reads a recorded trace (a .jsonl file) or records a run of a
// scenario (a shipped name or a scenario file).
func (l Library) TraceFor(arg string) (Trace, error) {
	if strings.HasSuffix(arg, ".jsonl") {
		return ReadFile(arg)
	}
	return l.Record(arg)
}

// NewTrace builds the trace of a finished run: the encoded events and a header
// whose scenario text has every password the run carried masked and no prose
// (WithoutProse: the run does not depend on it). The header's Version is left
// for the caller (the mozidsim that writes the file).
func NewTrace(name, file string, source []byte, seed uint64, events []sim.Event) Trace {
	enc := NewEncoder(sim.Epoch)
	lines := make([]Line, len(events))
	for i, ev := range events {
		lines[i] = enc.Line(ev)
	}
	return Trace{
		Header: Header{
			Format:   Format,
			Scenario: name,
			File:     file,
			Seed:     seed,
			Start:    sim.Epoch,
			Source:   MaskSource(WithoutProse(source), enc.Passwords()),
		},
		Lines: lines,
	}
}

// Passwords returns the clear passwords this encoder has masked so far.
func (e *Encoder) Passwords() []string {
	var out []string
	for clear := range e.roles[RolePassword] {
		out = append(out, clear)
	}
	sort.Strings(out)
	return out
}

// Replay re-runs the scenario a trace's header carries, with its seed, and
// compares the new run with the recording. It returns the first difference (nil
// when the runs agree) and the new trace.
func (l Library) Replay(recorded Trace) (*Diff, Trace, error) {
	h := recorded.Header
	if err := l.ready(); err != nil {
		return nil, Trace{}, err
	}
	if !h.Start.IsZero() && !h.Start.Equal(sim.Epoch) {
		return nil, Trace{}, fmt.Errorf("trace starts its clock at %s; this mozidsim always starts at %s", h.Start.Format(time.RFC3339), sim.Epoch.Format(time.RFC3339))
	}
	got, err := l.RecordSource(h.Scenario, h.File, []byte(h.Source), h.Seed, h.Era)
	if err != nil {
		return nil, Trace{}, err
	}
	return Compare(recorded.Lines, got.Lines), got, nil
}
