package explain

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/trace"
)

// TestDocsAreCurrent: the teaching documents in docs/ are what explain and
// diagram make of the golden traces today, so a learner never reads a flow that
// the simulator no longer has. (The PNGs are drawn from the .mmd files checked
// here.)
func TestDocsAreCurrent(t *testing.T) {
	const fix = "docs/ is stale: run sh docs/diagrams.sh (after go test ./scenarios -run Golden -update) and commit docs/"
	for _, name := range []string{"request-sign-in", "watch-signed-out"} {
		tr, err := trace.ReadFile(filepath.Join("..", "..", "scenarios", "testdata", "golden", name+".trace.jsonl"))
		require.NoError(t, err)
		requireFile(t, filepath.Join("..", "..", "docs", name+".md"), Markdown(tr), fix)
		requireFile(t, filepath.Join("..", "..", "docs", name+".mmd"), MermaidLines(tr.Lines), fix)
		_, err = os.Stat(filepath.Join("..", "..", "docs", name+".png"))
		require.NoError(t, err, fix)
	}
	machines, err := StateMachines()
	require.NoError(t, err)
	requireFile(t, filepath.Join("..", "..", "docs", "states.md"), StateDiagramsMarkdown(machines), fix)
}

func requireFile(t *testing.T, path, want, fix string) {
	t.Helper()
	got, err := os.ReadFile(path)
	require.NoError(t, err, fix)
	require.Equal(t, want, string(got), "%s: %s", path, fix)
}
