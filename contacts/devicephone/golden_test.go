package devicephone

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts/scenario"
	files "github.com/mozidsim/mozidsim/scenarios/contacts"
	"github.com/mozidsim/mozidsim/trace"
)

// Golden traces of the contacts scenarios, one file per phone:
// scenarios/contacts/testdata/golden/SCENARIO.PHONE.trace.jsonl, in the
// mozidsim-trace/1 format (secrets masked, keys and ids compared by role). A
// contacts world has several phones and a provider on a real socket, so these
// replay here, in go test, rather than through `mozidsim replay`, which re-runs
// mozId scenarios. Record them again after a deliberate change with
//
//	go test ./contacts/devicephone -run Golden -update
var update = flag.Bool("update", false, "rewrite the contacts golden traces that no longer match")

var goldenDir = filepath.Join("..", "..", "scenarios", "contacts", "testdata", "golden")

const regenerate = "If the change is intended, record the goldens again with\n\tgo test ./contacts/devicephone -run Golden -update\nand read `git diff scenarios/contacts/testdata/golden` before committing it."

func TestGoldenTracesOfTheContactsScenarios(t *testing.T) {
	names, err := fs.Glob(files.Files, "*.yaml")
	require.NoError(t, err)
	expected := map[string]bool{}
	for _, name := range names {
		source := shipped(t, name)
		res := run(t, name, source, Phone)
		sc, err := scenario.Parse(name, source)
		require.NoError(t, err)
		phones := make([]string, 0, len(res.Traces))
		for p := range res.Traces {
			phones = append(phones, p)
		}
		slices.Sort(phones)
		for _, p := range phones {
			base := strings.TrimSuffix(name, ".yaml") + "." + p
			file := filepath.Join(goldenDir, base+".trace.jsonl")
			expected[file] = true
			fresh := trace.NewTrace(sc.Name+"/"+p, "scenarios/contacts/"+name, source, sc.Seed, res.Traces[p])
			t.Run(base, func(t *testing.T) {
				problem := goldenProblem(t, file, fresh)
				switch {
				case problem == "":
				case *update:
					writeGolden(t, file, fresh)
					t.Logf("rewrote %s: %s", file, strings.SplitN(problem, "\n", 2)[0])
				default:
					t.Fatalf("%s\n%s", problem, regenerate)
				}
			})
		}
	}
	existing, err := filepath.Glob(filepath.Join(goldenDir, "*.trace.jsonl"))
	require.NoError(t, err)
	for _, f := range existing {
		if expected[f] {
			continue
		}
		if *update {
			require.NoError(t, os.Remove(f))
			continue
		}
		t.Errorf("%s is the golden of no shipped contacts scenario's phone: delete it (-update does)", f)
	}
	requireNoWorldsLeft(t)
}

// goldenProblem says why the recorded file no longer stands for the fresh run,
// or "".
func goldenProblem(t *testing.T, file string, fresh trace.Trace) string {
	t.Helper()
	recorded, err := trace.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("%s does not exist yet", file)
	}
	require.NoError(t, err)
	if d := trace.Compare(recorded.Lines, fresh.Lines); d != nil {
		return fmt.Sprintf("%s no longer matches the run:\n%s", file, d)
	}
	if recorded.Header.Source != fresh.Header.Source || recorded.Header.Seed != fresh.Header.Seed {
		return fmt.Sprintf("%s was recorded from another version of %s (its text or seed changed)", file, fresh.Header.File)
	}
	return ""
}

func writeGolden(t *testing.T, file string, tr trace.Trace) {
	t.Helper()
	require.NoError(t, trace.WriteFile(file, tr))
}

// A changed hop in a contacts golden is reported with the phone's file and the
// first diverging line.
func TestContactsGoldenReportsTheFirstDifference(t *testing.T) {
	const name = "first-backup.yaml"
	source := shipped(t, name)
	res := run(t, name, source, Phone)
	sc, err := scenario.Parse(name, source)
	require.NoError(t, err)
	fresh := trace.NewTrace(sc.Name+"/phone", "scenarios/contacts/"+name, source, sc.Seed, res.Traces["phone"])

	tampered := fresh
	tampered.Lines = slices.Clone(fresh.Lines)
	i := slices.IndexFunc(tampered.Lines, func(l trace.Line) bool { return l.Kind == "hop" && l.Name == "getAssertion" })
	require.GreaterOrEqual(t, i, 0, "the backup asks FxAccountsManager for an assertion")
	tampered.Lines[i].Name = "getAssertionWithUI"
	file := filepath.Join(t.TempDir(), "first-backup.phone.trace.jsonl")
	writeGolden(t, file, tampered)

	problem := goldenProblem(t, file, fresh)
	require.Contains(t, problem, file+" no longer matches the run:")
	require.Contains(t, problem, fmt.Sprintf("diverges from the recording at event %d", i+1))
	require.Contains(t, problem, "getAssertionWithUI")
	require.Empty(t, goldenProblem(t, filepath.Join(goldenDir, "first-backup.phone.trace.jsonl"), fresh))
}
