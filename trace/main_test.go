package trace

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
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
			evs := signedOutWatch()
			if f.broken {
				evs[8].Name = wire.DoLogin
			}
			for _, e := range evs {
				rec.Record(e)
			}
			if seed == 0 {
				seed = 3
			}
			return seed, "2015", nil
		},
	}
}

func withLibrary(t *testing.T, l Library) {
	t.Helper()
	saved := Scenarios
	Scenarios = l
	t.Cleanup(func() { Scenarios = saved })
}

func TestRecordReplayAndTheMaskedHeader(t *testing.T) {
	fake := &fakeLibrary{}
	withLibrary(t, fake.lib())
	tr, err := Scenarios.Record("watch")
	require.NoError(t, err)
	require.Equal(t, uint64(3), tr.Header.Seed)
	require.Equal(t, "name: watch\naccounts:\n  - email: alice@example.com\n    password: pw1xxxxxxxxxxxxxxxxxx\n", tr.Header.Source)

	path := filepath.Join(t.TempDir(), "watch.trace.jsonl")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, WriteLines(f, tr.Header, tr.Lines))
	require.NoError(t, f.Close())

	var out, errOut bytes.Buffer
	require.Equal(t, ExitOK, ReplayMain([]string{path}, &out, &errOut), errOut.String())
	require.Equal(t, "PASS "+path+" (scenario watch, 14 events)\n", out.String())
	require.Equal(t, []uint64{0, 3}, fake.seeds, "replay runs with the recorded seed")

	fake.broken = true
	out.Reset()
	require.Equal(t, ExitDiff, ReplayMain([]string{path}, &out, &errOut))
	require.True(t, strings.HasPrefix(out.String(), "FAIL "+path+" (scenario watch, seed 3)\nreplay diverges from the recording at event 9 (seq 9, T+0s)\n"), out.String())
	require.Contains(t, out.String(), "  first difference in name:\n    recorded \"doLogout\"\n    replayed \"doLogin\"\n")
}

func TestReplayMainErrors(t *testing.T) {
	withLibrary(t, (&fakeLibrary{}).lib())
	var out, errOut bytes.Buffer
	require.Equal(t, ExitError, ReplayMain(nil, &out, &errOut))
	require.Contains(t, errOut.String(), "usage: mozidsim replay")

	errOut.Reset()
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	require.Equal(t, ExitError, ReplayMain([]string{missing}, &out, &errOut))
	require.Equal(t, "replay: open "+missing+": no such file or directory\n", errOut.String())

	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(`{"format":"other"}`+"\n"), 0o644))
	errOut.Reset()
	require.Equal(t, ExitError, ReplayMain([]string{bad}, &out, &errOut))
	require.Equal(t, "replay: "+bad+": trace line 1 (header): format is \"other\"; this mozidsim reads \"mozidsim-trace/1\"\n", errOut.String())

	withLibrary(t, Library{})
	good := filepath.Join(t.TempDir(), "good.jsonl")
	require.NoError(t, os.WriteFile(good, []byte(`{"format":"mozidsim-trace/1","mozidsim":"0.1.0","scenario":"s","file":"","seed":1,"start":"2015-06-01T12:00:00Z","source":""}`+"\n"), 0o644))
	errOut.Reset()
	require.Equal(t, ExitError, ReplayMain([]string{good}, &out, &errOut))
	require.Equal(t, "replay "+good+": trace: no scenario library wired (set trace.Scenarios)\n", errOut.String())
}

func TestExplainMain(t *testing.T) {
	withLibrary(t, (&fakeLibrary{}).lib())
	var out, errOut bytes.Buffer
	require.Equal(t, ExitOK, ExplainMain([]string{"watch"}, strings.NewReader(""), &out, &errOut), errOut.String())
	require.True(t, strings.HasPrefix(out.String(), "watch (era 2015): 13 steps (tags are the seed's steps"), out.String())
	require.Contains(t, out.String(), "\n7. I.6 FxAccountsManager.getAssertion → FirefoxAccounts.watch: getAssertion:resolved {value:null}\n"+
		"   services/fxaccounts/FxAccountsManager.jsm\n"+
		"   Nobody is logged in and {silent: true} forbids the UI, so getAssertion resolves null instead of opening the sign-in dialog.\n")

	// --step after the name: two Enters, then q.
	out.Reset()
	require.Equal(t, ExitOK, ExplainMain([]string{"watch", "--step"}, strings.NewReader("\n\nq\n"), &out, &errOut))
	require.Equal(t, 3, strings.Count(out.String(), "-- Enter: next, q: quit -- "))
	require.Contains(t, out.String(), "\n3. I.4 ")
	require.NotContains(t, out.String(), "\n4. I.5 ")

	// Input ends: the rest is shown without waiting.
	out.Reset()
	require.Equal(t, ExitOK, ExplainMain([]string{"--step", "watch"}, strings.NewReader("\n"), &out, &errOut))
	require.Equal(t, 2, strings.Count(out.String(), "-- Enter"))
	require.Contains(t, out.String(), "\n13. I.8 ")

	md := filepath.Join(t.TempDir(), "watch.md")
	require.Equal(t, ExitOK, ExplainMain([]string{"--markdown", md, "watch"}, nil, &out, &errOut))
	doc, err := os.ReadFile(md)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(doc), "# watch\n"))
	require.Contains(t, string(doc), "```mermaid\nsequenceDiagram\n    autonumber\n")
	require.Contains(t, string(doc), "7. **I.6** FxAccountsManager.getAssertion → FirefoxAccounts.watch: `getAssertion:resolved` `{value:null}`  \n   *services/fxaccounts/FxAccountsManager.jsm*  \n")

	errOut.Reset()
	require.Equal(t, ExitError, ExplainMain([]string{"nope"}, nil, &out, &errOut))
	require.Equal(t, "explain: no scenario \"nope\"\n", errOut.String())
}

func TestDiagramMain(t *testing.T) {
	withLibrary(t, (&fakeLibrary{}).lib())
	var out, errOut bytes.Buffer
	require.Equal(t, ExitOK, DiagramMain([]string{"watch"}, &out, &errOut), errOut.String())
	require.Equal(t, "---\ntitle: watch (era 2015)\n---\n"+Mermaid(signedOutWatch()), out.String(), "titled with the scenario and its era")

	dir := t.TempDir()
	require.Equal(t, ExitOK, DiagramMain([]string{"--states", "-o", dir}, &out, &errOut), errOut.String())
	machines, err := StateMachines()
	require.NoError(t, err)
	for _, m := range machines {
		b, err := os.ReadFile(filepath.Join(dir, m.Name+".mmd"))
		require.NoError(t, err)
		require.Equal(t, m.Mermaid, string(b))
	}
	out.Reset()
	require.Equal(t, ExitOK, DiagramMain([]string{"--states"}, &out, &errOut))
	require.Equal(t, StateDiagrams(), out.String())

	errOut.Reset()
	require.Equal(t, ExitError, DiagramMain([]string{"--states", "watch"}, &out, &errOut))
	require.Contains(t, errOut.String(), "usage: mozidsim diagram")
}
