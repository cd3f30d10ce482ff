package trace

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/mozidsim/mozidsim/internal/sim"
)

// Library is how this package reaches the scenario library (package scenarios)
// without importing it: the scenarios package imports the actors, and the CLI
// wires both together at start-up (trace.Scenarios = ...).
type Library struct {
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

// Scenarios is the library the Main functions use. It is empty until wired.
var Scenarios Library

// ErrNoLibrary means the CLI did not wire the scenario library.
var ErrNoLibrary = errors.New("trace: no scenario library wired (set trace.Scenarios)")

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
	t.Header.Era = usedEra
	return t, nil
}

// NewTrace builds the trace of a finished run: the encoded events and a header
// whose scenario text has every password the run carried masked.
func NewTrace(name, file string, source []byte, seed uint64, events []sim.Event) Trace {
	enc := NewEncoder(sim.Epoch)
	lines := make([]Line, len(events))
	for i, ev := range events {
		lines[i] = enc.Line(ev)
	}
	return Trace{
		Header: Header{
			Format:   Format,
			Version:  MozidsimVersion,
			Scenario: name,
			File:     file,
			Seed:     seed,
			Start:    sim.Epoch,
			Source:   MaskSource(source, enc.Passwords()),
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
