package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
)

// Format names this trace format and its version. A reader refuses any other
// value, so a change to what lines mean must bump it.
const Format = "mozidsim-trace/1"

// Version is this mozidsim's release, for headers of traces written by code
// that has no version of its own to name (the public phone API). A constant:
// the CLI passes its version explicitly (Library.Version).
const Version = "0.1.0"

// ErrNotATrace is returned for a file whose first line is not a trace header:
// typically a scenario file given where a recorded trace was expected.
var ErrNotATrace = errors.New(`not a mozidsim trace: a trace's first line is its JSON header {"format":"mozidsim-trace/1",...}; ` +
	"record one with `mozidsim run --record FILE.trace.jsonl SCENARIO`, or run a scenario file with `mozidsim run FILE.yaml`")

// Header is a trace file's first line: enough to re-run the scenario.
type Header struct {
	Format   string // always Format
	Version  string // the mozidsim that wrote the trace
	Scenario string // the scenario's name
	File     string // the file it came from ("" when not from a file)
	Seed     uint64 // the seed the run used
	// Era is the software generation the run simulated ("2014", "2015"; "" in
	// a trace that is not a scenario run, and in traces written before eras:
	// both mean era.Default).
	Era   string
	Start time.Time // the virtual clock's start
	// Source is the scenario file's text with every password replaced by a
	// placeholder of the same length (MaskSource): the run it gives is the same.
	Source string
}

// Line is one event of a trace: a message hop, a timer, a call into a page's API,
// a callback a page received, a note an actor logged, a dropped message or a fault.
type Line struct {
	Seq     uint64
	At      time.Duration // virtual time since the start
	Kind    string        // sim.Kind's name: hop, timer, callback, call, note, dropped, fault
	From    string
	To      string
	Name    string
	Payload any // a trace value (see Object): secrets masked, tokens decoded
}

// Trace is a whole trace file.
type Trace struct {
	Header Header
	Lines  []Line
}

// Encode turns a run's events into lines (one Encoder, so roles are numbered
// across the whole run).
func Encode(start time.Time, events []sim.Event) []Line {
	enc := NewEncoder(start)
	lines := make([]Line, len(events))
	for i, ev := range events {
		lines[i] = enc.Line(ev)
	}
	return lines
}

// MarshalHeader renders the header line (without the newline).
func MarshalHeader(h Header) (string, error) {
	start := h.Start
	if start.IsZero() {
		start = sim.Epoch
	}
	format := h.Format
	if format == "" {
		format = Format
	}
	head := Object{
		{"format", format},
		{"mozidsim", h.Version},
		{"scenario", h.Scenario},
		{"file", h.File},
		{"seed", json.Number(strconv.FormatUint(h.Seed, 10))},
	}
	if h.Era != "" {
		head = append(head, Member{"era", h.Era})
	}
	return marshalValue(append(head,
		Member{"start", start.UTC().Format(time.RFC3339Nano)},
		Member{"source", h.Source},
	))
}

// MarshalLine renders one event line (without the newline). Member order is fixed:
// seq, at, kind, from, to, name, payload.
func MarshalLine(l Line) (string, error) {
	return marshalValue(Object{
		{"seq", json.Number(strconv.FormatUint(l.Seq, 10))},
		{"at", l.At.String()},
		{"kind", l.Kind},
		{"from", l.From},
		{"to", l.To},
		{"name", l.Name},
		{"payload", l.Payload},
	})
}

// WriteJSONL writes a header line and then one line per event, encoding the
// events (masking secrets, decoding assertions) on the way.
func WriteJSONL(w io.Writer, h Header, events []sim.Event) error {
	return WriteLines(w, h, Encode(h.Start, events))
}

// WriteLines writes an already encoded trace.
func WriteLines(w io.Writer, h Header, lines []Line) error {
	bw := bufio.NewWriter(w)
	head, err := MarshalHeader(h)
	if err != nil {
		return err
	}
	if err := fits(head); err != nil {
		return fmt.Errorf("trace: header (it holds the scenario source): %w", err)
	}
	bw.WriteString(head)
	bw.WriteByte('\n')
	for _, l := range lines {
		s, err := MarshalLine(l)
		if err != nil {
			return fmt.Errorf("trace: event %d: %w", l.Seq, err)
		}
		if err := fits(s); err != nil {
			return fmt.Errorf("trace: event %d (%s %s): %w", l.Seq, l.Kind, l.Name, err)
		}
		bw.WriteString(s)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// maxLine bounds one line of a trace file (a scenario source or a payload),
// newline included.
const maxLine = 8 << 20

// fits refuses a line ReadJSONL would not read back: a trace written is a
// trace that replays.
func fits(line string) error {
	if len(line)+1 > maxLine {
		return fmt.Errorf("its line would be %d bytes, more than the %d a trace reader accepts", len(line)+1, maxLine)
	}
	return nil
}

// ReadJSONL reads a trace file. Errors name the line and what was wrong.
func ReadJSONL(r io.Reader) (Trace, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var t Trace
	n := 0
	for sc.Scan() {
		n++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		v, err := parseValue(raw)
		if n == 1 {
			if _, isObj := v.(Object); err != nil || !isObj {
				return Trace{}, ErrNotATrace
			}
		}
		if err != nil {
			var probe any
			if jerr := json.Unmarshal(raw, &probe); jerr != nil {
				err = jerr // encoding/json says where and what
			}
			return Trace{}, fmt.Errorf("trace line %d: not JSON: %w", n, err)
		}
		obj, ok := v.(Object)
		if !ok {
			return Trace{}, fmt.Errorf("trace line %d: not a JSON object", n)
		}
		if n == 1 {
			if t.Header, err = parseHeader(obj); err != nil {
				return Trace{}, fmt.Errorf("trace line 1 (header): %w", err)
			}
			continue
		}
		l, err := parseLine(obj)
		if err != nil {
			return Trace{}, fmt.Errorf("trace line %d: %w", n, err)
		}
		t.Lines = append(t.Lines, l)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Trace{}, fmt.Errorf("trace line %d: longer than %d bytes", n+1, maxLine)
		}
		return Trace{}, fmt.Errorf("trace: reading: %w", err)
	}
	if n == 0 {
		return Trace{}, errors.New("trace: empty file (no header line)")
	}
	return t, nil
}

func parseHeader(o Object) (Header, error) {
	var h Header
	var err error
	if h.Format, err = stringMember(o, "format"); err != nil {
		return h, err
	}
	if h.Format != Format {
		return h, fmt.Errorf("format is %q; this mozidsim reads %q", h.Format, Format)
	}
	if h.Version, err = stringMember(o, "mozidsim"); err != nil {
		return h, err
	}
	if h.Scenario, err = stringMember(o, "scenario"); err != nil {
		return h, err
	}
	if h.File, err = stringMember(o, "file"); err != nil {
		return h, err
	}
	if h.Seed, err = uintMember(o, "seed"); err != nil {
		return h, err
	}
	if _, has := o.Get("era"); has {
		if h.Era, err = stringMember(o, "era"); err != nil {
			return h, err
		}
		if _, perr := era.Parse(h.Era); perr != nil {
			return h, perr
		}
	}
	start, err := stringMember(o, "start")
	if err != nil {
		return h, err
	}
	if h.Start, err = time.Parse(time.RFC3339Nano, start); err != nil {
		return h, fmt.Errorf("start %q is not an RFC 3339 time", start)
	}
	if h.Source, err = stringMember(o, "source"); err != nil {
		return h, err
	}
	return h, nil
}

func parseLine(o Object) (Line, error) {
	var l Line
	var err error
	if l.Seq, err = uintMember(o, "seq"); err != nil {
		return l, err
	}
	at, err := stringMember(o, "at")
	if err != nil {
		return l, err
	}
	if l.At, err = time.ParseDuration(at); err != nil {
		return l, fmt.Errorf("at %q is not a duration", at)
	}
	if l.Kind, err = stringMember(o, "kind"); err != nil {
		return l, err
	}
	if !knownKind(l.Kind) {
		return l, fmt.Errorf("kind %q is not one of hop, timer, callback, call, note, dropped, fault", l.Kind)
	}
	if l.From, err = stringMember(o, "from"); err != nil {
		return l, err
	}
	if l.To, err = stringMember(o, "to"); err != nil {
		return l, err
	}
	if l.Name, err = stringMember(o, "name"); err != nil {
		return l, err
	}
	p, ok := o.Get("payload")
	if !ok {
		return l, errors.New(`missing "payload"`)
	}
	l.Payload = p
	return l, nil
}

func knownKind(k string) bool {
	for kind := sim.KindHop; kind <= sim.KindFault; kind++ {
		if kind.String() == k {
			return true
		}
	}
	return false
}

func stringMember(o Object, key string) (string, error) {
	v, ok := o.Get(key)
	if !ok {
		return "", fmt.Errorf("missing %q", key)
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%q is not a string", key)
	}
	return s, nil
}

func uintMember(o Object, key string) (uint64, error) {
	v, ok := o.Get(key)
	if !ok {
		return 0, fmt.Errorf("missing %q", key)
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%q is not a number", key)
	}
	u, err := strconv.ParseUint(string(n), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a non-negative integer: %s", key, n)
	}
	return u, nil
}

// Title names a trace's run for people: the scenario and its era.
func (h Header) Title() string {
	name := h.Scenario
	if name == "" {
		name = "mozidsim run"
	}
	return name + " (era " + era.Of(era.Era(h.Era)).String() + ")"
}
