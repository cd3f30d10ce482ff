package trace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
)

// fakeLibrary stands in for package scenarios: one scenario whose run is the
// hand-built part I trace; broken simulates a behaviour change.
type fakeLibrary struct {
	broken bool
	seeds  []uint64
}

const fakeSource = "name: watch\naccounts:\n  - email: alice@example.com\n    password: correct horse battery\n"

func (f *fakeLibrary) lib() Library {
	return Library{
		Names: func() []string { return []string{"watch"} },
		Load: func(name string) (string, []byte, error) {
			if name != "watch" {
				return "", nil, fmt.Errorf("no scenario %q", name)
			}
			return "scenarios/watch.yaml", []byte(fakeSource), nil
		},
		Run: func(name string, source []byte, seed uint64, era string, rec sim.Recorder) (uint64, string, error) {
			if !strings.HasPrefix(string(source), "name: watch\n") {
				return 0, "", errors.New("not the watch scenario")
			}
			f.seeds = append(f.seeds, seed)
			evs := tracetest.SignedOutWatch()
			if f.broken {
				evs[8].Name = wire.DoLogin
			}
			for _, e := range evs {
				rec.Record(e)
			}
			if seed == 0 {
				seed = 3
			}
			if era == "" {
				era = "2015"
			}
			return seed, era, nil
		},
	}
}

func TestRecordReplayAndTheMaskedHeader(t *testing.T) {
	fake := &fakeLibrary{}
	lib := fake.lib()
	lib.Version = "9.9.9"
	tr, err := lib.Record("watch")
	require.NoError(t, err)
	require.Equal(t, uint64(3), tr.Header.Seed)
	require.Equal(t, "9.9.9", tr.Header.Version, "the library's version is the header's")
	require.Equal(t, "name: watch\naccounts:\n  - email: alice@example.com\n    password: pw1xxxxxxxxxxxxxxxxxx\n", tr.Header.Source)

	path := filepath.Join(t.TempDir(), "watch.trace.jsonl")
	require.NoError(t, WriteFile(path, tr))
	read, err := lib.TraceFor(path)
	require.NoError(t, err)
	require.Equal(t, tr.Header, read.Header)

	diff, _, err := lib.Replay(read)
	require.NoError(t, err)
	require.Nil(t, diff)
	require.Equal(t, []uint64{0, 3}, fake.seeds, "replay runs with the recorded seed")

	fake.broken = true
	diff, _, err = lib.Replay(read)
	require.NoError(t, err)
	require.NotNil(t, diff)
	require.True(t, strings.HasPrefix(diff.String(), "replay diverges from the recording at event 9 (seq 9, T+0s)\n"), diff.String())
	require.Contains(t, diff.String(), "  first difference in name:\n    recorded \"doLogout\"\n    replayed \"doLogin\"\n")

	_, err = Library{}.Record("watch")
	require.ErrorIs(t, err, ErrNoLibrary)
	_, err = lib.TraceFor("nope")
	require.EqualError(t, err, `no scenario "nope"`)
	notTrace := filepath.Join(t.TempDir(), "x.jsonl")
	require.NoError(t, os.WriteFile(notTrace, []byte("name: x\n"), 0o644))
	_, err = ReadFile(notTrace)
	require.ErrorIs(t, err, ErrNotATrace)
	require.True(t, strings.HasPrefix(err.Error(), notTrace+": not a mozidsim trace: "), err)
}
