package trace

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
)

func TestJSONLRoundTrip(t *testing.T) {
	evs := append(tracetest.SignedOutWatch(), tracetest.SignedInRequest(t)...)
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
		evs[i].At = time.Duration(i) * time.Second
	}
	h := Header{Version: "9.9.9", Scenario: "round-trip", File: "scenarios/round-trip.yaml", Seed: 42, Source: "name: round-trip\n"}
	var first bytes.Buffer
	require.NoError(t, WriteJSONL(&first, h, evs))

	read, err := ReadJSONL(bytes.NewReader(first.Bytes()))
	require.NoError(t, err)
	require.Equal(t, Header{Format: Format, Version: "9.9.9", Scenario: "round-trip", File: "scenarios/round-trip.yaml", Seed: 42, Start: sim.Epoch, Source: "name: round-trip\n"}, read.Header)
	require.Len(t, read.Lines, len(evs))
	require.Nil(t, Compare(Encode(sim.Epoch, evs), read.Lines))

	var second bytes.Buffer
	require.NoError(t, WriteLines(&second, read.Header, read.Lines))
	require.Equal(t, first.String(), second.String(), "writing what was read gives the same bytes")

	header, _, _ := strings.Cut(first.String(), "\n")
	require.Equal(t, `{"format":"mozidsim-trace/1","mozidsim":"9.9.9","scenario":"round-trip","file":"scenarios/round-trip.yaml","seed":42,"start":"2015-06-01T12:00:00Z","source":"name: round-trip\n"}`, header)
}

func TestReadJSONLNamesWhatIsWrong(t *testing.T) {
	good := `{"format":"mozidsim-trace/1","mozidsim":"0.1.0","scenario":"s","file":"","seed":1,"start":"2015-06-01T12:00:00Z","source":""}`
	line := `{"seq":1,"at":"0s","kind":"hop","from":"a","to":"b","name":"n","payload":null}`
	for _, tc := range []struct{ name, in, err string }{
		{"empty", "", "trace: empty file (no header line)"},
		{"not json", "{nope", ErrNotATrace.Error()},
		{"array", "[]", ErrNotATrace.Error()},
		{"a scenario file", "name: request-sign-in\nabout: x\n", ErrNotATrace.Error()},
		{"other format", strings.Replace(good, "mozidsim-trace/1", "mozidsim-trace/9", 1), `trace line 1 (header): format is "mozidsim-trace/9"; this mozidsim reads "mozidsim-trace/1"`},
		{"no seed", strings.Replace(good, `"seed":1,`, "", 1), `trace line 1 (header): missing "seed"`},
		{"negative seed", strings.Replace(good, `"seed":1`, `"seed":-1`, 1), `trace line 1 (header): "seed" is not a non-negative integer: -1`},
		{"bad start", strings.Replace(good, "2015-06-01T12:00:00Z", "yesterday", 1), `trace line 1 (header): start "yesterday" is not an RFC 3339 time`},
		{"bad kind", good + "\n" + strings.Replace(line, `"hop"`, `"teleport"`, 1), `trace line 2: kind "teleport" is not one of hop, timer, callback, call, note, dropped, fault`},
		{"bad at", good + "\n" + strings.Replace(line, `"0s"`, `"soon"`, 1), `trace line 2: at "soon" is not a duration`},
		{"no payload", good + "\n" + strings.Replace(line, `,"payload":null`, "", 1), `trace line 2: missing "payload"`},
		{"name not string", good + "\n" + strings.Replace(line, `"name":"n"`, `"name":3`, 1), `trace line 2: "name" is not a string`},
		{"trailing", good + "\n" + line + " {}", "trace line 2: not JSON: invalid character '{' after top-level value"},
		{"too deep", good + "\n" + strings.Replace(line, "null", strings.Repeat("[", 100)+strings.Repeat("]", 100), 1), "trace line 2: not JSON: JSON nested deeper than 64 levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadJSONL(strings.NewReader(tc.in))
			require.EqualError(t, err, tc.err)
		})
	}
	tr, err := ReadJSONL(strings.NewReader(good + "\n\n" + line + "\n"))
	require.NoError(t, err, "blank lines are skipped")
	require.Len(t, tr.Lines, 1)
}

// A trace that is written can be read back: a line longer than the reader's
// limit is refused at writing (issue 15: --record wrote traces replay refused).
func TestWriteRefusesLinesTheReaderWouldNot(t *testing.T) {
	h := Header{Scenario: "big", Start: sim.Epoch, Version: Version}
	fixed := func(src string) int {
		h.Source = src
		head, err := MarshalHeader(h)
		require.NoError(t, err)
		return len(head)
	}
	overhead := fixed("")
	h.Source = strings.Repeat("x", maxLine-1-overhead) // the longest header the reader takes
	var buf bytes.Buffer
	require.NoError(t, WriteLines(&buf, h, nil))
	read, err := ReadJSONL(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	require.Equal(t, h.Source, read.Header.Source)

	h.Source += "x"
	buf.Reset()
	err = WriteLines(&buf, h, nil)
	require.EqualError(t, err, "trace: header (it holds the scenario source): its line would be 8388609 bytes, more than the 8388608 a trace reader accepts")

	h.Source = ""
	big := Line{Seq: 7, Kind: "hop", Name: "huge", Payload: strings.Repeat("y", maxLine)}
	err = WriteLines(&buf, h, []Line{big})
	require.ErrorContains(t, err, "trace: event 7 (hop huge): its line would be ")
}
