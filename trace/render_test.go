package trace

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMermaidRendersWithTheRealCLI draws every golden trace's sequence diagram
// and every state machine with @mermaid-js/mermaid-cli in Debian's chromium
// (testdata/render.sh). It needs node, npm and chromium, so it runs only when
// MOZIDSIM_MERMAID=1 (CI sets it: .work/teach-ci.sh). PNGs go to
// $MOZIDSIM_MERMAID_OUT when set, so a person can look at them.
func TestMermaidRendersWithTheRealCLI(t *testing.T) {
	if os.Getenv("MOZIDSIM_MERMAID") != "1" {
		t.Skip("set MOZIDSIM_MERMAID=1 to render the diagrams with the Mermaid CLI (needs npm and chromium)")
	}
	goldens, err := filepath.Glob(filepath.Join("testdata", "golden", "*.trace.jsonl"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(goldens), 3, "at least three scenarios must be drawn")

	src := t.TempDir()
	out := os.Getenv("MOZIDSIM_MERMAID_OUT")
	if out == "" {
		out = t.TempDir()
	}
	var files []string
	for _, g := range goldens {
		tr, err := readTraceFile(g)
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

	var stderr bytes.Buffer
	cmd := exec.Command("sh", append([]string{filepath.Join("testdata", "render.sh"), out}, files...)...)
	cmd.Stderr = &stderr
	printed, err := cmd.Output()
	require.NoError(t, err, "mmdc refused a diagram:\n%s", stderr.String())
	pngs := strings.Fields(string(printed))
	require.Len(t, pngs, len(files))
	for _, p := range pngs {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")), "%s is not a PNG", p)
		require.Greater(t, len(b), 5000, "%s is suspiciously small for a diagram", p)
	}
	t.Logf("rendered %d diagrams into %s", len(pngs), out)
}
