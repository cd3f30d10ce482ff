package explain

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/trace"
)

// TestMermaidRendersWithTheRealCLI draws the sequence diagram of every shipped
// scenario's golden trace (../../scenarios/testdata/golden: package scenarios owns
// them, since this package cannot import it) and every state machine with
// @mermaid-js/mermaid-cli in Debian's chromium (testdata/render.sh). It needs
// node, npm and chromium, so it runs only when MOZIDSIM_MERMAID=1 (CI sets it:
// `.ci/mermaid` installs both). PNGs go to $MOZIDSIM_MERMAID_OUT when
// set, so a person can look at them.
func TestMermaidRendersWithTheRealCLI(t *testing.T) {
	if os.Getenv("MOZIDSIM_MERMAID") != "1" {
		t.Skip("set MOZIDSIM_MERMAID=1 to render the diagrams with the Mermaid CLI (needs npm and chromium)")
	}
	goldens, err := filepath.Glob(filepath.Join("..", "..", "scenarios", "testdata", "golden", "*.trace.jsonl"))
	require.NoError(t, err)
	// MOZIDSIM_MERMAID_SCENARIOS (comma-separated names) draws only those: CI
	// draws a few large and small ones, since every extra diagram is another
	// chance for headless chromium to hang.
	if only := os.Getenv("MOZIDSIM_MERMAID_SCENARIOS"); only != "" {
		want := map[string]bool{}
		for _, name := range strings.Split(only, ",") {
			want[strings.TrimSpace(name)] = true
		}
		var picked []string
		for _, g := range goldens {
			if want[strings.TrimSuffix(filepath.Base(g), ".trace.jsonl")] {
				picked = append(picked, g)
			}
		}
		require.Len(t, picked, len(want), "MOZIDSIM_MERMAID_SCENARIOS=%s names a scenario with no golden trace", only)
		goldens = picked
	}
	require.GreaterOrEqual(t, len(goldens), 3, "at least three scenarios must be drawn")

	src := t.TempDir()
	out := os.Getenv("MOZIDSIM_MERMAID_OUT")
	if out == "" {
		out = t.TempDir()
	}
	var files []string
	for _, g := range goldens {
		tr, err := trace.ReadFile(g)
		require.NoError(t, err)
		name := strings.TrimSuffix(filepath.Base(g), ".trace.jsonl")
		f := filepath.Join(src, name+".mmd")
		require.NoError(t, os.WriteFile(f, []byte(MermaidLines(tr.Lines)), 0o644))
		files = append(files, f)
	}
	machines, err := StateMachines()
	require.NoError(t, err)
	for _, m := range machines {
		f := filepath.Join(src, "state-"+m.Name+".mmd")
		require.NoError(t, os.WriteFile(f, []byte(m.Mermaid), 0o644))
		files = append(files, f)
	}

	printed, stderr, err := render(out, files...)
	require.NoError(t, err, "mmdc refused a diagram:\n%s", stderr)
	pngs := strings.Fields(printed)
	require.Len(t, pngs, len(files))
	for i, p := range pngs {
		require.Equal(t, strings.TrimSuffix(filepath.Base(files[i]), ".mmd")+".png", filepath.Base(p))
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")), "%s is not a PNG", p)
		require.Greater(t, len(b), 5000, "%s is suspiciously small for a diagram", p)
	}
	t.Logf("rendered %d diagrams (%d scenarios, %d state machines) into %s", len(pngs), len(goldens), len(machines), out)

	// The check has teeth: one diagram Mermaid cannot parse fails the batch and
	// the error shows the offending line.
	bad := filepath.Join(src, "bad.mmd")
	require.NoError(t, os.WriteFile(bad, []byte("sequenceDiagram\n    A1->>A2: fine\n    A2-->>: no target\n"), 0o644))
	_, stderr, err = render(t.TempDir(), files[0], bad)
	require.Error(t, err, "mmdc accepted a broken diagram")
	require.Contains(t, stderr, "Parse error on line 3")
}

// render runs testdata/render.sh and returns what it printed (one PNG per line)
// and its standard error.
func render(out string, files ...string) (string, string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("sh", append([]string{filepath.Join("testdata", "render.sh"), out}, files...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}
