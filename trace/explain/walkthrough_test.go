package explain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/explain"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
)

// TestSeedWalkthroughsAreFullyExplained: every arrow of the seed's parts I and II
// has a seed step of its own part, a historic file and a sentence of why, and
// the steps the walkthrough names all occur.
func TestSeedWalkthroughsAreFullyExplained(t *testing.T) {
	partI := explain.Explain(tracetest.Walkthrough(t, false))
	seen := map[string]bool{}
	for _, st := range partI {
		require.True(t, st.Known && strings.HasPrefix(st.Tag, "I.") && st.File != "" && st.Why != "",
			"part I step has no explanation:\n%s", explain.FormatStep(st))
		seen[st.Tag] = true
	}
	for _, tag := range []string{"I.1", "I.3", "I.4", "I.5", "I.6", "I.7", "I.8"} {
		require.True(t, seen[tag], "no hop of part I is tagged %s", tag)
	}

	both := explain.Explain(tracetest.Walkthrough(t, true))
	require.Equal(t, len(partI), countPrefix(both[:len(partI)], "I."), "part II starts where part I ended")
	seen = map[string]bool{}
	for _, st := range both[len(partI):] {
		require.True(t, st.Known && strings.HasPrefix(st.Tag, "II.") && st.File != "" && st.Why != "",
			"part II step has no explanation:\n%s", explain.FormatStep(st))
		seen[st.Tag] = true
	}
	for _, tag := range []string{"II.1", "II.2", "II.3", "II.4", "II.5", "II.6", "II.8", "II.9", "II.10", "II.11", "II.12", "II.13", "II.14"} {
		require.True(t, seen[tag], "no hop of part II is tagged %s", tag)
	}
}

func countPrefix(steps []explain.Step, prefix string) int {
	n := 0
	for _, st := range steps {
		if strings.HasPrefix(st.Tag, prefix) {
			n++
		}
	}
	return n
}

// TestRunsRepeatByRole: two runs of the same walkthrough (fresh keys, fresh
// signatures, the server's key) are the same trace once roles replace bytes.
func TestRunsRepeatByRole(t *testing.T) {
	first := trace.Encode(sim.Epoch, tracetest.Walkthrough(t, true))
	second := trace.Encode(sim.Epoch, tracetest.Walkthrough(t, true))
	require.Nil(t, trace.Compare(first, second))
}
