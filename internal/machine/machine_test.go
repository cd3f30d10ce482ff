package machine

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/looplab/fsm"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// door is a small machine with a self-transition (knock on a closed door).
func door(p Policy) Spec {
	return Spec{
		Name: "test-door", Title: "A door", File: "door.js", Initial: "closed", Refused: p,
		Events: []Event{
			{Name: "open", From: []string{"closed"}, To: "open"},
			{Name: "close", From: []string{"open"}, To: "closed"},
			{Name: "knock", From: []string{"closed"}, To: "closed"},
		},
	}
}

func mustCompile(t *testing.T, s Spec) *Table {
	t.Helper()
	tb, err := Compile(s)
	require.NoError(t, err)
	return tb
}

func TestFireMovesAndSelfTransitionIsNotAnError(t *testing.T) {
	m := mustCompile(t, door(Fault)).New()
	require.Equal(t, "closed", m.Current())
	// looplab returns NoTransitionError for src == dst even though it accepted the event.
	require.NoError(t, m.Fire(nil, "knock"))
	require.Equal(t, "closed", m.Current())
	require.NoError(t, m.Fire(nil, "open"))
	require.True(t, m.Is("open"))
	require.False(t, m.Can("open"))
	require.True(t, m.Can("close"))
}

// record runs fire inside an actor and returns the notes and faults it left.
func record(t *testing.T, fire func(ctx *sim.Ctx)) (notes, faults []string) {
	t.Helper()
	s := sim.New(sim.Options{Seed: 1})
	defer s.Close()
	require.NoError(t, s.Spawn("door", sim.HandlerFunc(func(ctx *sim.Ctx, _ sim.Message) { fire(ctx) })))
	require.NoError(t, s.Send(sim.Message{From: "test", To: "door", Name: "go"}))
	require.NoError(t, s.RunUntilIdle())
	for _, e := range s.Trace() {
		switch e.Kind {
		case sim.KindNote:
			notes = append(notes, e.Name+": "+e.Payload.(string))
		case sim.KindFault:
			faults = append(faults, e.Payload.(string))
		}
	}
	return notes, faults
}

func TestStayKeepsTheStateSilentlyButNotesAMisspeltEvent(t *testing.T) {
	m := mustCompile(t, door(Stay)).New()
	var errs []error
	notes, faults := record(t, func(ctx *sim.Ctx) {
		errs = append(errs, m.Fire(ctx, "close"), m.Fire(ctx, "clsoe"))
	})
	require.Equal(t, "closed", m.Current())
	require.NoError(t, errs[0])
	require.Equal(t, fsm.UnknownEventError{Event: "clsoe"}, errs[1])
	require.Equal(t, []string{"state machine test-door refused clsoe: event clsoe does not exist"}, notes)
	require.Empty(t, faults)
}

func TestNoteRecordsAndReturnsTheRefusal(t *testing.T) {
	m := mustCompile(t, door(Note)).New()
	var err error
	notes, faults := record(t, func(ctx *sim.Ctx) { err = m.Fire(ctx, "close") })
	var invalid fsm.InvalidEventError
	require.True(t, errors.As(err, &invalid))
	require.Equal(t, fsm.InvalidEventError{Event: "close", State: "closed"}, invalid)
	require.Equal(t, []string{"state machine test-door refused close: event close inappropriate in current state closed"}, notes)
	require.Empty(t, faults)
	require.Equal(t, "closed", m.Current())
}

func TestFaultPanicsAndTheSimulatorRecordsAFault(t *testing.T) {
	m := mustCompile(t, door(Fault)).New()
	notes, faults := record(t, func(ctx *sim.Ctx) { _ = m.Fire(ctx, "close") })
	require.Empty(t, notes)
	require.Equal(t, []string{`sim: actor door panicked handling "go": state machine test-door: event "close" in state "closed": event close inappropriate in current state closed`}, faults)
}

func TestCompileRefusesBadSpecs(t *testing.T) {
	cases := map[string]struct {
		edit func(*Spec)
		want string
	}{
		"no name":        {func(s *Spec) { s.Name = "" }, "state machine: empty name"},
		"name style":     {func(s *Spec) { s.Name = "Test_Door" }, `state machine "Test_Door": the name must be lower-case words joined by '-'`},
		"no file":        {func(s *Spec) { s.File = "" }, `state machine "test-door": no historic file`},
		"no initial":     {func(s *Spec) { s.Initial = "" }, `state machine "test-door": no initial state`},
		"no events":      {func(s *Spec) { s.Events = nil }, `state machine "test-door": no events`},
		"no policy":      {func(s *Spec) { s.Refused = 0 }, `state machine "test-door": refused-event policy Policy(0) is not Stay, Note or Fault`},
		"empty row":      {func(s *Spec) { s.Events[1].From = nil }, `state machine "test-door": row 2 ("close"): a row needs an event, at least one source state and a destination`},
		"empty source":   {func(s *Spec) { s.Events[0].From = []string{""} }, `state machine "test-door": row 1 ("open"): empty source state`},
		"ambiguous row":  {func(s *Spec) { s.Events = append(s.Events, Event{Name: "open", From: []string{"closed"}, To: "ajar"}) }, `state machine "test-door": row 4 ("open"): from "closed" already goes to "open"`},
		"unreachable":    {func(s *Spec) { s.Events[1].From = []string{"open", "locked"} }, `state machine "test-door": row "close" leaves state "locked", which no row enters and is not the initial state`},
		"initial typo":   {func(s *Spec) { s.Initial = "clsoed" }, `state machine "test-door": no row leaves the initial state "clsoed"`},
		"name with dots": {func(s *Spec) { s.Name = "test.door" }, `state machine "test.door": the name must be lower-case words joined by '-'`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := door(Note)
			s.Events = copyEvents(s.Events)
			c.edit(&s)
			_, err := Compile(s)
			require.EqualError(t, err, c.want)
		})
	}
}

func TestTableIsACopyOfTheSpec(t *testing.T) {
	s := door(Stay)
	tb := mustCompile(t, s)
	s.Events[0].From[0] = "open" // the caller's slices no longer reach the table
	ev := tb.Events()
	ev[0].To = "ajar"
	require.Equal(t, Event{Name: "open", From: []string{"closed"}, To: "open"}, tb.Events()[0])
	m := tb.New()
	require.NoError(t, m.Fire(nil, "open"))
	require.Equal(t, "open", m.Current())
	require.True(t, tb.Knows("knock"))
	require.False(t, tb.Knows("kick"))
	require.Equal(t, "test-door", tb.Name())
	require.Equal(t, "A door", tb.Title())
	require.Equal(t, "door.js", tb.File())
	require.Equal(t, "closed", tb.Initial())
	require.Equal(t, Stay, tb.Refused())
}

func TestGetResetsARecycledMachine(t *testing.T) {
	tb := mustCompile(t, door(Stay))
	m := tb.Get()
	require.NoError(t, m.Fire(nil, "open"))
	tb.Put(m)
	for range 3 { // the pool may or may not hand the same machine back
		again := tb.Get()
		require.Equal(t, "closed", again.Current())
		require.Same(t, tb, again.Table())
		tb.Put(again)
	}
	other := mustCompile(t, door(Stay))
	tb.Put(other.New()) // a machine of another table is not taken
	require.Same(t, tb, tb.Get().Table())
}

func TestMermaidStartsAtTheInitialState(t *testing.T) {
	tb := mustCompile(t, door(Stay))
	m := tb.New()
	require.NoError(t, m.Fire(nil, "open"))
	d, err := tb.Mermaid()
	require.NoError(t, err)
	require.Equal(t, "stateDiagram-v2\n    [*] --> closed\n    closed --> closed: knock\n    closed --> open: open\n    open --> closed: close\n", d)
}

func TestRegisterRefusesADuplicateAndAllIsSorted(t *testing.T) {
	a := door(Stay)
	a.Name = "test-registry-b"
	b := door(Stay)
	b.Name = "test-registry-a"
	ta, tb := Register(a), Register(b)
	var names []string
	for _, t := range All() {
		if strings.HasPrefix(t.Name(), "test-registry-") {
			names = append(names, t.Name())
		}
	}
	require.Equal(t, []string{"test-registry-a", "test-registry-b"}, names)
	require.Equal(t, []*Table{tb, ta}, All())
	require.PanicsWithValue(t, `state machine "test-registry-a" registered twice`, func() { Register(b) })
	bad := door(Stay)
	bad.Name = ""
	require.PanicsWithError(t, "state machine: empty name", func() { Register(bad) })
	require.Len(t, All(), 2) // the refused ones were not added
}

// TestMachinesOfOneTableRunInParallel: a table is shared by many actors'
// goroutines (the race detector checks the pool and the shared rows).
func TestMachinesOfOneTableRunInParallel(t *testing.T) {
	tb := mustCompile(t, door(Stay))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				m := tb.Get()
				if m.Fire(nil, "open") != nil || m.Fire(nil, "close") != nil || m.Current() != "closed" {
					t.Error("a machine did not open and close")
				}
				tb.Put(m)
			}
		})
	}
	wg.Wait()
}

// BenchmarkFire is a page's life: take a machine, two events, give it back.
func BenchmarkFire(b *testing.B) {
	tb, err := Compile(door(Stay))
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		m := tb.Get()
		_ = m.Fire(nil, "open")
		_ = m.Fire(nil, "close")
		_ = m.Fire(nil, "close") // no row: stays
		tb.Put(m)
	}
}

// TestStayRefusalDoesNotAllocate: pages see events with no row routinely
// (onlogin while watching), so that path must cost nothing.
func TestStayRefusalDoesNotAllocate(t *testing.T) {
	m := mustCompile(t, door(Stay)).New()
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = m.Fire(nil, "close") }))
}
